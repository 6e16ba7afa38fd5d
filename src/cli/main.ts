#!/usr/bin/env node
// `npx footnote COMMAND …`: the npm commands under one name (the contract's `npx footnote ask --json "…"`).
const COMMANDS: Record<string, string> = {
  ask: './ask.js',
  index: './build-index.js',
  inspect: './inspect.js',
  add: './add.js',
  remove: './remove.js',
  report: './report.js',
  backup: './backup.js',
  forget: './forget.js',
  start: './start.js',
  'deploy-commands': './deploy-commands.js',
};

const [command, ...rest] = process.argv.slice(2);
const module = command ? COMMANDS[command] : undefined;
if (!module) {
  process.stderr.write(`usage: footnote ${Object.keys(COMMANDS).join('|')} [arguments]\n`);
  process.exitCode = 2;
} else {
  // Each command reads its arguments from process.argv, after the script's path.
  process.argv = [process.argv[0]!, process.argv[1]!, ...rest];
  await import(module);
}

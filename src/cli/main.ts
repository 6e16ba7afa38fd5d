#!/usr/bin/env node
// `npx footnote COMMAND …`: the npm commands under one name (the contract's `npx footnote ask --json "…"`).
import { USAGES, allUsages, runningAsFootnote, usage, type CommandName } from './usage.js';

const COMMANDS: Record<CommandName, string> = {
  ask: './ask.js',
  articles: './articles.js',
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

const isCommand = (name: string | undefined): name is CommandName => name !== undefined && Object.hasOwn(USAGES, name);

const [command, ...rest] = process.argv.slice(2);
runningAsFootnote();
if (command === 'help' || command === '--help' || command === '-h') {
  // `help COMMAND`: that one's usage; else all of them. Asked for, so on stdout and exit 0.
  const [about, ...extra] = rest;
  if (!extra.length && isCommand(about)) process.stdout.write(`${usage(about)}\n`);
  else if (about === undefined) process.stdout.write(`${allUsages()}\n`);
  else {
    process.stderr.write(`footnote: no command "${rest.join(' ')}"\n${allUsages()}\n`);
    process.exitCode = 2;
  }
} else if (!isCommand(command)) {
  process.stderr.write(`${command === undefined ? '' : `footnote: no command "${command}"\n`}${allUsages()}\n`);
  process.exitCode = 2;
} else {
  // Each command reads its arguments from process.argv, after the script's path.
  process.argv = [process.argv[0]!, process.argv[1]!, ...rest];
  await import(COMMANDS[command]);
}

// `npm run backup`: a copy of everything Footnote keeps into a new or empty folder, safe while the bot runs.
import { UsageError } from '../core/errors.js';
import { backup } from '../library/backup.js';
import { commandArguments } from './arguments.js';
import { plural, sizeText } from './print.js';
import { runCommand } from './run.js';

const USAGE =
  'usage: npm run backup -- DIR   (DIR: a new or empty folder; .env, which holds the token, is not copied: ' +
  'keep it safe apart)';

runCommand(async ({ config, argv }) => {
  const parsed = commandArguments(argv, USAGE, {});
  if (!parsed) return;
  const [dir, ...extra] = parsed.positionals;
  if (!dir || extra.length) throw new UsageError(`Give one folder to back up into.\n${USAGE}`);
  const { files, bytes, dir: where } = await backup(config, dir);
  process.stdout.write(`Backed up ${plural(files, 'file')} (${sizeText(bytes)}) to ${where}\n`);
});

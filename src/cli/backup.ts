// `npm run backup`: a copy of everything Footnote keeps into a new or empty folder, safe while the bot runs.
import { UsageError } from '../core/errors.js';
import { backup } from '../library/backup.js';
import { commandArguments, typedPath } from './arguments.js';
import { plural, sizeText } from './print.js';
import { runFootnoteCommand } from './run.js';
import { usage } from './usage.js';

const USAGE = usage('backup');

runFootnoteCommand('backup', async ({ config, argv }) => {
  const parsed = commandArguments(argv, USAGE, {});
  if (!parsed) return;
  const [dir, ...extra] = parsed.positionals;
  if (!dir || extra.length) throw new UsageError(`Give one folder to back up into.\n${USAGE}`);
  const { files, bytes, dir: where } = await backup(config, typedPath(dir));
  process.stdout.write(`Backed up ${plural(files, 'file')} (${sizeText(bytes)}) to ${where}\n`);
});

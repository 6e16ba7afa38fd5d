// `npm run remove`: takes an article out of the index, as /remove does: its file moves to REMOVED_DIR.
import { UsageError, UserError } from '../core/errors.js';
import { Libraries } from '../library/libraries.js';
import { indexProgress } from './progress.js';
import { commandArguments, serverOption } from './arguments.js';
import { runFootnoteCommand } from './run.js';
import { usage } from './usage.js';

const USAGE = usage('remove');

runFootnoteCommand('remove', async ({ config, log, argv }) => {
  const parsed = commandArguments(argv, USAGE, { server: { type: 'string' } });
  if (!parsed) return;
  const server = serverOption(parsed.values.server, USAGE);
  const [id, ...extra] = parsed.positionals;
  if (!id || extra.length) throw new UsageError(`Give one article id.\n${USAGE}`);
  const progress = indexProgress();
  const libraries = new Libraries(config, log, { onIndexProgress: progress.update });
  try {
    const output = await libraries.withLibrary(server, async (library) => {
      await library.ensureIndex('lexical');
      if (!library.article(id)) throw new UsageError(`No indexed article has the id "${id}"; nothing was removed.`);
      const { article, movedTo, summary } = await library.remove(id);
      const where = `${library.config.removedDir}/${movedTo}`;
      const moved = `Removed ${article.title} (${article.file}); its file is in ${where}.`;
      return summary
        ? `${moved} Articles in the index: ${summary.articles}.\n`
        : `${moved} Another process was rebuilding the index: until the next npm run index, it may still be quoted.\n`;
    });
    if (output === null) throw new UserError('library.none', {});
    progress.stop();
    process.stdout.write(output);
  } finally {
    progress.stop();
    await libraries.close();
  }
});

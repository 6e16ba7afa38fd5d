// `npm run remove`: takes an article out of the index, as /remove does: its file moves to REMOVED_DIR.
import { UsageError } from '../core/errors.js';
import { Footnote } from '../library/footnote.js';
import { indexProgress } from './progress.js';
import { commandArguments } from './arguments.js';
import { runCommand } from './run.js';

const USAGE = 'usage: npm run remove -- ARTICLE_ID   (ids: npm run -s ask -- --json …, or /articles)';

runCommand(async ({ config, log, argv }) => {
  const parsed = commandArguments(argv, USAGE, {});
  if (!parsed) return;
  const [id, ...extra] = parsed.positionals;
  if (!id || extra.length) throw new UsageError(`Give one article id.\n${USAGE}`);
  const progress = indexProgress();
  const footnote = new Footnote(config, log, { onIndexProgress: progress.update });
  try {
    await footnote.ensureIndex('lexical');
    if (!footnote.article(id)) throw new UsageError(`No indexed article has the id "${id}"; nothing was removed.`);
    const { article, movedTo, summary } = await footnote.remove(id);
    progress.stop();
    const moved = `Removed ${article.title} (${article.file}); its file is in ${config.removedDir}/${movedTo}.`;
    process.stdout.write(
      summary
        ? `${moved} Articles in the index: ${summary.articles}.\n`
        : `${moved} Another process was rebuilding the index: until the next npm run index, it may still be quoted.\n`,
    );
  } finally {
    progress.stop();
    await footnote.close();
  }
});

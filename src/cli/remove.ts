// `npm run remove`: takes an article out of the index, as /remove does: its file moves to REMOVED_DIR.
import { moveToRemoved } from '../articles/set-aside.js';
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
    const article = footnote.index()?.article(id);
    if (!article) throw new UsageError(`No indexed article has the id "${id}"; nothing was removed.`);
    const movedTo = await moveToRemoved(config.articlesDir, config.removedDir, article.file);
    const summary = await footnote.reindex();
    progress.stop();
    process.stdout.write(
      `Removed ${article.title} (${article.file}); its file is in ${config.removedDir}/${movedTo}. ` +
        `Articles in the index: ${summary.articles}.\n`,
    );
  } finally {
    progress.stop();
    await footnote.close();
  }
});

// `npm run index`: builds or updates the index from the articles, with progress and one summary line.
import { UsageError } from '../core/errors.js';
import { Footnote } from '../library/footnote.js';
import { formatSummary } from '../index/build.js';
import { downloadProgress, indexProgress } from './progress.js';
import { runCommand } from './run.js';

runCommand(async ({ config, log, argv }) => {
  if (argv.length)
    throw new UsageError(
      `npm run index takes no arguments (got ${argv.join(' ')}); set ARTICLES_DIR and INDEX_DIR instead.`,
    );
  const download = downloadProgress(config.embeddingModel);
  const progress = indexProgress();
  const footnote = new Footnote(config, log, { onDownload: download.update });
  try {
    const summary = await footnote.reindex(progress.update);
    progress.stop();
    process.stdout.write(`${formatSummary(summary)}\n`);
  } finally {
    progress.stop();
    download.stop();
    await footnote.close();
  }
});

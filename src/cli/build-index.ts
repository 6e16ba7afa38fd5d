// `npm run index`: builds or updates the index from the articles, with progress and one summary line.
import { UserError } from '../core/errors.js';
import { formatSummary } from '../index/build.js';
import { Libraries } from '../library/libraries.js';
import { commandArguments, serverOption } from './arguments.js';
import { downloadProgress, indexProgress } from './progress.js';
import { runFootnoteCommand } from './run.js';
import { usage } from './usage.js';

const USAGE = usage('index');

runFootnoteCommand('index', async ({ config, log, argv }) => {
  const parsed = commandArguments(argv, USAGE, { server: { type: 'string' } }, { positionals: false });
  if (!parsed) return;
  const server = serverOption(parsed.values.server, USAGE);
  const download = downloadProgress(config.embeddingModel);
  const progress = indexProgress();
  const libraries = new Libraries(config, log, { onDownload: download.update });
  try {
    const summary = await libraries.withLibrary(server, (library) => library.reindex(progress.update));
    if (!summary) throw new UserError('library.none', {});
    progress.stop();
    process.stdout.write(`${formatSummary(summary)}\n`);
  } finally {
    progress.stop();
    download.stop();
    await libraries.close();
  }
});

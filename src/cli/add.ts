// `npm run add`: adds an article from a link or a file, as /add does, and indexes it.
import fs from 'node:fs';
import path from 'node:path';
import { addArticle, type ArticleSource } from '../library/add-article.js';
import { UsageError } from '../core/errors.js';
import { Libraries } from '../library/libraries.js';
import { downloadProgress, indexProgress } from './progress.js';
import { commandArguments, serverOption, typedPath } from './arguments.js';
import { runFootnoteCommand } from './run.js';
import { usage } from './usage.js';

const USAGE = usage('add');

runFootnoteCommand('add', async ({ config, log, argv }) => {
  const parsed = commandArguments(argv, USAGE, { server: { type: 'string' } });
  if (!parsed) return;
  const server = serverOption(parsed.values.server, USAGE);
  const [target, ...extra] = parsed.positionals;
  if (!target || extra.length) throw new UsageError(`Give one link or one file.\n${USAGE}`);
  let source: ArticleSource;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(target)) source = { url: target };
  else {
    const file = typedPath(target);
    const info = fs.statSync(file, { throwIfNoEntry: false });
    if (!info?.isFile()) throw new UsageError(`${target}: no such file.`);
    if (info.size > config.maxArticleBytes) {
      throw new UsageError(`${target} is larger than MAX_ARTICLE_MB (${config.maxArticleBytes / 1048576} MB).`);
    }
    source = { name: path.basename(file), bytes: fs.readFileSync(file) };
  }

  const download = downloadProgress(config.embeddingModel);
  const progress = indexProgress();
  const libraries = new Libraries(config, log, { onDownload: download.update, onIndexProgress: progress.update });
  try {
    // A server's first article makes its library.
    const added = await libraries.withLibrary(server, (library) => addArticle(library, library.config, source), {
      create: true,
    });
    const result = added!;
    progress.stop();
    download.stop();
    const { article } = result;
    if (!result.added) {
      process.stdout.write(
        `Already there (${result.because}): ${article.title} (${article.file}); nothing was added.\n`,
      );
      return;
    }
    const passages = `${result.passages} passage${result.passages === 1 ? '' : 's'}`;
    process.stdout.write(`Added ${article.title} as ${article.file}: ${passages}.\n${result.firstParagraph}\n`);
  } finally {
    progress.stop();
    download.stop();
    await libraries.close();
  }
});

// `npm run ask`: one question answered from the index, printed for a person or as the contract's JSON.
import { MODE_SETTINGS, isModeSetting } from '../modes.js';
import { UsageError } from '../errors.js';
import { Footnote } from '../footnote.js';
import { answerJson, answerText } from './print.js';
import { downloadProgress, indexProgress } from './progress.js';
import { commandArguments } from './arguments.js';
import { runCommand } from './run.js';

const USAGE = 'usage: npm run ask -- [--json] [--article ID] [--mode hybrid|dense|lexical] "your question"';

runCommand(async ({ config, log, argv }) => {
  const parsed = commandArguments(argv, USAGE, {
    json: { type: 'boolean' },
    article: { type: 'string' },
    mode: { type: 'string' },
  });
  if (!parsed) return;
  const mode = parsed.values.mode;
  if (mode !== undefined && !isModeSetting(mode))
    throw new UsageError(`--mode must be one of ${MODE_SETTINGS.join(', ')} (got "${mode}")\n${USAGE}`);
  const question = parsed.positionals.join(' ').trim();
  if (!question) throw new UsageError(`No question given.\n${USAGE}`);

  const download = downloadProgress(config.embeddingModel);
  const progress = indexProgress();
  const footnote = new Footnote(config, log, { onDownload: download.update, onIndexProgress: progress.update });
  try {
    const answer = await footnote.ask(question, { articleId: parsed.values.article, mode });
    progress.stop();
    download.stop();
    process.stdout.write(parsed.values.json ? `${JSON.stringify(answerJson(answer), null, 2)}\n` : answerText(answer));
  } finally {
    progress.stop();
    download.stop();
    await footnote.close();
  }
});

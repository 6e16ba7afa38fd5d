// `npm run ask`: one question answered from the index, printed for a person or as the contract's JSON.
import { MODE_SETTINGS, isModeSetting } from '../core/retrieval/modes.js';
import { UsageError } from '../core/errors.js';
import { Libraries } from '../library/libraries.js';
import { explanationText } from '../core/answer/explanation.js';
import { answerJson, answerText } from './print.js';
import { downloadProgress, indexProgress } from './progress.js';
import { commandArguments, serverOption } from './arguments.js';
import { runFootnoteCommand } from './run.js';
import { usage } from './usage.js';

const USAGE = usage('ask');

runFootnoteCommand('ask', async ({ config, log, argv }) => {
  const parsed = commandArguments(argv, USAGE, {
    json: { type: 'boolean' },
    explain: { type: 'boolean' },
    article: { type: 'string' },
    mode: { type: 'string' },
    server: { type: 'string' },
  });
  if (!parsed) return;
  const mode = parsed.values.mode;
  if (mode !== undefined && !isModeSetting(mode))
    throw new UsageError(`--mode must be one of ${MODE_SETTINGS.join(', ')} (got "${mode}")\n${USAGE}`);
  const server = serverOption(parsed.values.server, USAGE);
  const question = parsed.positionals.join(' ').trim();
  if (!question) throw new UsageError(`No question given.\n${USAGE}`);

  const download = downloadProgress(config.embeddingModel);
  const progress = indexProgress();
  // --server ID answers as that server does: its own library and (SHARED_LIBRARY) the home library.
  const libraries = new Libraries(config, log, { onDownload: download.update, onIndexProgress: progress.update });
  try {
    const { json, explain } = parsed.values;
    const answer = await libraries.ask(server, question, { articleId: parsed.values.article, mode, explain });
    progress.stop();
    download.stop();
    // The threshold that decided is the one for the mode that ran.
    const threshold = answer.retrieval.mode === 'lexical' ? 'MIN_LEXICAL_SCORE' : 'MIN_SCORE';
    if (json) process.stdout.write(`${JSON.stringify(answerJson(answer), null, 2)}\n`);
    else
      process.stdout.write(
        answerText(answer) + (answer.explanation ? `\n${explanationText(answer.explanation, threshold)}` : ''),
      );
  } finally {
    progress.stop();
    download.stop();
    await libraries.close();
  }
});

// Dev tool, `npm run corpus:wikiqa -- TSV OUT_DIR`: turns WikiQA's TSV into articles and an eval question file.
import fs from 'node:fs';
import { UsageError } from '../src/core/errors.js';
import { runCommand } from '../src/cli/run.js';
import { writeWikiQa } from './wikiqa.js';

const USAGE =
  'usage: npm run corpus:wikiqa -- TSV OUT_DIR   (WikiQA-dev.tsv → OUT_DIR/articles/*.txt and OUT_DIR/questions.jsonl)';

runCommand(({ argv }) => {
  const [tsv, out, ...rest] = argv;
  if (!tsv || !out || rest.length) throw new UsageError(USAGE);
  let text: string;
  try {
    text = fs.readFileSync(tsv, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read ${tsv}: ${(error as Error).message}\n${USAGE}`);
  }
  let written;
  try {
    written = writeWikiQa(text, out);
  } catch (error) {
    throw new UsageError(`${tsv}: ${(error as Error).message}`);
  }
  process.stdout.write(
    `Wrote ${written.answerable + written.unanswerable} questions (${written.answerable} answerable, ` +
      `${written.unanswerable} not answered by their summary) to ${written.questions}\n` +
      `and the summaries to ${written.articles}; evaluate with:\n` +
      `npm run eval -- --questions ${written.questions} --articles ${written.articles}\n`,
  );
});

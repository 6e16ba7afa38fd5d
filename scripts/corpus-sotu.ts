// Dev tool, `npm run corpus:sotu -- DIR`: writes the State of the Union addresses as article files.
import { writeSotuArticles } from './sotu.js';
import { UsageError } from '../src/core/errors.js';
import { runCommand } from '../src/cli/run.js';

runCommand(({ argv }) => {
  const [dir, ...rest] = argv;
  if (!dir || rest.length)
    throw new UsageError('usage: npm run corpus:sotu -- DIR   (writes the 233 State of the Union addresses into DIR)');
  const files = writeSotuArticles(dir);
  process.stdout.write(
    `Wrote ${files.length} State of the Union addresses to ${dir}; index them with ARTICLES_DIR=${dir} npm run index\n`,
  );
});

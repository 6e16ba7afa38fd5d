// The article's text: its paragraphs joined with blank lines, and where each one sits in it.
import type { Paragraph } from '../core/types.js';

/** Joins paragraphs with a blank line and records where each one sits in the joined text. */
export function assembleText(paragraphTexts: readonly string[]): { text: string; paragraphs: Paragraph[] } {
  let text = '';
  const paragraphs: Paragraph[] = [];
  for (const p of paragraphTexts) {
    if (paragraphs.length > 0) text += '\n\n';
    paragraphs.push({ n: paragraphs.length + 1, start: text.length, end: text.length + p.length });
    text += p;
  }
  return { text, paragraphs };
}

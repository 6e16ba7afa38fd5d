// Titles: a headline-like line, two ways of writing one title, and the title a file's name gives.
import { collapseWhitespace } from '../core/text/words.js';

/** "sub/alibaba-jack-ma_2014.txt" → "Alibaba jack ma 2014". */
export function titleFromFileName(fileName: string): string {
  const base = fileName.split(/[\\/]/).pop() ?? fileName;
  const words = collapseWhitespace(base.replace(/\.[^.]*$/, '').replace(/[-_.]+/g, ' '));
  if (!words) return base;
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** Headline-like: short, and not ending the way a sentence or clause of body text does. */
export function isShortLine(s: string): boolean {
  return s.length <= 150 && s.split(' ').length <= 25 && !/[.,;:]["'”’)\]]*$/.test(s);
}

/** The same title, but for case and spacing. */
export function sameTitle(a: string, b: string): boolean {
  return collapseWhitespace(a).toLowerCase() === collapseWhitespace(b).toLowerCase();
}

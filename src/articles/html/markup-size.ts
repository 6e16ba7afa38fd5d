// How much markup a page has, counted before it is parsed: Readability's work grows with the elements and their
// nesting far faster than with the bytes, so a page of a few megabytes can hold the event loop for minutes.
import { Parser } from 'htmlparser2';

// Elements a page may have: twice the most of any news home page HTTP Archive crawled in 2023 (10,444). 20,000
// small ones took Readability 1 s to read; a million, 7 minutes and 3.7 GB.
export const MAX_ELEMENTS = 20_000;
// How deep they may nest: twice the deepest of those pages (131). A chain of 250 took 0.7 s to read, of 1,000 29 s.
export const MAX_DEPTH = 256;
// Every element counted once per level it is nested at: 300,000 in chains of 64 to 256 took 1.4 to 2.3 s to read.
export const MAX_NESTING = 300_000;
// Markup is counted this many characters at a time, so a page over a limit is given up within one more piece.
const PIECE = 64 * 1024;

/** Which limit a page goes past, and that limit. */
export interface MarkupLimit {
  /** 'memory': reading it took more than `max` MB (src/articles/html/parse-thread.ts). */
  limit: 'elements' | 'depth' | 'nesting' | 'memory';
  max: number;
}

/** The counts the limits are on, as far as the page was read. */
export interface MarkupSize {
  /** Elements opened, and end tags met (a tag closes at most one element). */
  elements: number;
  endTags: number;
  /** The deepest nesting met, and the sum of every element's depth. */
  depth: number;
  nesting: number;
  /** Characters read before a limit was passed (all of them when none was). */
  read: number;
}

/**
 * The page's elements, end tags, depth and nesting as the parser the DOM is built with (htmlparser2, under linkedom)
 * reads them, with no tree built, given up as soon as a limit is passed.
 */
export function markupSize(html: string): MarkupSize {
  const size: MarkupSize = { elements: 0, endTags: 0, depth: 0, nesting: 0, read: 0 };
  let depth = 0;
  const parser = new Parser(
    {
      onopentagname: () => {
        size.elements++;
        depth++;
        size.depth = Math.max(size.depth, depth);
        size.nesting += depth;
      },
      onclosetag: () => {
        depth--;
      },
    },
    { decodeEntities: false, lowerCaseAttributeNames: false },
  );
  while (size.read < html.length && !markupLimit(size)) {
    const piece = html.slice(size.read, size.read + PIECE);
    // The parser looks for an end tag's element among the open ones; end tags that match none are counted here.
    size.endTags += piece.split('</').length - 1;
    parser.write(piece);
    size.read += piece.length;
  }
  if (!markupLimit(size)) parser.end();
  return size;
}

/** The limit `size` is past, or null. */
export function markupLimit(size: MarkupSize): MarkupLimit | null {
  if (size.elements > MAX_ELEMENTS || size.endTags > MAX_ELEMENTS) return { limit: 'elements', max: MAX_ELEMENTS };
  if (size.depth > MAX_DEPTH) return { limit: 'depth', max: MAX_DEPTH };
  if (size.nesting > MAX_NESTING) return { limit: 'nesting', max: MAX_NESTING };
  return null;
}

/** A page with more markup than can be read in reasonable time: refused before it is parsed. */
export class MarkupTooLargeError extends Error {
  override name = 'MarkupTooLargeError';
  constructor(readonly exceeded: MarkupLimit) {
    // As the loader says why it skips a file; src/failure-words.ts words it for whoever adds a page.
    super(`too complex to read: ${TOO_MUCH[exceeded.limit](exceeded.max.toLocaleString('en-US'))}`);
  }
}

const TOO_MUCH: Record<MarkupLimit['limit'], (max: string) => string> = {
  elements: (max) => `more than ${max} HTML elements`,
  depth: (max) => `HTML elements nested more than ${max} deep`,
  nesting: () => 'HTML elements nested too deeply',
  memory: (max) => `more than ${max} MB of memory needed to read it`,
};

/** Throws MarkupTooLargeError for a page past a limit. */
export function checkMarkupSize(html: string): void {
  const exceeded = markupLimit(markupSize(html));
  if (exceeded) throw new MarkupTooLargeError(exceeded);
}

// How a chosen sentence becomes a quote a reader can follow: widened to the neighbour it leans on, and the same
// sentence filed twice recognised as one.
import { sentenceSpans } from '../text/sentences.js';
import { words } from '../text/words.js';
import type { IndexedArticle, Span } from '../types.js';

/** A sentence of an article, as the answer step quotes it. */
export interface Quotable extends Span {
  article: IndexedArticle;
}

const QUOTE_MARK = /["“”]/g;
// A sentence that opens like this leans on the one before it for who or what it is about.
const LEANS_BACK = /^(?:["“”']?\s*)(?:he|she|it|they|this|that|these|those|his|her|its|their|but|and|so|also)\b/i;
// A sentence that ends like this asks rather than tells.
const ASKS = /\?["“”'’)\]]*\s*$/;

/**
 * Widens a quote to a neighbouring sentence of the same paragraph when it only makes sense with
 * it: a quotation split across sentences (odd number of quote marks), a leading "He said…", or a
 * question the next sentence answers.
 */
export function withContext<T extends Quotable>(c: T): T {
  const paragraph = c.article.paragraphs.find((p) => c.start >= p.start && c.start < p.end);
  if (!paragraph) return c;
  const around = neighbours(c.article.text, paragraph, c);
  if (!around) return c;
  const { before, after } = around;
  const text = c.article.text.slice(c.start, c.end);
  const marks = text.match(QUOTE_MARK)?.length ?? 0;
  let { start, end } = c;
  if (marks % 2 === 1) {
    // An opening mark with no close continues forward; a close with no opening started before.
    if (/^["“]/.test(text) && after) end = after.end;
    else if (before) start = before.start;
  } else if (LEANS_BACK.test(text) && before) {
    start = before.start;
  }
  // A question in the text ("What should we do with this surplus?") is answered by what follows.
  if (ASKS.test(text) && after && end === c.end) end = after.end;
  return { ...c, start, end };
}

// Characters on each side of a sentence segmented first to find its neighbours; doubled while
// too few. A speech may be one paragraph of 50,000 characters, too long to segment per quote.
const NEIGHBOUR_WINDOW = 1000;

/**
 * The sentences just before and after `span` in its paragraph (null at the paragraph's edges), or
 * null when `span` is not one of the paragraph's sentences. Only a window around it is segmented:
 * a window's first and last segments may be sentences it cut, so the window grows until the
 * neighbours are whole.
 */
function neighbours(text: string, paragraph: Span, span: Span): { before: Span | null; after: Span | null } | null {
  for (let width = NEIGHBOUR_WINDOW; ; width *= 2) {
    const from = Math.max(paragraph.start, span.start - width);
    const to = Math.min(paragraph.end, span.end + width);
    const sentences = sentenceSpans(text, from, to);
    const i = sentences.findIndex((s) => s.start === span.start);
    const cutBefore = from > paragraph.start && i <= 1;
    const cutAfter = to < paragraph.end && i >= sentences.length - 2;
    if (!cutBefore && !cutAfter)
      return i < 0 ? null : { before: sentences[i - 1] ?? null, after: sentences[i + 1] ?? null };
  }
}

// Share of words two quotes have in common (of all the words either has) above which they are
// the same sentence: "said on Tuesday" edited to "said Tuesday" still is. Their numbers must
// agree: "rose 3 percent" and "rose 5 percent" are two facts.
const SAME_SENTENCE = 0.8;

export function nearlySame(a: string, b: string): boolean {
  const numbers = (text: string): string => (text.match(/\p{N}+/gu) ?? []).join(' ');
  if (numbers(a) !== numbers(b)) return false;
  const x = new Set(words(a));
  const y = new Set(words(b));
  let shared = 0;
  for (const w of x) if (y.has(w)) shared++;
  const union = x.size + y.size - shared;
  return union === 0 ? a === b : shared / union >= SAME_SENTENCE;
}

// Answer stage: which scored sentences are quoted, widened to what they lean on, joined where they meet, each once.
import type { IndexedArticle, Span } from '../types.js';
import type { EvidenceGate } from './gate.js';
import { nearlySame, withContext } from './quote-context.js';
import type { Scored } from './score.js';

/** A quote to cite: a span of its article's text, scored as its best sentence. */
export interface Quote extends Span {
  article: IndexedArticle;
  score: number;
}

export interface SelectOptions {
  /** MIN_SCORE: no quote below it. */
  minScore: number;
  /** Quotes at most (default 3). */
  maxQuotes?: number;
}

// A further quote must score nearly as well as the best: fewer quotes to read, and the opening sentence gets back
// the hit@3 a lower floor gave (docs/decisions/relative-floor.md).
const RELATIVE_FLOOR = 0.85;

/** The floor a further quote must reach besides MIN_SCORE. */
export function floorOf(best: Pick<Scored, 'score'>, minScore: number): number {
  return Math.max(minScore, best.score * RELATIVE_FLOOR);
}

/**
 * The quotes, best first, from `ranked` (best first) where the verdict found `best` at `first`:
 * each further one nearly as good as the best and with evidence of its own, or the opening
 * sentence of the best one's article.
 */
export function selectQuotes(
  ranked: Scored[],
  { first, best }: { first: number; best: Scored },
  gate: Pick<EvidenceGate, 'counts'>,
  options: SelectOptions,
): Quote[] {
  const chosen: Scored[] = [];
  const floor = floorOf(best, options.minScore);
  for (const c of ranked.slice(first)) {
    if (chosen.length >= (options.maxQuotes ?? 3)) break;
    if (c.score < options.minScore) break;
    if (c.score < floor && !opensArticleOf(c, best)) continue;
    if (c !== best && !gate.counts(c)) continue;
    const quote = withContext(c);
    const text = quote.article.text.slice(quote.start, quote.end);
    // A quote widened into one already chosen makes it one longer quote: "He said…" after the
    // sentence that names him.
    const overlapping = chosen.filter(
      (o) => o.article.id === quote.article.id && quote.start < o.end && o.start < quote.end,
    );
    if (overlapping.length) {
      joinInto(chosen, quote, overlapping);
      continue;
    }
    // A sentence found in two articles (a story filed twice, perhaps lightly edited) is quoted once.
    if (!chosen.some((o) => nearlySame(o.article.text.slice(o.start, o.end), text))) chosen.push(quote);
  }
  return chosen;
}

/**
 * The opening sentence of the best sentence's article is quoted below RELATIVE_FLOOR (with evidence of its
 * own and MIN_SCORE still): news and encyclopedias say first what matters most (docs/decisions/opening-sentence.md).
 */
function opensArticleOf(c: Scored, best: Scored): boolean {
  return c.position === 0 && c.article.id === best.article.id;
}

/** Joins `quote` with the chosen quotes it overlaps (it may bridge two) into one, in the first one's place. */
function joinInto(chosen: Scored[], quote: Scored, overlapping: Scored[]): void {
  const spans = [quote, ...overlapping];
  const merged = {
    ...overlapping[0]!,
    start: Math.min(...spans.map((o) => o.start)),
    end: Math.max(...spans.map((o) => o.end)),
  };
  chosen.splice(chosen.indexOf(overlapping[0]!), 1, merged);
  for (const o of overlapping.slice(1)) chosen.splice(chosen.indexOf(o), 1);
}

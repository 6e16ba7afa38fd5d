// The statistics an answer is judged by: how much of the question a text holds, whether its words could be there
// by chance, whether they name an article, and what a cosine means against the question's spread of cosines.
import { NAMING_ARTICLES } from '../retrieval/retrieve.js';
import { dot } from '../vectors.js';

/** How many passages contain a stemmed term, to weigh rare words above common ones. */
export interface TermStatistics {
  passages: number;
  frequency(term: string): number;
}

/** How many articles carry a stemmed term in their title, author, source or date. */
export interface MetadataStatistics {
  articles: number;
  frequency(term: string): number;
}

/** BM25's inverse document frequency: never negative, highest for words few documents hold. */
export function inverseFrequency(documents: number, frequency: number): number {
  return Math.log(1 + (documents - frequency + 0.5) / (frequency + 0.5));
}

/**
 * Share of the question's words that a text contains (or, with `context`, its surroundings), each
 * word weighted: a word the articles seldom use weighs most, so a question about something absent
 * scores low even when its common words match.
 */
export function weightedShare(
  terms: string[],
  weight: (term: string) => number,
): (present: Set<string>, context?: Set<string>) => number {
  const weights = new Map(terms.map((t) => [t, weight(t)]));
  const total = [...weights.values()].reduce((a, b) => a + b, 0);
  return (present, context) => {
    let sum = 0;
    for (const [t, w] of weights) if (present.has(t) || context?.has(t)) sum += w;
    return total ? sum / total : 0;
  };
}

// Below this many passages, how many passages hold a word says little about how rare it is: a
// small collection is taken as a sample of one this big, in which its words are rare.
const BACKGROUND_PASSAGES = 1000;
// e^-3 ≈ 0.05: the question's words found around a sentence would meet by chance in fewer than 1
// in 20 collections of this size; 2 let one more off-topic question through (docs/decisions/chance-surprise.md).
export const MIN_SURPRISE = 3;
// A question is about an article when at least this share of its words name it: words of its
// title, author, source or date that few articles' metadata hold (at most NAMING_ARTICLES).
// "What year was Elvis born?" asked of a collection with an article titled "Elvis Presley" (1 of
// 3), "Who sings Stand by Me?" (1 of 2). A count, not a weighted share, so that it means the same
// in a collection of 4 articles and of 4,000. It answers questions wrongly "not found" on three dev
// sets and lets no off-topic question through (docs/decisions/naming-share.md).
const MIN_NAMING_SHARE = 1 / 3;

export function namesArticle(terms: string[], about: Set<string>, metadata: MetadataStatistics): boolean {
  const naming = terms.filter((t) => about.has(t) && metadata.frequency(t) <= NAMING_ARTICLES).length;
  return naming > 0 && naming / terms.length >= MIN_NAMING_SHARE;
}

/**
 * How unlikely it is that the question's words found in a sentence and its surroundings would be
 * there by chance, in nats: -ln of the expected number of passages holding them all if words were
 * scattered independently. A large collection holds "tonight" and "dinner" somewhere; meeting
 * them is no evidence of an answer. Infinity when every question word is found.
 *
 * Tried and left out: counting words that meet in the sentence itself as closer than chance; it
 * answered more off-topic questions than it gained (docs/decisions/chance-surprise.md).
 */
export function chanceSurprise(
  terms: string[],
  statistics: TermStatistics,
): (present: Set<string>, context: Set<string>) => number {
  const n = Math.max(statistics.passages, BACKGROUND_PASSAGES);
  return (present, context) => {
    const matched = terms.filter((t) => present.has(t) || context.has(t));
    if (matched.length === terms.length) return Infinity;
    return matched.reduce((sum, t) => sum + Math.log(n / Math.max(1, statistics.frequency(t))), 0) - Math.log(n);
  };
}

/**
 * The question's mean cosine to the passages and its standard deviation over a sample of them:
 * models differ in how alike any two texts look (one puts everything above 0.9, another spreads
 * cosines from -0.1 to 0.8), and a cosine means something only against this spread.
 */
export function cosineSpread(
  query: Float32Array,
  collection: { passageMean: Float32Array | null; vectorSample: Float32Array[] },
): { mean: number; sd: number } | null {
  const cosines = collection.vectorSample.map((v) => dot(v, query));
  if (cosines.length < 2) return null;
  const mean = collection.passageMean
    ? dot(query, collection.passageMean)
    : cosines.reduce((a, b) => a + b, 0) / cosines.length;
  const variance = cosines.reduce((sum, c) => sum + (c - mean) ** 2, 0) / cosines.length;
  return variance > 0 ? { mean, sd: Math.sqrt(variance) } : null;
}

export function spreadOf(values: number[]): { mean: number; sd: number } | null {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const variance = values.reduce((sum, v) => sum + (v - mean) ** 2, 0) / values.length;
  return variance > 0 ? { mean, sd: Math.sqrt(variance) } : null;
}

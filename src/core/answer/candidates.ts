// Answer stage: the sentences worth scoring, those of the retrieved passages and their articles' openings.
import type { RankedPassage, Retrieved } from '../retrieval/retrieve.js';
import { metadataWords } from '../text/article-words.js';
import { OPENING_SENTENCES } from '../text/sentences.js';
import { contentTerms } from '../text/words.js';
import type { IndexedArticle, IndexedSentence, Span } from '../types.js';

/** A sentence that may answer the question, with the question's terms found in and around it. */
export interface Candidate extends Span {
  article: IndexedArticle;
  /** The retrieved passage the sentence is from (null: an opening sentence of its article, retrieved or not). */
  hit: RankedPassage | null;
  /** Position among the article's first sentences (0 = its first), or null further down. */
  position: number | null;
  // Only the question's terms are kept of each: every signal asks which of them a text holds, and
  // sets of a passage's every term cost a fifth of the answer step.
  /** The question's terms in the sentence's surroundings: its passage, its article's title, author, source, date. */
  context: Set<string>;
  /** The question's terms in the article's title, author, source and date. */
  about: Set<string>;
  /** The question's terms in the sentence. */
  own: Set<string>;
}

// Sentences scored per question: those of the retrieved passages, and the opening sentences of
// their articles (the lead, where encyclopedias and news put what matters most) (docs/decisions/max-sentences.md).
const MAX_SENTENCES = 100;

/** The sentences of the retrieved passages and their articles' first sentences, each once, in retrieval order. */
export function gatherCandidates(retrieved: Retrieved, terms: string[]): Candidate[] {
  const wanted = new Set(terms);
  const seen = new Set<string>();
  const candidates: Candidate[] = [];
  const abouts = new Map<string, Set<string>>();
  const aboutOf = (article: IndexedArticle): Set<string> => {
    let about = abouts.get(article.id);
    if (!about) abouts.set(article.id, (about = wantedOf(wanted, contentTerms(metadataWords(article)))));
    return about;
  };
  const add = (
    article: IndexedArticle,
    hit: RankedPassage | null,
    sentence: IndexedSentence,
    context: Set<string>,
    about: Set<string>,
  ): void => {
    const key = `${article.id}:${sentence.start}`;
    if (seen.has(key) || candidates.length >= MAX_SENTENCES) return;
    seen.add(key);
    const position = article.lead.findIndex((s) => s.start === sentence.start);
    const { start, end } = sentence;
    const own = wantedOf(wanted, sentence.terms);
    candidates.push({ article, hit, start, end, position: position < 0 ? null : position, own, context, about });
  };
  for (const hit of retrieved.hits) {
    const { article, passage } = hit;
    const about = aboutOf(article);
    const context = withWantedOf(wanted, about, passage.sentences);
    for (const span of passage.sentences) add(article, hit, span, context, about);
  }
  // An article's opening sentences are candidates even when its passage ranked lower: they say
  // what the article is about ("X is…", "X said on Monday…"). Their context is the opening itself,
  // unless their passage was retrieved.
  for (const hit of retrieved.hits) {
    const { article } = hit;
    const lead = article.lead.slice(0, OPENING_SENTENCES);
    const about = aboutOf(article);
    const context = withWantedOf(wanted, about, lead);
    for (const span of lead) add(article, null, span, context, about);
  }
  return candidates;
}

/** The terms of `terms` that are wanted. */
function wantedOf(wanted: Set<string>, terms: Iterable<string>): Set<string> {
  const result = new Set<string>();
  for (const term of terms) if (wanted.has(term)) result.add(term);
  return result;
}

/** `found` and the wanted terms of the sentences. */
function withWantedOf(wanted: Set<string>, found: Set<string>, sentences: IndexedSentence[]): Set<string> {
  const result = new Set(found);
  for (const sentence of sentences) for (const term of sentence.terms) if (wanted.has(term)) result.add(term);
  return result;
}

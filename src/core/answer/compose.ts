// The answer step: from the retrieved passages, the verbatim sentences that answer, numbered as citations, or "not
// found".
import { articleFact } from './article-facts.js';
import {
  MIN_SURPRISE,
  chanceSurprise,
  cosineSpread,
  inverseFrequency,
  namesArticle,
  spreadOf,
  weightedShare,
  type MetadataStatistics,
  type TermStatistics,
} from './evidence.js';
import type { Answer, Citation } from '../types.js';
import type { Decision, Evidence, ExplainedSentence, Explanation } from './explanation.js';
import { analyzeQuestion, holdsAnswerType, holdsQuantity } from '../question/analyze.js';
import { nearlySame, withContext } from './quote-context.js';
import type { RankedPassage, Retrieved } from '../retrieval/retrieve.js';
import { OPENING_SENTENCES } from '../text/sentences.js';
import { sentenceKey } from '../text/sentences.js';
import { dot } from '../vectors.js';
import { contentTerms } from '../text/words.js';
import type { IndexedArticle, IndexedSentence, Span } from '../types.js';
import { metadataWords } from '../text/article-words.js';

/** What the index knows about its own text and vectors, against which a question's matches are judged. */
export interface Collection {
  terms: TermStatistics;
  metadata: MetadataStatistics;
  /** The mean passage vector and a sample of passage vectors (empty without vectors). */
  passageMean: Float32Array | null;
  vectorSample: Float32Array[];
  /** Vectors of a sample of sentences (empty without vectors): what a question's cosine to any sentence is like. */
  sentenceSample: Float32Array[];
  /** The sentence vectors stored at index time, by sentenceKey (empty without vectors). */
  sentenceVectors: (keys: { articleId: string; start: number }[]) => Map<string, Float32Array>;
  /** The one article of a collection of one ("Who wrote the article?" needs no other words), else null. */
  soleArticle: () => IndexedArticle | null;
  /**
   * The articles whose title, author, source or date name these terms (few articles' metadata hold
   * them), best named first: "the Reuters story" names its article though no passage says "Reuters".
   */
  namedArticles: (terms: string[]) => IndexedArticle[];
}

export interface AnswerOptions {
  /** The best sentence must score at least this (0–1) for the articles to count as answering. */
  minScore: number;
  /**
   * A sentence whose question words could be there by chance still counts when its cosine to the
   * question stands this many standard deviations above the question's cosines to a sample of sentences.
   */
  meaningMargin: number;
  /** Quotes at most. */
  maxQuotes?: number;
  /** EMBEDDING_MODEL, reported with the answer. */
  model: string;
  /** Also say why: the question as read, the passages, the best sentences and what decided. */
  explain?: boolean;
  /** How many of the best-scored sentences an explanation lists (default 8). */
  explainSentences?: number;
}

/** Where in its article a citation is, for a reader: "¶3", or "header" for a credit line outside the paragraphs. */
export function placeInArticle(c: Pick<Citation, 'located' | 'paragraph'>): string {
  return c.located === 'file' ? 'header' : `¶${c.paragraph}`;
}

export const NOT_FOUND = "I couldn't find an answer to that in the articles.";
export const NOT_A_QUESTION =
  'Please ask a question about the articles, in words: for example "What did Jack Ma say about Apple?"';

// Sentences scored per question: those of the retrieved passages, and the opening sentences of
// their articles (the lead, where encyclopedias and news put what matters most).
const MAX_SENTENCES = 100;
// A further quote must be nearly as relevant as the best one. Measured, lexical: 0.75 raised WikiQA
// hit@3 from 0.754 to 0.778, the other sets unchanged, for 2.4–2.9 quotes per answer instead of 1.7–2.8.
// Later, 0.80 raised it from 0.786 to 0.802 for 0.1–0.2 more quotes per answer on every set.
const RELATIVE_FLOOR = 0.85;

/**
 * The opening sentence of the best sentence's article, which is quoted below RELATIVE_FLOOR (with
 * evidence of its own and MIN_SCORE still): encyclopedias and news say first what matters most
 * (the lead holds the labelled answer of 60 % of WikiQA dev questions, given their article), so a
 * reader shown a sentence from further down is shown the opening too. Measured: WikiQA dev hit@3
 * lexical 0.786 -> 0.802, hybrid with the semantic proxy 0.794 -> 0.810, hit@1 unchanged by
 * construction (it only adds a quote after the others); no other dev set's hit@1 or hit@3 moved;
 * quotes per answer +0.03 on WikiQA and synonyms, +0.12 on the shipped set (+0.15–0.20 with a model),
 * none on SOTU (speeches open with a salutation, seldom evidence). Only WikiQA showed a gain: the
 * shipped set's hit@3 is 39 of 40, and none of the synonyms set's misses has its answer in the
 * opening. Both of an article's first two sentences: the same hit@3, twice the added quotes.
 * Lowering RELATIVE_FLOOR to 0.80 met the same hit@3 for 0.1–0.2 more quotes per answer on every set.
 */
function opensArticleOf(c: Candidate, best: Candidate): boolean {
  return c.position === 0 && c.article.id === best.article.id;
}

/**
 * How much each signal counts in a sentence's score (the score is their weighted mean, 0–1):
 * - sentence: share of the question's word weight (IDF) found in the sentence;
 * - context: the same share counting the sentence's passage and its article's title and byline;
 * - subject: how well the article's title, author, source and date name the question's words,
 *   against the best-named article's;
 * - passage: the passage's BM25 against the best passage retrieved (dense mode: its cosine's
 *   standard score against the best one's);
 * - lead: 1/(1+position) of the sentence in its article (the inverted pyramid of news and encyclopedias);
 * - type: the sentence holds what the question asks for (a date for "when", a number for "how many");
 * - with the model (hybrid, dense), passageMeaning: its passage's cosine as a standard score
 *   against the question's cosines to the passages.
 * How they were set: a conditional-logit fit over the candidate sentences of every dev set together
 * (tests/eval's shipped, synonyms and SOTU sets, WikiQA dev; each set weighted equally) gave the
 * starting weights, and each signal had weight on all four sets; then one round of coordinate
 * search on the whole pipeline (each weight ×0, ×0.5, ×1.5, ×2.5) kept the changes that gained on
 * two or more sets and lost on none: context 2.5 -> 6 and sentence 4.7 -> 3.5 (SOTU lexical hit@3
 * 0.431 -> 0.471, WikiQA 0.730 -> 0.754), subject 1.9 -> 3.8. For the model's signals, measured with
 * the semantic proxy in hybrid mode: the sentence's own cosine (as a standard score among the
 * candidates) lowered WikiQA hit@1 at every weight tried (0.611 without it, 0.587–0.595 with
 * 0.5–1.5) and was left out; measured again once every candidate had a stored vector, as a standard
 * score against the sentence sample (weight 1, 2, 4): synonyms hit@1 0.424 -> 0.455–0.485 but SOTU
 * hit@3 0.471 -> 0.431–0.490 and WikiQA hit@3 0.762 -> 0.738–0.746, so still left out;
 * passageMeaning 1 raised SOTU hit@1 0.275 -> 0.294 for one WikiQA
 * question (3 lowered WikiQA to 0.587). Dropped for gaining nothing: sentence length, and a
 * within-article IDF.
 */
export const WEIGHTS = {
  sentence: 3.5,
  context: 6,
  subject: 3.8,
  passage: 3.0,
  lead: 0.9,
  type: 1.8,
  passageMeaning: 1,
};
// Standard scores are divided by this before weighing, to sit on the 0–1 scale of the others.
const Z_SCALE = 10;

interface Candidate extends Span {
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

interface Scored extends Candidate {
  score: number;
  signals: Record<keyof typeof WEIGHTS, number>;
}

// Sentences an explanation lists.
const EXPLAINED_SENTENCES = 8;

/**
 * Picks the sentences of the retrieved passages that answer the question and quotes them
 * verbatim, numbered. Nothing in the answer is generated: every word is article text.
 */
export function composeAnswer(
  questionText: string,
  retrieved: Retrieved,
  collection: Collection,
  options: AnswerOptions,
): Answer {
  const retrieval = { mode: retrieved.mode, model: options.model };
  const question = analyzeQuestion(questionText);
  const { terms } = question;
  const explain = (decision: Decision, sentences: ExplainedSentence[] = []): { explanation?: Explanation } =>
    options.explain ? { explanation: explanationOf(question, retrieved, sentences, decision) } : {};
  const notFound = (decision: Decision, sentences: ExplainedSentence[] = [], text = NOT_FOUND): Answer => ({
    question: questionText,
    found: false,
    text,
    citations: [],
    retrieval,
    ...explain(decision, sentences),
  });
  if (!terms.length) return notFound({ kind: 'not-a-question' }, [], NOT_A_QUESTION);
  const fact = question.asksAbout
    ? articleFact(
        question.asksAbout,
        question.naming,
        articlesAskedAbout(question.naming, retrieved, collection),
        collection.soleArticle,
      )
    : null;
  if (fact) {
    const citation = {
      ...toCitation(fact.article, fact.credit.start, fact.credit.end, 1),
      located: fact.credit.in,
      paragraph: fact.credit.in === 'text' ? paragraphAt(fact.article, fact.credit.start) : 0,
      quote: fact.credit.text,
    };
    return {
      question: questionText,
      found: true,
      text: `${citation.quote} [1]`,
      citations: [citation],
      retrieval,
      ...explain({ kind: 'article-fact', fact: question.asksAbout!, line: fact.credit.kind }),
    };
  }

  const candidates = sentencesOf(retrieved, new Set(terms));
  if (!candidates.length) return notFound({ kind: 'no-sentences' });
  const coverage = weightedShare(terms, (t) =>
    inverseFrequency(collection.terms.passages, collection.terms.frequency(t)),
  );
  const naming = weightedShare(terms, (t) =>
    inverseFrequency(collection.metadata.articles, collection.metadata.frequency(t)),
  );
  // The passage's rank among those retrieved: by BM25 against the best one, or in dense mode
  // (no BM25) by how far its cosine stands above the mean, against the best one's.
  const bestLexical = Math.max(0, ...retrieved.hits.map((h) => h.lexical ?? 0));
  const spread = retrieved.queryVector ? cosineSpread(retrieved.queryVector, collection) : null;
  const standard = (cosine: number | null): number =>
    cosine === null || !spread ? 0 : (cosine - spread.mean) / spread.sd;
  // A sentence's cosine is judged against the question's cosines to sentences (a sample of the
  // index's), a passage's against its cosines to passages: the two are spread differently (under
  // a MiniLM-shaped random model, short sentences sharing a word with the question stood 15
  // standard deviations above the passages).
  const sentenceSpread =
    retrieved.queryVector && collection.sentenceSample.length > 1
      ? spreadOf(collection.sentenceSample.map((v) => dot(v, retrieved.queryVector!)))
      : null;
  const bestStandard = Math.max(0, ...retrieved.hits.map((h) => standard(h.dense)));
  const passageRank = (hit: RankedPassage | null): number => {
    if (bestLexical > 0) return (hit?.lexical ?? 0) / bestLexical;
    return retrieved.mode === 'dense' && bestStandard > 0
      ? Math.max(0, standard(hit?.dense ?? null)) / bestStandard
      : 0;
  };
  const surprise = chanceSurprise(terms, collection.terms);
  // How well each article's metadata names the question's subject, against the best-named one.
  const namedShare = new Map(candidates.map((c) => [c.article.id, naming(c.about)]));
  const bestNamed = Math.max(0, ...namedShare.values());

  const weights = retrieved.queryVector ? WEIGHTS : { ...WEIGHTS, passageMeaning: 0 };
  const total = Object.values(weights).reduce((a, b) => a + b, 0);
  const entries = Object.entries(weights) as [keyof typeof WEIGHTS, number][];
  const ranked: Scored[] = candidates.map((c) => {
    const signals = {
      sentence: coverage(c.own),
      context: coverage(c.own, c.context),
      subject: bestNamed > 0 ? namedShare.get(c.article.id)! / bestNamed : 0,
      passage: passageRank(c.hit),
      lead: c.position === null ? 0 : 1 / (1 + c.position),
      type:
        question.answerType && holdsAnswerType(question.answerType, c.article.text.slice(c.start, c.end), questionText)
          ? 1
          : 0,
      passageMeaning: standard(c.hit?.dense ?? null) / Z_SCALE,
    };
    let score = 0;
    for (const [name, weight] of entries) score += weight * signals[name];
    return { ...c, score: score / total, signals };
  });
  // Equal scores go to the earlier sentence of the higher-ranked passage.
  ranked.sort((a, b) => b.score - a.score);

  // A sentence counts only with evidence it is about the question: the question's words around it
  // are too specific to meet by chance, or name its article, or (with the model) its meaning
  // stands out from what the question scores against any sentence. That meaning (the sentence's
  // vector, stored at index time) is read only for a sentence in line to be quoted.
  // The sentence's cosine to the question as a standard score against its cosines to the sample.
  const meaning = (c: Scored): number | null => {
    if (!retrieved.queryVector || !sentenceSpread) return null;
    const key = { articleId: c.article.id, start: c.start };
    const vector = collection.sentenceVectors([key]).get(sentenceKey(key.articleId, key.start));
    return vector ? (dot(vector, retrieved.queryVector) - sentenceSpread.mean) / sentenceSpread.sd : null;
  };
  const evidence = (c: Scored): Evidence => {
    if (surprise(c.own, c.context) >= MIN_SURPRISE) return 'rare words';
    if (namesArticle(terms, c.about, collection.metadata)) return 'names its article';
    return (meaning(c) ?? -Infinity) >= options.meaningMargin ? 'meaning' : null;
  };
  // A count ("how many …?") is answered by sentences that give one, or not at all. Measured: more
  // of the 170 WikiQA dev questions its summaries do not answer got "not found" (lexical 27 -> 31,
  // hybrid with the semantic proxy 25 -> 29, dense 30 -> 32, the test model 30 -> 32); no answer
  // to an answerable question changed on any dev set or mode (no other set has a count question
  // that its articles leave without a count).
  const givesCount = (c: Scored): boolean =>
    !question.asksCount || holdsQuantity(c.article.text.slice(c.start, c.end), questionText);
  const counts = (c: Scored): boolean => evidence(c) !== null && givesCount(c);
  // Scores only fall from here: below the threshold, no sentence can be the best one.
  const first = ranked.findIndex((c) => c.score < options.minScore || counts(c));
  const best = ranked[first];
  // Only with an explanation: the best sentences as it lists them.
  const listed = (quoted: Scored[]): ExplainedSentence[] =>
    !options.explain
      ? []
      : ranked
          .slice(0, options.explainSentences ?? EXPLAINED_SENTENCES)
          .map((c) =>
            explainedSentence(
              c,
              weights,
              { surprise: surprise(c.own, c.context), meaning: meaning(c) },
              evidence(c),
              quoted,
            ),
          );
  if (!best || best.score < options.minScore) {
    const top = ranked[0]!.score;
    return notFound(
      top < options.minScore
        ? { kind: 'below-threshold', best: round4(top), threshold: options.minScore }
        : question.asksCount && ranked.some((c) => c.score >= options.minScore && evidence(c) !== null)
          ? { kind: 'no-count', threshold: options.minScore }
          : {
              kind: 'no-evidence',
              threshold: options.minScore,
              aboveThreshold: ranked.filter((c) => c.score >= options.minScore).length,
            },
      listed([]),
    );
  }
  const chosen: Scored[] = [];
  const floor = Math.max(options.minScore, best.score * RELATIVE_FLOOR);
  for (const c of ranked.slice(first)) {
    if (chosen.length >= (options.maxQuotes ?? 3)) break;
    if (c.score < options.minScore) break;
    if (c.score < floor && !opensArticleOf(c, best)) continue;
    if (c !== best && !counts(c)) continue;
    const quote = withContext(c);
    const text = quote.article.text.slice(quote.start, quote.end);
    // A quote widened into one already chosen makes it one longer quote: "He said…" after the
    // sentence that names him.
    const overlapping = chosen.filter(
      (o) => o.article.id === quote.article.id && quote.start < o.end && o.start < quote.end,
    );
    if (overlapping.length) {
      // It may bridge two chosen quotes: all of them become one.
      const spans = [quote, ...overlapping];
      const merged = {
        ...overlapping[0]!,
        start: Math.min(...spans.map((o) => o.start)),
        end: Math.max(...spans.map((o) => o.end)),
      };
      chosen.splice(chosen.indexOf(overlapping[0]!), 1, merged);
      for (const o of overlapping.slice(1)) chosen.splice(chosen.indexOf(o), 1);
      continue;
    }
    // A sentence found in two articles (a story filed twice, perhaps lightly edited) is quoted once.
    if (!chosen.some((o) => nearlySame(o.article.text.slice(o.start, o.end), text))) chosen.push(quote);
  }

  // A quote's score is its sentence's (a joined quote's, its best sentence's).
  const citations = chosen.map((c, i) => ({ ...toCitation(c.article, c.start, c.end, c.score), n: i + 1 }));
  const text = citations.map((c) => `${c.quote} [${c.n}]`).join(' ');
  return {
    question: questionText,
    found: true,
    text,
    citations,
    retrieval,
    ...explain(
      { kind: 'answered', quotes: citations.length, best: round4(best.score), floor: round4(floor) },
      listed(chosen),
    ),
  };
}

function explanationOf(
  question: ReturnType<typeof analyzeQuestion>,
  retrieved: Retrieved,
  sentences: ExplainedSentence[],
  decision: Decision,
): Explanation {
  return {
    question: {
      searched: question.text,
      terms: question.terms,
      answerType: question.answerType,
      asksAbout: question.asksAbout,
    },
    passages: retrieved.hits.map((h) => ({
      file: h.article.file,
      title: h.article.title,
      paragraphs: [h.passage.paragraphStart, h.passage.paragraphEnd],
      lexical: h.lexical,
      dense: h.dense,
    })),
    sentences,
    decision,
  };
}

/** A scored sentence as an explanation lists it; `quoted` are the chosen quotes (one may span several sentences). */
function explainedSentence(
  c: Scored,
  weights: Record<string, number>,
  { surprise, meaning }: { surprise: number; meaning: number | null },
  evidence: Evidence,
  quoted: Scored[],
): ExplainedSentence {
  return {
    file: c.article.file,
    title: c.article.title,
    paragraph: paragraphAt(c.article, c.start),
    text: c.article.text.slice(c.start, c.end),
    score: round4(c.score),
    // The signals that count in this mode (without the model, not its own).
    signals: Object.fromEntries(Object.entries(c.signals).flatMap(([k, v]) => (weights[k] ? [[k, round4(v)]] : []))),
    surprise: Number.isFinite(surprise) ? round4(surprise) : null,
    meaning: meaning === null ? null : round4(meaning),
    evidence,
    quoted: quoted.some((q) => q.article.id === c.article.id && q.start <= c.start && c.end <= q.end),
  };
}

const round4 = (x: number): number => Number(x.toFixed(4));

function toCitation(article: IndexedArticle, start: number, end: number, score: number): Citation {
  return {
    n: 1,
    article: {
      id: article.id,
      title: article.title,
      date: article.date,
      source: article.source,
      file: article.file,
      author: article.author,
      url: article.url,
    },
    paragraph: paragraphAt(article, start),
    quote: article.text.slice(start, end),
    start,
    end,
    located: 'text',
    score: round4(score),
  };
}

/**
 * The articles a question about an article itself may mean: those retrieved, then those its words
 * name by their metadata (a byline question's words may be in no passage: "Who wrote the Reuters story?").
 */
function articlesAskedAbout(naming: string[], retrieved: Retrieved, collection: Collection): IndexedArticle[] {
  const articles = new Map(retrieved.hits.map((h) => [h.article.id, h.article]));
  for (const article of collection.namedArticles(naming))
    if (!articles.has(article.id)) articles.set(article.id, article);
  return [...articles.values()];
}

/** The sentences of the retrieved passages and their articles' first sentences, each once. */
function sentencesOf(retrieved: Retrieved, wanted: Set<string>): Candidate[] {
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

function paragraphAt(article: IndexedArticle, offset: number): number {
  const paragraph = article.paragraphs.find((p) => offset >= p.start && offset < p.end);
  return paragraph?.n ?? 1;
}

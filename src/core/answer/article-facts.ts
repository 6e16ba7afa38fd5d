// Questions about an article itself (who wrote or edited it, when, where it first appeared), answered by its own
// credit line: the byline, the date line, the "originally appeared on" line.
import type { AnalyzedQuestion, ArticleFact } from '../question/analyze.js';
import type { Retrieved } from '../retrieval/retrieve.js';
import { OPENING_SENTENCES } from '../text/sentences.js';
import { contentTerms } from '../text/words.js';
import type { Citation, Credit, IndexedArticle } from '../types.js';
import { metadataWords } from '../text/article-words.js';
import { creditCitation } from './cite.js';
import type { Collection } from './collection.js';

// Which credit lines answer which question about an article, best first.
const FACT_CREDITS: Record<ArticleFact, { kind: Credit['kind']; holds?: RegExp }[]> = {
  author: [{ kind: 'byline' }, { kind: 'reporting', holds: /\b(?:report|writ)/i }],
  editor: [{ kind: 'reporting', holds: /\bedit/i }],
  date: [{ kind: 'date' }],
  source: [{ kind: 'source' }],
};

/**
 * The credit line that answers a question about an article itself ("Who edited the Reuters
 * story?"), or null. The article is the one the question's other words name: every one of them is
 * in it, and one at least in its title, byline, source, date or opening sentences; with no other
 * words, the only article.
 */
export function articleFact(
  fact: ArticleFact,
  naming: string[],
  articles: IndexedArticle[],
  soleArticle: () => IndexedArticle | null,
): { article: IndexedArticle; credit: Credit } | null {
  const named = naming.length
    ? articles.find((a) => {
        const lead = a.lead.slice(0, OPENING_SENTENCES);
        const opening = lead.length ? a.text.slice(lead[0]!.start, lead.at(-1)!.end) : '';
        const about = new Set([...contentTerms(metadataWords(a)), ...contentTerms(opening)]);
        const anywhere = new Set([...about, ...contentTerms(a.text)]);
        return naming.every((t) => anywhere.has(t)) && naming.some((t) => about.has(t));
      })
    : soleArticle();
  if (!named) return null;
  for (const { kind, holds } of FACT_CREDITS[fact]) {
    const credit = named.credits.find((c) => c.kind === kind && (!holds || holds.test(c.text)));
    if (credit) return { article: named, credit };
  }
  return null;
}

/**
 * Answer stage: a question about the article itself ("Who wrote the Reuters story?") answered by the credit line
 * of the article it names, among those retrieved and those its words name by their metadata; null otherwise.
 */
export function creditAnswer(
  question: AnalyzedQuestion,
  retrieved: Retrieved,
  collection: Collection,
): { citation: Citation; fact: ArticleFact; line: Credit['kind'] } | null {
  if (!question.asksAbout) return null;
  const found = articleFact(
    question.asksAbout,
    question.naming,
    articlesAskedAbout(question.naming, retrieved, collection),
    collection.soleArticle,
  );
  return (
    found && {
      citation: creditCitation(found.article, found.credit),
      fact: question.asksAbout,
      line: found.credit.kind,
    }
  );
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

// What a question asks: its terms, the kind of answer its wh-word wants, whether it asks about the article itself.
import { NUMBER_WORDS, contentTerms, words } from '../text/words.js';

/** What kind of thing the question asks for, when its wording says: "when…" wants a date. */
export type AnswerType = 'date' | 'number' | 'person' | 'place';

/** What a question about the article itself asks: who wrote it, who edited it, when or where it appeared. */
export type ArticleFact = 'author' | 'editor' | 'date' | 'source';

/** A question as answer selection reads it. */
export interface AnalyzedQuestion {
  text: string;
  /** Porter-stemmed content words, each once. */
  terms: string[];
  answerType: AnswerType | null;
  /** It asks for a count or an amount ("how many", "what percentage"): no sentence without one answers it. */
  asksCount: boolean;
  /** Set when the question asks about the article rather than its subject. */
  asksAbout: ArticleFact | null;
  /** The terms left when the words that ask for that fact are taken out: what names the article. */
  naming: string[];
}

// The wh-words that name what an answer must hold, as question-answering systems have long used
// them (TREC QA's answer types): a date, a quantity, a place, a person. Each gains hit@1 on two dev
// sets or more; a "definition" type did not (docs/decisions/answer-types.md).
const DATE_QUESTION =
  /^(?:when|since when|until when)\b|\b(?:what|which|in what|in which) (?:year|date|month|day|century|decade)\b/i;
const NUMBER_QUESTION =
  /^how (?:many|much|big|long|far|large|tall|old|high|deep|fast|often|wide|heavy)\b|\b(?:what|which) (?:percentage|percent|number|amount|population|size|share)\b/i;
const PERSON_QUESTION = /^(?:who|whom|whose)\b/i;
// Of the number questions, those no sentence answers without a number: "how long" or "how often"
// may be answered in words ("since the war", "every spring"), "how many" not (docs/decisions/count-questions.md).
const COUNT_QUESTION = /^how (?:many|much)\b|\b(?:what|which) (?:percentage|percent|number|amount|share)\b/i;
const PLACE_QUESTION = /^(?:where)\b|\b(?:what|which) (?:country|city|state|county|town|place|region|continent)\b/i;

// Questions about the article itself, and the words that ask them (which do not name the article).
// Stems do not join "editor" to "Editing", nor "wrote" to "Reporting", so these are matched as words.
const ARTICLE_FACTS: { fact: ArticleFact; asks: RegExp }[] = [
  { fact: 'editor', asks: /\b(?:edit(?:ed|or|ors|ing)?)\b/i },
  {
    fact: 'author',
    asks: /\bwho\s+(?:wrote|writes|has written|authored|reported|penned|filed)\b|\b(?:authors?|writers?|reporters?|byline|journalists?|correspondents?)\b|\bwho\s+(?:is|was)\s+(?:it|this|that)\s+by\b|\bwritten\s+by\b/i,
  },
  {
    fact: 'source',
    asks: /\b(?:originally|first)\s+(?:appear\w*|publish\w*|run|ran|print\w*)|\bpublish(?:er|ed\s+by|es)\b|\bwho\s+(?:first\s+|originally\s+)?(?:published|ran|carried)\b|\b(?:which|what)\s+(?:\w+\s+)?(?:outlet|publication|paper|newspaper|site|agency|wire|magazine)\b|\bwhere\s+(?:was|did)\b.*\b(?:publish\w*|appear\w*)/i,
  },
  {
    fact: 'date',
    asks: /\b(?:when|what\s+(?:date|day|year))\b.*\b(?:publish\w*|posted|written|wrote|released|come\s+out|came\s+out|appear\w*|dated)\b|\bpublication\s+date\b|\bdated?\b.*\b(?:article|story|piece|report)\b/i,
  },
];
const REFERS_TO_TEXT = /\b(?:article|story|stories|piece|report|column|post|text|this|it)\b/i;
// The words of those questions, which are not about any article's subject.
const ASKING_WORDS =
  /\b(?:who|when|where|what|which|date|day|year|edit\w*|wrote|writes|written|write|authored|authors?|writers?|reporters?|reported|reporting|penned|filed|byline|journalists?|correspondents?|originally|first|appear\w*|publish\w*|posted|released|ran|run|carried|print\w*|outlet|publication|paper|newspaper|site|agency|wire|magazine|come|came|out|dated|by)\b/gi;

export function analyzeQuestion(text: string): AnalyzedQuestion {
  const answerType: AnswerType | null = DATE_QUESTION.test(text)
    ? 'date'
    : NUMBER_QUESTION.test(text)
      ? 'number'
      : PLACE_QUESTION.test(text)
        ? 'place'
        : PERSON_QUESTION.test(text)
          ? 'person'
          : null;
  const terms = [...new Set(contentTerms(text))];
  // "Who edited the Reuters story?" asks about an article; "Who was the editor of Vogue?" does
  // not. The article must still be found by the rest of its words (see answer.ts).
  const fact = ARTICLE_FACTS.find((f) => f.asks.test(text))?.fact ?? null;
  const naming = fact ? [...new Set(contentTerms(text.replace(ASKING_WORDS, ' ')))] : terms;
  // "When was the album published?" asks about an album, "When was the story published?" about
  // the text: the question must point at the text, or have no other words ("Who is the editor?").
  const asksAbout = fact && (REFERS_TO_TEXT.test(text) || naming.length === 0) ? fact : null;
  return {
    text,
    terms,
    answerType,
    asksCount: COUNT_QUESTION.test(text),
    asksAbout,
    naming: asksAbout ? naming : terms,
  };
}

const MONTH =
  '(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|' +
  'Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\\.?';
const DATE = new RegExp(
  `\\b(?:1\\d{3}|20\\d{2})s?\\b|\\b${MONTH}\\s+\\d{1,2}\\b|\\b\\d{1,2}\\s+${MONTH}|` +
    '\\b(?:yesterday|today|tomorrow|(?:last|this|next) (?:week|month|year)|' +
    '(?:mon|tues|wednes|thurs|fri|satur|sun)day)\\b',
  'i',
);
const QUANTITY_WORD = /\b(?:hundreds?|thousands?|millions?|billions?|trillions?|dozens?|half|twice|percent)\b/i;
const NUMBER = /\d[\d,.]*/g;
// Numbers written in words ("three colours"): two to twenty and the tens; not "zero", nor "one",
// which is as often a pronoun.
const COUNTING_WORDS = new Set([
  ...NUMBER_WORDS.slice(2),
  ...['thirty', 'forty', 'fifty', 'sixty', 'seventy', 'eighty', 'ninety'],
]);
const CAPITALIZED = /\p{Lu}[\p{Ll}'’]+(?:\s+\p{Lu}[\p{Ll}.'’]*)*/gu;
const PLACE =
  /\b(?:in|at|near|from|of|on)\s+(?:the\s+)?\p{Lu}\p{Ll}+|\b(?:located|situated|lies|borders?|bordered|north|south|east|west|northern|southern|eastern|western|coast|island|region|county|province|state|city|river|mountains?)\b/u;

/**
 * Whether a sentence holds something of the type the question asks for that the question does not
 * already name: a date for "when", a number for "how many", a name for "who".
 */
export function holdsAnswerType(type: AnswerType, sentence: string, question: string): boolean {
  const asked = question.toLowerCase();
  if (type === 'date') return DATE.test(sentence);
  if (type === 'place') return PLACE.test(sentence);
  if (type === 'number')
    return (sentence.match(NUMBER) ?? []).some((n) => !asked.includes(n)) || QUANTITY_WORD.test(sentence);
  // A capitalized word that opens the sentence may be any word; later ones, not in the question, are names.
  return [...sentence.matchAll(CAPITALIZED)].some(
    (m) => m.index > 0 && !asked.includes(m[0].split(/\s+/)[0]!.toLowerCase()),
  );
}

/**
 * Whether a sentence gives a count or an amount: a number the question does not already name, in
 * digits or in words, or a quantity word ("thousands", "half").
 */
export function holdsQuantity(sentence: string, question: string): boolean {
  return holdsAnswerType('number', sentence, question) || words(sentence).some((w) => COUNTING_WORDS.has(w));
}

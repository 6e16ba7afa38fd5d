// Words, stems and stop words for lexical retrieval and answer selection, and the question as the articles spell it.
import { stemmer } from 'stemmer';

const STOP_WORDS = new Set(
  (
    'a an and are as at be been but by can could did do does for from had has have he her hers him his how i if in ' +
    'into is it its me my no not of on or our she so than that the their them then there these they this those to ' +
    'too us was we were what when where which who whom whose why will with would you your about after before up ' +
    'down out over under again any all also just ' +
    'should shall may might must here some such only own same very s t don tell say said says please know ' +
    // Words about the text itself, not its subject ("Who reported this story?").
    'story stories article articles piece text news'
  ).split(' '),
);

// Zero-width and direction marks change nothing a reader sees, but split words for a machine.
const INVISIBLE = /[\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]/g;

/** A question as the pipeline reads it: Unicode-normalized, invisible characters removed, spaces collapsed. */
export function normalizeQuestion(text: string): string {
  return text.normalize('NFKC').replace(INVISIBLE, '').replace(/\s+/g, ' ').trim();
}

/**
 * Lower-case words (runs of letters and digits), Unicode-normalized and without diacritics, as
 * SQLite's FTS5 tokenizer indexes them (remove_diacritics): "Pérez" is the word "perez".
 */
export function words(text: string): string[] {
  // Most text is ASCII, which normalization leaves as it is: the same words, several times faster.
  if (ASCII.test(text)) return text.toLowerCase().match(/[a-z0-9]+/g) ?? [];
  return (
    normalizeQuestion(text)
      .normalize('NFKD')
      .replace(/\p{M}+/gu, '')
      .toLowerCase()
      .match(/[\p{L}\p{N}]+/gu) ?? []
  );
}

// eslint-disable-next-line no-control-regex -- every ASCII character, control characters included.
const ASCII = /^[\x00-\x7f]*$/;

/** Stems are asked for the same few thousand words again and again; this many are remembered. */
const STEM_CACHE = 50_000;
const stems = new Map<string, string>();

/** A word's Porter stem (as FTS5's `porter` tokenizer indexes it), remembered. */
export function stem(word: string): string {
  let stemmed = stems.get(word);
  if (stemmed === undefined) {
    stemmed = stemmer(word);
    if (stems.size >= STEM_CACHE) stems.clear();
    stems.set(word, stemmed);
  }
  return stemmed;
}

/** Lower-case words, stop words removed (FTS5 stems them itself). */
export function contentWords(text: string): string[] {
  return words(text).filter((w) => !STOP_WORDS.has(w));
}

/** Porter-stemmed content words: the same stems SQLite's FTS5 `porter` tokenizer indexes. */
export function contentTerms(text: string): string[] {
  return contentWords(text).map(stem);
}

/** The work of reading a question's other spellings: candidate strings built and terms looked up. */
export interface SpellingWork {
  strings: number;
  lookups: number;
}

// A question may be any length (the CLI takes what it is given): what it costs is bounded by the words it is read
// by and by the edits tried for them. The most any dev-set question needs: 19 distinct words, 1,504 candidate strings,
// 1,511 term lookups.
// Distinct words a question is read by: on 233 speeches (lexical) 64 words cost about 170 ms, 20 words 40 ms.
export const MAX_QUESTION_WORDS = 64;
// Candidate strings built per question: 3 respellings tried at MAX_RESPELLED letters, 13 at MIN_RESPELLED.
export const MAX_SPELLING_STRINGS = 8_000;
// Terms looked up per question (one per edit of a stem): all of them in SQLite took about 60 ms.
export const MAX_SPELLING_LOOKUPS = 4_000;

/**
 * The question up to its MAX_QUESTION_WORDS-th distinct word (as `words` reads them): what it is searched and answered
 * by, so that its cost to search and answer is that of a question of MAX_QUESTION_WORDS words at most.
 */
export function boundedQuestion(question: string): string {
  const seen = new Set<string>();
  for (const m of question.matchAll(/[\p{L}\p{N}\p{M}]+/gu)) {
    for (const w of words(m[0])) seen.add(w);
    if (seen.size > MAX_QUESTION_WORDS) return question.slice(0, m.index).trimEnd();
  }
  return question;
}

/**
 * The question with the other spellings of its words that the articles use, so that search and
 * answer both find them:
 * - a compound it writes apart that the articles write as one word: "never ending" for
 *   "NeverEnding", "run away" for "runaway". Each two neighbouring content words of at least 3
 *   letters whose joined form the collection holds. Stop words and short words are left out of
 *   the pairs: "who sings" is no "whosings", nor "Apple's" "apples";
 * - a number from 0 to 20 written in digits or in words, the other way: "article 5" for "Article
 *   Five", "three phases" for "3 phases". A number in digits only when it stands alone ("1.5 V",
 *   "11/2/10" are not numbers to spell out), and "one" not, as it is also a pronoun ("how does one
 *   get…");
 * - a word the articles lack is replaced by the one word they likely mean (see respelling):
 *   "harbor" for "harbour", "Armstrong" for "Armstrung".
 * `isTerm` says whether the collection holds a stemmed term. Each was measured to raise hit@3 or hit@1 on a dev set
 * (docs/decisions/question-compounds.md, question-numbers.md, respelling.md). Only the first MAX_QUESTION_WORDS
 * distinct words and pairs are read, within MAX_SPELLING_STRINGS and MAX_SPELLING_LOOKUPS: `work` adds up what it cost.
 */
export function withSpellings(
  question: string,
  isTerm: (term: string) => boolean,
  work: SpellingWork = { strings: 0, lookups: 0 },
): string {
  const lookup = (term: string): boolean => {
    work.lookups++;
    return isTerm(term);
  };
  const all = words(question);
  const compounds = all.slice(1).flatMap((second, i) => {
    const first = all[i]!;
    const parts = first.length >= 3 && second.length >= 3 && !STOP_WORDS.has(first) && !STOP_WORDS.has(second);
    return parts && /^\p{L}+$/u.test(first + second) ? [first + second] : [];
  });
  const digits = [...question.matchAll(LONE_NUMBER)].map((m) => NUMBER_WORDS[Number(m[1])]!);
  const spelled = all.flatMap((w) => {
    const n = NUMBER_WORDS.indexOf(w);
    return n >= 0 && w !== 'one' ? [String(n)] : [];
  });
  const asked = new Set(all);
  const added = [...new Set([...compounds, ...digits, ...spelled])]
    .slice(0, MAX_QUESTION_WORDS)
    .filter((w) => !asked.has(w) && lookup(stem(w)));
  // A word the articles lack matches nothing: its respelling takes its place, so that it is not
  // counted as a word of the question that no sentence holds.
  let text = question;
  for (const w of [...asked].slice(0, MAX_QUESTION_WORDS)) {
    const better = respelling(w, lookup, work);
    if (better) text = text.replace(new RegExp(`\\b${w}\\b`, 'gi'), better);
  }
  return added.length ? `${text} ${added.join(' ')}` : text;
}

// Shorter words are not respelled: one letter changes them into too many others ("last" into
// "past", which answered an off-topic question) (docs/decisions/respelling.md).
const MIN_RESPELLED = 5;
// Longer words are not respelled: the longest word in 230 years of State of the Union speeches has 20 letters.
const MAX_RESPELLED = 24;

/**
 * The word the articles likely mean by `word` when they do not hold it: the only word one edit
 * away (a letter left out, added or changed, or two swapped) whose stem they hold, that stem also
 * one edit from the word's own (so that an edit which only meets another word's stem by Porter's
 * rules, "sales" -> "saies" for "says", does not count). Null when the articles hold the word, or
 * no such word or several, or when trying would go past the question's budget (`work`).
 */
function respelling(word: string, isTerm: (term: string) => boolean, work: SpellingWork): string | null {
  if (word.length < MIN_RESPELLED || word.length > MAX_RESPELLED) return null;
  if (!/^[a-z]+$/.test(word) || STOP_WORDS.has(word)) return null;
  const own = stem(word);
  // Both edit sets at their largest, so that neither budget can be overrun by this word.
  const most = editCount(word.length);
  if (work.strings + 2 * most > MAX_SPELLING_STRINGS || work.lookups + 1 + most > MAX_SPELLING_LOOKUPS) return null;
  if (isTerm(own)) return null;
  // Most words the articles lack have no stem they hold nearby: decided without stemming anything.
  const ownEdits = edits(own);
  work.strings += ownEdits.length;
  const near = new Set(ownEdits.filter(isTerm));
  if (!near.size) return null;
  const wordEdits = edits(word);
  work.strings += wordEdits.length;
  const found = wordEdits.filter((candidate) => near.has(stemmer(candidate)));
  return found.length === 1 ? found[0]! : null;
}

const LETTERS = 'abcdefghijklmnopqrstuvwxyz';

/** The most strings `edits` returns for `n` letters: n deleted, n-1 swapped, 26n changed, 26(n+1) inserted. */
function editCount(n: number): number {
  return 54 * n + 25;
}

/** Every string one edit from `word`: a letter deleted, two neighbours swapped, a letter changed or inserted. */
function edits(word: string): string[] {
  const result = new Set<string>();
  for (let i = 0; i <= word.length; i++) {
    const [head, tail] = [word.slice(0, i), word.slice(i)];
    if (tail) result.add(head + tail.slice(1));
    if (tail.length > 1) result.add(head + tail[1] + tail[0] + tail.slice(2));
    for (const letter of LETTERS) {
      if (tail) result.add(head + letter + tail.slice(1));
      result.add(head + letter + tail);
    }
  }
  result.delete(word);
  return [...result];
}

/** 0 to 20 in words, by value. */
export const NUMBER_WORDS = (
  'zero one two three four five six seven eight nine ten ' +
  'eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen twenty'
).split(' ');
// 0 to 20 in digits, not part of a longer number, a decimal, a date or a fraction.
const LONE_NUMBER = /(?<![\p{L}\p{N}.,/:-])(1?[0-9]|20)(?![\p{L}\p{N}]|[.,/:-]\p{N})/gu;

export function collapseWhitespace(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/**
 * Cuts text to at most `max` characters at a word boundary and marks the cut with "…": what
 * remains is still a verbatim prefix of the original.
 */
export function shorten(text: string, max: number): string {
  if (text.length <= max) return text;
  const room = text.slice(0, Math.max(max - 1, 0));
  const space = room.search(/\s\S*$/);
  const cut = space > max / 2 ? room.slice(0, space) : room;
  return `${cut.trimEnd()}…`;
}

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
 * (docs/decisions/question-compounds.md, question-numbers.md, respelling.md).
 */
export function withSpellings(question: string, isTerm: (term: string) => boolean): string {
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
  const added = [...new Set([...compounds, ...digits, ...spelled])].filter((w) => !all.includes(w) && isTerm(stem(w)));
  // A word the articles lack matches nothing: its respelling takes its place, so that it is not
  // counted as a word of the question that no sentence holds.
  let text = question;
  for (const w of new Set(all)) {
    const better = respelling(w, isTerm);
    if (better) text = text.replace(new RegExp(`\\b${w}\\b`, 'gi'), better);
  }
  return added.length ? `${text} ${added.join(' ')}` : text;
}

// Shorter words are not respelled: one letter changes them into too many others ("last" into
// "past", which answered an off-topic question) (docs/decisions/respelling.md).
const MIN_RESPELLED = 5;

/**
 * The word the articles likely mean by `word` when they do not hold it: the only word one edit
 * away (a letter left out, added or changed, or two swapped) whose stem they hold, that stem also
 * one edit from the word's own (so that an edit which only meets another word's stem by Porter's
 * rules, "sales" -> "saies" for "says", does not count). Null when the articles hold the word, or
 * no such word or several.
 */
function respelling(word: string, isTerm: (term: string) => boolean): string | null {
  if (word.length < MIN_RESPELLED || !/^[a-z]+$/.test(word) || STOP_WORDS.has(word)) return null;
  const own = stem(word);
  if (isTerm(own)) return null;
  // Most words the articles lack have no stem they hold nearby: decided without stemming anything.
  const near = new Set(edits(own).filter(isTerm));
  if (!near.size) return null;
  const found = edits(word).filter((candidate) => near.has(stemmer(candidate)));
  return found.length === 1 ? found[0]! : null;
}

const LETTERS = 'abcdefghijklmnopqrstuvwxyz';

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

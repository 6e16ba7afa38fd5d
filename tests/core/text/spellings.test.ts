import { describe, expect, it } from 'vitest';
import {
  MAX_QUESTION_WORDS,
  MAX_SPELLING_LOOKUPS,
  MAX_SPELLING_STRINGS,
  boundedQuestion,
  stem,
  withSpellings,
  words,
  type SpellingWork,
} from '../../../src/core/text/words.js';

/** A collection holding exactly these words. */
const holding =
  (...words: string[]) =>
  (term: string): boolean =>
    words.map(stem).includes(term);

describe('the other spellings a question is searched with', () => {
  it('adds a compound the question writes apart, when the articles hold it', () => {
    expect(withSpellings('Who sings the never ending story?', holding('neverending'))).toBe(
      'Who sings the never ending story? neverending',
    );
    expect(withSpellings('Who sings the never ending story?', holding())).toBe('Who sings the never ending story?');
  });

  it('joins no stop word or short word into a compound', () => {
    expect(withSpellings("Who sings Apple's song?", holding('whosings', 'apples'))).toBe("Who sings Apple's song?");
  });

  it('spells out a number that stands alone, and writes a number word in digits', () => {
    expect(withSpellings('What is article 5 about?', holding('five'))).toBe('What is article 5 about? five');
    expect(withSpellings('What are the three primary colors?', holding('3'))).toBe(
      'What are the three primary colors? 3',
    );
  });

  it('leaves decimals, dates and the pronoun "one" alone', () => {
    const numbers = holding('one', 'two', 'five', 'ten', 'eleven', '1');
    expect(withSpellings('Can a 1.5 V cell last until 11/2/10?', numbers)).toBe('Can a 1.5 V cell last until 11/2/10?');
    expect(withSpellings('How does one get a passport?', numbers)).toBe('How does one get a passport?');
  });

  it('replaces a word the articles lack by the one word one edit away that they hold', () => {
    expect(withSpellings('Who is Armstrung?', holding('armstrong'))).toBe('Who is armstrong?');
    expect(withSpellings('Who owned the harbour?', holding('harbor'))).toBe('Who owned the harbor?');
    expect(withSpellings('Who owned the harbour?', holding('harbour', 'harbor'))).toBe('Who owned the harbour?');
  });

  it('does not respell a short word, nor when two words are as near, nor into a stem Porter merely meets', () => {
    expect(withSpellings('Who won the last cup?', holding('past'))).toBe('Who won the last cup?');
    expect(withSpellings('Which words matter?', holding('works', 'worlds'))).toBe('Which words matter?');
    // "saies" stems to "sai", as "says" does; "sai" is two edits from "sale".
    expect(withSpellings('How did sales go?', holding('says'))).toBe('How did sales go?');
  });
});

describe('the work a question costs', () => {
  /** `holding`, counting the terms it is asked about. */
  const counting = (...held: string[]): { isTerm: (term: string) => boolean; asked: () => number } => {
    const isTerm = holding(...held);
    let asked = 0;
    return { isTerm: (term) => (asked++, isTerm(term)), asked: () => asked };
  };

  it('tries no respelling of a word longer than any to respell, however long', () => {
    const { isTerm, asked } = counting('armstrong');
    const work: SpellingWork = { strings: 0, lookups: 0 };
    const long = 'a'.repeat(10_000);
    expect(withSpellings(`Who is ${long}?`, isTerm, work)).toBe(`Who is ${long}?`);
    expect(work).toEqual({ strings: 0, lookups: 0 });
    expect(asked()).toBe(0);
    // A word of 24 letters one edit from one the articles hold is respelled; one of 25 is not.
    const [w24, w25] = [24, 25].map((n) => `${'b'.repeat(n)}armstrong`.slice(-n));
    const typo = (w: string): string => w.replace('strong', 'strung');
    expect(withSpellings(`Who is ${typo(w24!)}?`, holding(w24!))).toBe(`Who is ${w24}?`);
    expect(withSpellings(`Who is ${typo(w25!)}?`, holding(w25!))).toBe(`Who is ${typo(w25!)}?`);
  });

  it('stops trying respellings when the question has built its strings or looked up its terms', () => {
    const { isTerm, asked } = counting('armstrong');
    const work: SpellingWork = { strings: 0, lookups: 0 };
    // Two hundred words the articles lack, none one edit from a word they hold.
    const missing = Array.from(
      { length: 200 },
      (_, i) => `zq${i.toString(26).replace(/\d/g, (d) => 'klmnopqrst'[+d]!)}x`,
    );
    withSpellings(`${missing.join(' ')} armstrung`, isTerm, work);
    expect(work.strings).toBeLessThanOrEqual(MAX_SPELLING_STRINGS);
    expect(work.lookups).toBeLessThanOrEqual(MAX_SPELLING_LOOKUPS);
    // Spent all but less than one more word's worth.
    expect(work.lookups).toBeGreaterThan(MAX_SPELLING_LOOKUPS - 400);
    expect(asked()).toBe(work.lookups);
    // The first words are still respelled.
    expect(withSpellings(`Who is Armstrung? ${missing.join(' ')}`, isTerm)).toMatch(/^Who is armstrong\?/);
  });

  it('reads a question by its first MAX_QUESTION_WORDS distinct words, however often they repeat', () => {
    const distinct = Array.from({ length: MAX_QUESTION_WORDS + 10 }, (_, i) => `w${i}`);
    const question = `${distinct.slice(0, MAX_QUESTION_WORDS).join(' ')} w0 w1 ${distinct.slice(MAX_QUESTION_WORDS).join(' ')}`;
    const bounded = boundedQuestion(question);
    expect(question.startsWith(bounded)).toBe(true);
    expect(new Set(words(bounded)).size).toBe(MAX_QUESTION_WORDS);
    expect(bounded.endsWith(' w0 w1')).toBe(true);
    expect(boundedQuestion('Who is Jack Ma?')).toBe('Who is Jack Ma?');
    expect(boundedQuestion(`${'why '.repeat(25_000)}`.trim())).toBe(`${'why '.repeat(25_000)}`.trim());
  });
});

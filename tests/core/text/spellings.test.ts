import { describe, expect, it } from 'vitest';
import { stem, withSpellings } from '../../../src/core/text/words.js';

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

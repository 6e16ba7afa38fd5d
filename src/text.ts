// Word-level helpers shared by answer selection (and lexical matching later on).

const STOP_WORDS = new Set(
  ('a an and are as at be been but by can could did do does for from had has have he her hers him his how i if in into is it its ' +
    'me my no not of on or our she so than that the their them then there these they this those to too us was we were what when ' +
    'where which who whom whose why will with would you your about after before up down out over under again any all also just ' +
    'should shall may might must here some such only own same very s t don tell say said says').split(' '),
);

/** Lower-cased words with a light English suffix strip, stop words removed. */
export function contentTerms(text: string): string[] {
  const words = text.normalize('NFKC').toLowerCase().match(/[\p{L}\p{N}]+(?:['’][\p{L}]+)?/gu) ?? [];
  return words.map((w) => w.replace(/['’]s$/, '')).filter((w) => !STOP_WORDS.has(w)).map(stem);
}

function stem(word: string): string {
  if (word.length <= 4) return word;
  return word.replace(/(?:ies|ied)$/, 'y').replace(/(?:ing|ed|es|s)$/, '');
}

export function collapseWhitespace(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

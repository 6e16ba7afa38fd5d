import { describe, expect, it } from 'vitest';
import { gatherCandidates } from '../../../src/core/answer/candidates.js';
import { analyzeQuestion } from '../../../src/core/question/analyze.js';
import { hitOf, indexedArticle, retrievedOf, textOf } from '../../support/answer-fixtures.js';

// The first stage alone: which sentences are worth scoring, read off the retrieved passages and their articles.

const harbor = indexedArticle(
  'harbor',
  [
    'The harbor ferries are run by the city. Ferry crews answer to the port authority. The port was built in 1890.',
    'Ferry crews walked out on Monday over pay. The strike ended at noon.',
  ],
  { title: 'Harbor news' },
);
const river = indexedArticle('river', [
  'River ferries resumed service this week. Tickets cost two dollars.',
  'Crews on the river ferries did not strike.',
]);

describe('gatherCandidates', () => {
  it("takes the retrieved passages' sentences, then their articles' two opening sentences, each once, in retrieval order", () => {
    const question = analyzeQuestion('Why did the harbor ferry crews strike?');
    // The river article's opening passage was retrieved: its opening sentences come with that passage, not again.
    const candidates = gatherCandidates(retrievedOf([hitOf(harbor, 2), hitOf(river, 1)]), question.terms);
    expect(candidates.map((c) => [textOf(c), c.hit?.passage.paragraphStart ?? null, c.position])).toEqual([
      ['Ferry crews walked out on Monday over pay.', 2, 3],
      ['The strike ended at noon.', 2, 4],
      ['River ferries resumed service this week.', 1, 0],
      ['Tickets cost two dollars.', 1, 1],
      // Not retrieved, the harbor article's opening still says what it is about; its third sentence is no opening.
      ['The harbor ferries are run by the city.', null, 0],
      ['Ferry crews answer to the port authority.', null, 1],
    ]);
  });

  it("keeps of a sentence, its surroundings and its article's metadata only the question's terms", () => {
    const question = analyzeQuestion('Why did the harbor ferry crews strike?');
    const candidates = gatherCandidates(retrievedOf([hitOf(harbor, 2)]), question.terms);
    const walkout = candidates.find((c) => textOf(c) === 'Ferry crews walked out on Monday over pay.')!;
    // "walked", "Monday" and "pay" are the sentence's words but not the question's.
    expect(walkout.own).toEqual(new Set(['ferri', 'crew']));
    // Its passage adds "strike", its title "harbor".
    expect(walkout.context).toEqual(new Set(['ferri', 'crew', 'strike', 'harbor']));
    expect(walkout.about).toEqual(new Set(['harbor']));
    // An opening sentence gathered without its passage has the opening as its surroundings: "strike" is further down.
    const opening = candidates.find((c) => textOf(c) === 'The harbor ferries are run by the city.')!;
    expect(opening.own).toEqual(new Set(['harbor', 'ferri']));
    expect(opening.context).toEqual(new Set(['harbor', 'ferri', 'crew']));
  });

  it('scores at most 100 sentences, the best passages first, leaving out what comes after', () => {
    const ledger = indexedArticle('ledger', [
      Array.from({ length: 120 }, (_, i) => `Entry ${i + 1} lists a ferry.`).join(' '),
    ]);
    const candidates = gatherCandidates(retrievedOf([hitOf(ledger, 1), hitOf(river, 2)]), ['ferri']);
    expect(candidates).toHaveLength(100);
    expect(textOf(candidates.at(-1)!)).toBe('Entry 100 lists a ferry.');
    // The second passage and its article's opening found no room.
    expect(candidates.some((c) => c.article.id === 'river')).toBe(false);
  });
});

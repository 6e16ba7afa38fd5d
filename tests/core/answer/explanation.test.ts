import { describe, expect, it } from 'vitest';
import { decisionText, explanationText, type Explanation } from '../../../src/core/answer/explanation.js';

describe('explanations', () => {
  it('say what decided, naming the setting that holds the threshold', () => {
    expect(decisionText({ kind: 'below-threshold', best: 0.281, threshold: 0.3 }, 'MIN_LEXICAL_SCORE')).toBe(
      'not found: the best sentence scored 0.281, below MIN_LEXICAL_SCORE=0.3',
    );
    const noEvidence = decisionText({ kind: 'no-evidence', threshold: 0.2, aboveThreshold: 4 }, 'MIN_SCORE');
    expect(noEvidence).toMatch(/^not found: 4 sentence\(s\) scored at least MIN_SCORE=0.2, but none showed/);
    expect(noEvidence).toContain('MEANING_MARGIN');
    expect(decisionText({ kind: 'answered', quotes: 2, best: 0.9, floor: 0.765 }, 'MIN_SCORE')).toBe(
      'answered with 2 quotes: the best sentence scored 0.900; a further one needed at least 0.765 and evidence of ' +
        "its own, the opening sentence of the best one's article only the threshold and evidence",
    );
    expect(decisionText({ kind: 'article-fact', fact: 'editor', line: 'reporting' }, 'MIN_SCORE')).toBe(
      "the question asks for the article's editor: quoted its reporting line",
    );
    expect(decisionText({ kind: 'not-a-question' }, 'MIN_SCORE')).toMatch(/^not found: .*stop words/);
    expect(decisionText({ kind: 'no-sentences' }, 'MIN_SCORE')).toMatch(/^not found: no passage/);
  });

  it('list each sentence with its signals, its evidence and whether it was quoted', () => {
    const explanation: Explanation = {
      question: { searched: 'Who is Armstrong?', terms: ['armstrong'], answerType: 'person', asksAbout: null },
      passages: [{ file: 'moon.txt', title: 'The Moon', paragraphs: [2, 3], lexical: 4.5678, dense: 0.41 }],
      sentences: [
        {
          file: 'moon.txt',
          title: 'The Moon',
          paragraph: 2,
          text: 'Neil Armstrong walked on the Moon.',
          score: 0.81234,
          signals: { sentence: 1, lead: 0.5 },
          surprise: null,
          meaning: 9.04,
          evidence: 'rare words',
          quoted: true,
        },
        {
          file: 'moon.txt',
          title: 'The Moon',
          paragraph: 3,
          text: 'It was 1969.',
          score: 0.3,
          signals: { sentence: 0, lead: 0 },
          surprise: 1.25,
          meaning: null,
          evidence: null,
          quoted: false,
        },
      ],
      decision: { kind: 'answered', quotes: 1, best: 0.81234, floor: 0.69 },
    };
    const lines = explanationText(explanation, 'MIN_SCORE').split('\n');
    expect(lines[0]).toBe('Question as searched: “Who is Armstrong?” (terms: armstrong; asks for a person)');
    expect(lines).toContain('  1. The Moon, ¶2–3 · 4.57 · 0.410 · moon.txt');
    expect(lines).toContain('  0.812 quoted      “Neil Armstrong walked on the Moon.”');
    expect(lines).toContain(
      '         The Moon, ¶2 · sentence 1.00 · lead 0.50 · surprise ∞ (every word found) · meaning 9.0 sd · evidence: rare words',
    );
    expect(lines).toContain('  0.300 no evidence “It was 1969.”');
    expect(lines).toContain('         The Moon, ¶3 · sentence 0.00 · lead 0.00 · surprise 1.3 · no evidence');
    expect(lines.at(-2)).toMatch(/^Decision: answered with 1 quote: /);
  });

  it('say so when nothing was retrieved or scored', () => {
    const text = explanationText(
      {
        question: { searched: 'the of and', terms: [], answerType: null, asksAbout: null },
        passages: [],
        sentences: [],
        decision: { kind: 'not-a-question' },
      },
      'MIN_LEXICAL_SCORE',
    );
    expect(text.split('\n')).toEqual([
      'Question as searched: “the of and” (terms: none)',
      '',
      'Passages retrieved: none',
      '',
      'Best sentences: none scored',
      '',
      'Decision: not found: the question has no words to search for besides stop words',
      '',
    ]);
  });
});

import { describe, expect, it } from 'vitest';
import { loadSotu } from '../../../scripts/sotu.js';
import { sentenceSpans } from '../../../src/core/text/sentences.js';

describe('sentenceSpans', () => {
  it('returns trimmed sentences with exact offsets and keeps abbreviations inside sentences', () => {
    const text = '  Apple Inc. said so. Mr. Ma went to the U.S. Army base.\n"I hope we can," he said. ';
    const sentences = sentenceSpans(text).map((s) => text.slice(s.start, s.end));
    expect(sentences).toEqual([
      'Apple Inc. said so.',
      'Mr. Ma went to the U.S. Army base.',
      '"I hope we can," he said.',
    ]);
  });

  it('splits a long text with no line breaks in windows exactly as it would whole', () => {
    const speech = loadSotu().find((s) => s.text.length > 30_000 && s.text.length < 40_000)!.text;
    const whole = new Intl.Segmenter('en', { granularity: 'sentence' });
    const starts = new Set<number>();
    for (const { segment, index } of whole.segment(speech))
      starts.add(index + segment.length - segment.trimStart().length);
    const spans = sentenceSpans(speech);
    expect(spans.length).toBeGreaterThan(100);
    for (const span of spans) expect(starts.has(span.start), `offset ${span.start}`).toBe(true);
    expect(spans.at(-1)!.end).toBe(speech.trimEnd().length);
  });
});

describe('sentenceSpans on a sentence longer than its window', () => {
  it('never cuts an emoji in half', () => {
    const text = `${'x'.repeat(7999)}😀${'y'.repeat(100)}`;
    for (const span of sentenceSpans(text)) {
      expect(text.slice(span.start, span.end)).not.toMatch(/[\ud800-\udbff]$/);
      expect(text.slice(span.start, span.end)).not.toMatch(/^[\udc00-\udfff]/);
    }
  });
});

/** A half-open range `[start, end)` of some text. */
export interface Span {
  start: number;
  end: number;
}

const segmenter = new Intl.Segmenter('en', { granularity: 'sentence' });

// ICU breaks after these even though a sentence rarely ends there ("Apple Inc. said", "Mr. Ma").
const ABBREVIATION = /(?:^|[\s(])(?:Mr|Mrs|Ms|Dr|Prof|Sr|Jr|St|Mt|Gen|Gov|Sen|Rep|Col|Capt|Lt|Sgt|Inc|Ltd|Co|Corp|Bros|No|vs|etc|e\.g|i\.e|U\.S|U\.K|[A-Z])\.$/;

/**
 * Sentences of `text[start, end)` as spans with their surrounding white space trimmed, so that
 * `text.slice(span.start, span.end)` is the sentence exactly as written.
 */
export function sentenceSpans(text: string, start = 0, end = text.length): Span[] {
  const spans: Span[] = [];
  for (const { segment, index } of segmenter.segment(text.slice(start, end))) {
    const span = trimSpan(text, start + index, start + index + segment.length);
    if (span.end <= span.start) continue;
    const previous = spans.at(-1);
    if (previous && ABBREVIATION.test(text.slice(previous.start, previous.end))) {
      previous.end = span.end;
    } else {
      spans.push(span);
    }
  }
  return spans;
}

/** Words (runs of non-space) of `text[start, end)` as spans. */
export function wordSpans(text: string, start = 0, end = text.length): Span[] {
  const spans: Span[] = [];
  const re = /\S+/g;
  re.lastIndex = start;
  for (let m = re.exec(text); m && m.index < end; m = re.exec(text)) {
    spans.push({ start: m.index, end: Math.min(m.index + m[0].length, end) });
  }
  return spans;
}

export function trimSpan(text: string, start: number, end: number): Span {
  while (start < end && /\s/.test(text[start]!)) start++;
  while (end > start && /\s/.test(text[end - 1]!)) end--;
  return { start, end };
}

// Sentence and word spans of a text (Intl.Segmenter, with the abbreviations it breaks after wrongly).
import type { Span } from '../types.js';

const segmenter = new Intl.Segmenter('en', { granularity: 'sentence' });

// ICU breaks after these even though a sentence rarely ends there ("Apple Inc. said", "Mr. Ma").
// Initials ("O.S.", "J.F.") and "c." (circa) before a date too.
const ABBREVIATION =
  /(?:^|[\s(])(?:Mr|Mrs|Ms|Dr|Prof|Sr|Jr|Fr|Rev|Hon|St|Mt|Ft|Gen|Gov|Sen|Rep|Pres|Col|Capt|Lt|Maj|Adm|Sgt|Inc|Ltd|Co|Corp|Bros|No|vs|etc|e\.g|i\.e|c|ca|Jan|Feb|Apr|Aug|Sept?|Oct|Nov|Dec|(?:[A-Z]\.)*[A-Z])\.$/;

// ICU's sentence segmenter slows down quadratically on long inputs (a 200k-character speech
// with no line breaks takes seconds), so long text is segmented window by window.
const WINDOW = 8000;

/**
 * Sentences of `text[start, end)` as spans with their surrounding white space trimmed, so that
 * `text.slice(span.start, span.end)` is the sentence exactly as written.
 */
export function sentenceSpans(text: string, start = 0, end = text.length): Span[] {
  const spans: Span[] = [];
  let from = start;
  while (from < end) {
    let to = Math.min(from + WINDOW, end);
    // Never cut between the two halves of a surrogate pair (an emoji, say).
    if (to < end && /[\ud800-\udbff]/.test(text[to - 1]!)) to--;
    const segments = [...segmenter.segment(text.slice(from, to))];
    // The window's last segment may be a sentence cut short: segment it again with what follows,
    // unless it is the only one (a "sentence" longer than the window is cut at the window).
    const complete = to === end || segments.length === 1 ? segments : segments.slice(0, -1);
    for (const { segment, index } of complete) addSentence(text, spans, from + index, from + index + segment.length);
    const last = complete.at(-1)!;
    from += last.index + last.segment.length;
  }
  return spans;
}

function addSentence(text: string, spans: Span[], start: number, end: number): void {
  const span = trimSpan(text, start, end);
  if (span.end <= span.start) return;
  const previous = spans.at(-1);
  if (previous && ABBREVIATION.test(text.slice(previous.start, previous.end))) {
    previous.end = span.end;
  } else {
    spans.push(span);
  }
}

// Sentences whose position in an article counts for answers (1/(1+position) is small beyond them),
// and the characters read to find them: a speech may be one paragraph of 50,000.
const LEAD_WINDOW = 8;
const LEAD_CHARACTERS = 4000;

// An article's opening sentences, which say what it is about ("X is…", "X said on Monday…"): every
// retrieved article's are candidates for an answer, and a question about an article's credits
// finds the article it names by them.
export const OPENING_SENTENCES = 2;

/** A text's first sentences (at most LEAD_WINDOW), as `sentenceSpans` finds them. */
export function leadSentences(text: string): Span[] {
  const end = Math.min(text.length, LEAD_CHARACTERS);
  const lead = sentenceSpans(text, 0, end);
  // The last span may be a sentence the window cut short.
  if (end < text.length) lead.pop();
  return lead.slice(0, LEAD_WINDOW);
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

/** How an index's sentence vectors are named: the sentence's article and start. */
export function sentenceKey(articleId: string, start: number): string {
  return `${articleId}:${start}`;
}

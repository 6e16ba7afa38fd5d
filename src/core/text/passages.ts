// Chunking: an article's cleaned text cut into sentence-aligned passages within a token budget, with exact offsets.
import type { Article, Passage, Span } from '../types.js';
import { sentenceSpans, wordSpans } from './sentences.js';

export interface ChunkOptions {
  /** Budget per passage in tokens (see passageTokenCounter). */
  maxTokens: number;
  /** Sentences repeated at the start of the next passage when a paragraph is split. */
  overlapSentences: number;
}

/** Counts tokens in a text, as a model's tokenizer (or the approximation) does, without special tokens. */
export type TokenCounter = (text: string) => number;

/**
 * A stand-in for a BERT tokenizer when the model is not available, and the size passages are cut
 * to with it (see passageTokenCounter): words and punctuation as BERT's pre-tokenizer splits them,
 * plus a margin for words split into several pieces. It counts a sixth more than BERT's word pieces,
 * the passage size that answered best of those tried (docs/decisions/approximate-token-count.md).
 */
export const approximateTokenCount: TokenCounter = (text) =>
  Math.ceil((text.match(/[\p{L}\p{N}]+|[^\s\p{L}\p{N}]/gu)?.length ?? 0) * 1.25);

/**
 * What passages are sized by when the model's tokenizer is at hand: approximateTokenCount or the
 * model's own count, whichever is more. A collection's passages are then the same whichever model
 * embeds them, and the same as without one (the model's count only shortens a passage it would
 * otherwise read only in part): lexical answers do not change with EMBEDDING_MODEL (nor while the
 * model loads), and hybrid differs from lexical by meaning alone. Raised lexical and hybrid hit@1 for a
 * third more passages to embed (docs/decisions/passage-sizing.md).
 */
export function passageTokenCounter(model: TokenCounter): TokenCounter {
  return (text) => Math.max(approximateTokenCount(text), model(text));
}

// No realistic paragraph averages more characters per token than this.
const MAX_CHARS_PER_TOKEN = 40;

interface Unit extends Span {
  paragraph: number;
  tokens: number;
}

/**
 * Splits an article into passages of at most `maxTokens` tokens. Short paragraphs are packed
 * together whole; a paragraph over the budget is split at sentence boundaries, with
 * `overlapSentences` of context carried into the next passage; a sentence over the budget is
 * split between words. Every character of every paragraph lands in some passage.
 */
export function chunkArticle(article: Article, countTokens: TokenCounter, options: ChunkOptions): Passage[] {
  const { text } = article;
  const budget = options.maxTokens;
  const passages: Passage[] = [];
  const emit = (units: Unit[]): void => {
    const first = units[0]!;
    const last = units.at(-1)!;
    const passageText = text.slice(first.start, last.end);
    passages.push({
      articleId: article.id,
      ordinal: passages.length,
      paragraphStart: first.paragraph,
      paragraphEnd: last.paragraph,
      start: first.start,
      end: last.end,
      text: passageText,
      // Counted whole, as the parts' counts need not add up: approximateTokenCount rounds up per
      // call, and sentences can meet without white space ("said.😀"). A whole counts no more
      // than its parts, so the budget they were packed to still holds.
      tokens: countTokens(passageText),
    });
  };

  let pending: Unit[] = [];
  let pendingTokens = 0;
  const flush = (): void => {
    if (pending.length) emit(pending);
    pending = [];
    pendingTokens = 0;
  };

  for (const paragraph of article.paragraphs) {
    // Far longer than any passage (a speech with no line breaks): split it without tokenizing it
    // whole, which costs seconds for the longest texts.
    const long = paragraph.end - paragraph.start > budget * MAX_CHARS_PER_TOKEN;
    const tokens = long ? Infinity : countTokens(text.slice(paragraph.start, paragraph.end));
    if (tokens <= budget) {
      if (pendingTokens + tokens > budget) flush();
      pending.push({ start: paragraph.start, end: paragraph.end, paragraph: paragraph.n, tokens });
      pendingTokens += tokens;
      continue;
    }
    // A long paragraph becomes passages of its own, so its overlap never mixes paragraphs.
    flush();
    const sentences = sentenceSpans(text, paragraph.start, paragraph.end).flatMap((span) =>
      splitToBudget(text, span, countTokens, budget).map((s) => ({ ...s, paragraph: paragraph.n })),
    );
    let window: Unit[] = [];
    let windowTokens = 0;
    for (const sentence of sentences) {
      if (window.length && windowTokens + sentence.tokens > budget) {
        emit(window);
        // Carry the last sentences over, but never so many that the new sentence cannot fit.
        const carried = window.slice(window.length - Math.min(options.overlapSentences, window.length - 1));
        window = [];
        windowTokens = 0;
        // Nearest first: the passage runs from its first unit to its last, so a carried sentence
        // left out before the new one would still be in its text, uncounted.
        for (const unit of carried.reverse()) {
          if (windowTokens + unit.tokens + sentence.tokens > budget) break;
          window.unshift(unit);
          windowTokens += unit.tokens;
        }
      }
      window.push(sentence);
      windowTokens += sentence.tokens;
    }
    if (window.length) emit(window);
  }
  flush();
  return passages;
}

/** A sentence within budget as is, or cut between words into pieces that are. */
function splitToBudget(
  text: string,
  span: Span,
  countTokens: TokenCounter,
  budget: number,
): Array<Span & { tokens: number }> {
  const tokens = countTokens(text.slice(span.start, span.end));
  if (tokens <= budget) return [{ ...span, tokens }];
  const pieces: Array<Span & { tokens: number }> = [];
  let current: Span | null = null;
  let currentTokens = 0;
  for (const word of wordSpans(text, span.start, span.end)) {
    const wordTokens = countTokens(text.slice(word.start, word.end));
    if (current && currentTokens + wordTokens > budget) {
      pieces.push({ ...current, tokens: currentTokens });
      current = null;
      currentTokens = 0;
    }
    // A single "word" over the budget (a URL, a table row) stays whole: cutting it inside
    // would corrupt it, and the model truncates overlong input anyway.
    current = current ? { start: current.start, end: word.end } : { ...word };
    currentTokens += wordTokens;
  }
  if (current) pieces.push({ ...current, tokens: currentTokens });
  return pieces;
}

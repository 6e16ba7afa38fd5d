// How articles, passages and vectors are stored in the index database's rows, and read back.
import { contentTerms } from '../core/text/words.js';
import type { Credit, IndexedArticle, IndexedSentence, Span } from '../core/types.js';

export interface ArticleRow {
  id: string;
  file: string;
  hash: string;
  title: string;
  date: string | null;
  source: string | null;
  author: string | null;
  url: string | null;
  text: string;
  paragraphs: string;
  lead: string;
  credits: string;
  passages: number;
}

export interface PassageRow {
  id: number;
  article_id: string;
  ordinal: number;
  paragraph_start: number;
  paragraph_end: number;
  start: number;
  end: number;
  tokens: number;
  text: string;
  sentences: string;
}

/** A passage vector from its float32 blob, copied: a view could start at an offset a Float32Array cannot. */
export function passageVector(blob: Buffer): Float32Array {
  return new Float32Array(blob.buffer.slice(blob.byteOffset, blob.byteOffset + blob.byteLength));
}

/**
 * A sentence vector in a quarter of its float32 size: a float32 scale, then one signed byte per
 * dimension (the component over the scale, rounded). For a unit vector the error a cosine takes
 * is about 1e-3, far below what tells sentences apart.
 */
export function encodeSentenceVector(vector: Float32Array): Buffer {
  let max = 0;
  for (const x of vector) max = Math.max(max, Math.abs(x));
  const scale = max / 127 || 1;
  const buffer = Buffer.alloc(4 + vector.length);
  buffer.writeFloatLE(scale, 0);
  for (let i = 0; i < vector.length; i++) buffer.writeInt8(Math.round(vector[i]! / scale), 4 + i);
  return buffer;
}

export function decodeSentenceVector(buffer: Buffer): Float32Array {
  const scale = buffer.readFloatLE(0);
  const vector = new Float32Array(buffer.length - 4);
  for (let i = 0; i < vector.length; i++) vector[i] = buffer.readInt8(4 + i) * scale;
  return vector;
}

export function toArticle(row: ArticleRow): IndexedArticle {
  const spans = JSON.parse(row.paragraphs) as [number, number][];
  return {
    id: row.id,
    file: row.file,
    hash: row.hash,
    title: row.title,
    date: row.date,
    source: row.source,
    author: row.author,
    url: row.url,
    text: row.text,
    paragraphs: spans.map(([start, end], i) => ({ n: i + 1, start, end })),
    credits: JSON.parse(row.credits) as Credit[],
    passages: row.passages,
    lead: decodeSentences(row.lead),
  };
}

// A sentence's terms are stored with it, found once at index time: answering a question then
// stems no word of the passages it reads (docs/decisions/stored-sentence-terms.md).
export function encodeSentences(text: string, spans: Span[]): string {
  return JSON.stringify(spans.map((s) => [s.start, s.end, contentTerms(text.slice(s.start, s.end)).join(' ')]));
}

export function decodeSentences(json: string): IndexedSentence[] {
  return (JSON.parse(json) as [number, number, string][]).map(([start, end, terms]) => ({
    start,
    end,
    terms: terms ? terms.split(' ') : [],
  }));
}

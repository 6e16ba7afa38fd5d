// Pooling token states into vectors: a passage's, and each of its sentences' from the same model run.

/**
 * Where each sentence's tokens lie among its passage's (`passage` with its special tokens, as the
 * model read it), or null for a sentence not found there in order: tokenizers that split on white
 * space first (WordPiece, BPE and SentencePiece alike) give a passage the tokens of its sentences
 * one after another, but one that merges across a boundary ("said.😀"), or truncation, would not.
 */
export function tokenRanges(passage: number[], sentences: number[][]): ([number, number] | null)[] {
  // Position 0 holds the model's first special token.
  let at = 1;
  return sentences.map((ids) => {
    const fits = ids.length > 0 && at + ids.length < passage.length && ids.every((id, i) => passage[at + i] === id);
    if (!fits) return null;
    const range: [number, number] = [at, at + ids.length];
    at += ids.length;
    return range;
  });
}

/**
 * The normalized mean of the token states in `ranges`. A sentence is pooled over its own tokens
 * and the passage's two special tokens, the tokens the model pools when it reads the sentence
 * alone: for a model whose token states do not depend on their neighbours, exactly that vector;
 * for a contextual one, the sentence as read in its passage ("late chunking").
 */
export function meanOf(state: (token: number) => Float32Array, ranges: [number, number][]): Float32Array {
  const width = state(0).length;
  const sum = new Float64Array(width);
  let count = 0;
  for (const [from, to] of ranges) {
    for (let t = from; t < to; t++) {
      const s = state(t);
      for (let k = 0; k < width; k++) sum[k]! += s[k]!;
      count++;
    }
  }
  let norm = 0;
  for (let k = 0; k < width; k++) norm += (sum[k]! / count) ** 2;
  norm = Math.sqrt(norm) || 1;
  return Float32Array.from(sum, (x) => x / count / norm);
}

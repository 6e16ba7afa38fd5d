// BM25 by words without FTS5's per-query scoring: each term's passages with their BM25 share
// ("impact"), computed once at build time from FTS5's own tokens and formula, and summed per question.
import Database from 'better-sqlite3';

export const IMPACTS_SCHEMA = `
-- Each FTS5 term's passages (ids ascending, int32) and their BM25 impacts (float32): see term-impacts.ts.
CREATE TABLE term_impacts (term TEXT PRIMARY KEY, ids BLOB NOT NULL, impacts BLOB NOT NULL) WITHOUT ROWID;
`;

/** FTS5's bm25() constants (fts5_aux.c); column weights as the search passes them. */
const K1 = 1.2;
const B = 0.75;

/** Passage text counts once, the article's title nearly as much ("What did Lincoln say…"). */
export const BM25_WEIGHTS = [1.0, 0.8] as const;

/**
 * Writes term_impacts from the full-text index: for a term t in passage d,
 * idf(t) · f·(k1+1) / (f + k1·(1 − b + b·|d|/avgdl)), with f the column-weighted count of t in d.
 * That is each term's part of FTS5's bm25(passages_fts, 1.0, 0.8), so their sum over a question's
 * words is FTS5's score. Runs in slices of terms (`limit` at a time after `after`); returns the
 * last term written, or null when none is left.
 */
export class ImpactWriter {
  private readonly lengths: Map<number, number>;
  private readonly rows: number;
  private readonly averageLength: number;
  private readonly terms: Database.Statement;
  private readonly instances: Database.Statement;
  private readonly insert: Database.Statement;

  constructor(private readonly db: Database.Database) {
    db.exec(`CREATE VIRTUAL TABLE IF NOT EXISTS temp.fts_rows USING fts5vocab(main, passages_fts, 'row')`);
    db.exec(`CREATE VIRTUAL TABLE IF NOT EXISTS temp.fts_instances USING fts5vocab(main, passages_fts, 'instance')`);
    // FTS5 keeps each passage's token count per column; |d| is their sum, as bm25() takes it.
    this.lengths = new Map();
    let total = 0;
    for (const [id, sizes] of db.prepare('SELECT id, sz FROM passages_fts_docsize').raw().iterate() as Iterable<
      [number, Buffer]
    >) {
      const length = sumVarints(sizes);
      this.lengths.set(id, length);
      total += length;
    }
    this.rows = this.lengths.size;
    this.averageLength = this.rows ? total / this.rows : 1;
    this.terms = db.prepare('SELECT term, doc FROM temp.fts_rows WHERE term > ? ORDER BY term LIMIT ?').raw();
    this.instances = db.prepare('SELECT doc, col FROM temp.fts_instances WHERE term = ?').raw();
    this.insert = db.prepare('INSERT INTO term_impacts (term, ids, impacts) VALUES (?, ?, ?)');
  }

  writeAfter(after: string, limit: number): string | null {
    const batch = this.terms.all(after, limit) as [string, number][];
    if (!batch.length) return null;
    this.db.transaction(() => {
      for (const [term, hits] of batch) this.writeTerm(term, hits);
    })();
    return batch[batch.length - 1]![0];
  }

  private writeTerm(term: string, hits: number): void {
    // FTS5's idf, floor included: a term in more than half the passages still counts a little.
    const idf = Math.max(Math.log((this.rows - hits + 0.5) / (hits + 0.5)), 1e-6);
    const frequency = new Map<number, number>();
    for (const [doc, column] of this.instances.iterate(term) as Iterable<[number, string]>) {
      frequency.set(doc, (frequency.get(doc) ?? 0) + (column === 'title' ? BM25_WEIGHTS[1] : BM25_WEIGHTS[0]));
    }
    const ids = Int32Array.from([...frequency.keys()].sort((a, b) => a - b));
    const impacts = new Float32Array(ids.length);
    ids.forEach((id, i) => {
      const f = frequency.get(id)!;
      const length = this.lengths.get(id) ?? this.averageLength;
      impacts[i] = (idf * (f * (K1 + 1))) / (f + K1 * (1 - B + (B * length) / this.averageLength));
    });
    this.insert.run(term, Buffer.from(ids.buffer), Buffer.from(impacts.buffer));
  }
}

/** The sum of the SQLite varints in a blob (FTS5's per-column token counts of one row). */
function sumVarints(bytes: Buffer): number {
  let sum = 0;
  let value = 0;
  for (const byte of bytes) {
    value = value * 128 + (byte & 0x7f);
    if (!(byte & 0x80)) {
      sum += value;
      value = 0;
    }
  }
  return sum;
}

/** Caps how many words' tokens are remembered: questions reuse words, but a bot runs for months. */
const TOKEN_CACHE = 10_000;

/**
 * Top passages by BM25 for a question's words, from term_impacts: the words are tokenized by the
 * same FTS5 tokenizer as the passages, each token's impacts are added up, and the best k kept.
 */
export class ImpactSearch {
  private readonly tokenizer = new Database(':memory:');
  private readonly tokenCache = new Map<string, string[]>();
  private readonly read: Database.Statement;
  private readonly tokenizeInsert: Database.Statement;
  private readonly tokenizeRead: Database.Statement;
  private readonly tokenizeClear: Database.Statement;
  private readonly tokenizeMany: (words: string[]) => void;
  private scores = new Float64Array(0);

  constructor(db: Database.Database, tokenize: string) {
    this.read = db
      .prepare('SELECT term, ids, impacts FROM term_impacts WHERE term IN (SELECT value FROM json_each(?))')
      .raw();
    this.tokenizer.exec(`CREATE VIRTUAL TABLE words USING fts5(word, tokenize = '${tokenize}')`);
    this.tokenizer.exec(`CREATE VIRTUAL TABLE word_tokens USING fts5vocab(words, 'instance')`);
    this.tokenizeInsert = this.tokenizer.prepare('INSERT INTO words (rowid, word) VALUES (?, ?)');
    this.tokenizeRead = this.tokenizer.prepare('SELECT doc, term FROM word_tokens ORDER BY doc, offset').raw();
    this.tokenizeMany = this.tokenizer.transaction((words: string[]) =>
      words.forEach((w, i) => this.tokenizeInsert.run(i, w)),
    );
    this.tokenizeClear = this.tokenizer.prepare('DELETE FROM words');
  }

  /**
   * The k best passages for `words` (each a separate term, as FTS5 ORs quoted words), best first,
   * ties by id; only passages `allowed` admits when it is given.
   */
  search(words: string[], k: number, allowed?: (id: number) => boolean): { id: number; score: number }[] {
    const touched: number[] = [];
    // A word FTS5 splits in several tokens is a phrase there; it matches as its first token here.
    // Two words with the same token count twice, as two phrases do in FTS5's bm25().
    const terms = this.tokens([...new Set(words)]).flatMap((tokens) => tokens.slice(0, 1));
    if (!terms.length) return [];
    const rows = new Map(
      (this.read.all(JSON.stringify([...new Set(terms)])) as [string, Buffer, Buffer][]).map(([term, ...row]) => [
        term,
        row,
      ]),
    );
    // Summed in the words' order: float sums depend on their order.
    for (const term of terms) {
      const row = rows.get(term);
      if (!row) continue;
      const ids = int32View(row[0]);
      const impacts = float32View(row[1]);
      const last = ids[ids.length - 1] ?? 0;
      if (last >= this.scores.length) this.grow(last + 1);
      for (let i = 0; i < ids.length; i++) {
        const id = ids[i]!;
        if (allowed && !allowed(id)) continue;
        if (this.scores[id] === 0) touched.push(id);
        this.scores[id]! += impacts[i]!;
      }
    }
    const best = topK(touched, this.scores, k);
    for (const id of touched) this.scores[id] = 0;
    return best;
  }

  close(): void {
    this.tokenizer.close();
  }

  private grow(size: number): void {
    const scores = new Float64Array(Math.max(size, this.scores.length * 2));
    scores.set(this.scores);
    this.scores = scores;
  }

  /** Each word's FTS5 tokens (case folded, diacritics removed, Porter-stemmed), cached; the new ones read at once. */
  private tokens(words: string[]): string[][] {
    const fresh = words.filter((w) => !this.tokenCache.has(w));
    if (fresh.length) {
      this.tokenizeMany(fresh);
      const found = fresh.map((): string[] => []);
      for (const [doc, term] of this.tokenizeRead.all() as [number, string][]) found[doc]!.push(term);
      this.tokenizeClear.run();
      if (this.tokenCache.size + fresh.length > TOKEN_CACHE) this.tokenCache.clear();
      fresh.forEach((w, i) => this.tokenCache.set(w, found[i]!));
    }
    return words.map((w) => this.tokenCache.get(w)!);
  }
}

/** The k highest-scoring ids, best first, ties by lower id (a bounded min-heap: touched can be many). */
function topK(ids: number[], scores: Float64Array, k: number): { id: number; score: number }[] {
  const heap: number[] = [];
  // Worse = lower score, or the same score and a higher id.
  const worse = (a: number, b: number): boolean => scores[a]! < scores[b]! || (scores[a] === scores[b] && a > b);
  const down = (i: number): void => {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < heap.length && worse(heap[l]!, heap[m]!)) m = l;
      if (r < heap.length && worse(heap[r]!, heap[m]!)) m = r;
      if (m === i) return;
      [heap[i], heap[m]] = [heap[m]!, heap[i]!];
      i = m;
    }
  };
  for (const id of ids) {
    if (heap.length < k) {
      heap.push(id);
      for (let i = heap.length - 1; i > 0;) {
        const parent = (i - 1) >> 1;
        if (!worse(heap[i]!, heap[parent]!)) break;
        [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
        i = parent;
      }
    } else if (k > 0 && worse(heap[0]!, id)) {
      heap[0] = id;
      down(0);
    }
  }
  return heap.sort((a, b) => (worse(a, b) ? 1 : worse(b, a) ? -1 : 0)).map((id) => ({ id, score: scores[id]! }));
}

/** Typed views need aligned offsets; SQLite's blobs come in Buffers from a shared pool. */
function int32View(bytes: Buffer): Int32Array {
  return bytes.byteOffset % 4 === 0
    ? new Int32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4)
    : new Int32Array(Uint8Array.from(bytes).buffer);
}

function float32View(bytes: Buffer): Float32Array {
  return bytes.byteOffset % 4 === 0
    ? new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4)
    : new Float32Array(Uint8Array.from(bytes).buffer);
}

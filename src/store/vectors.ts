// Passage vectors: the HNSW graph (hnswlib-node), exact dot products, and the collection's mean vector.
import hnswlib from 'hnswlib-node';
import { syncFile } from './durable.js';

const { HierarchicalNSW } = hnswlib;

export interface VectorHit {
  label: number;
  /** Cosine similarity (vectors are normalized, the space is inner product). */
  score: number;
}

export interface VectorIndexParams {
  dims: number;
  m: number;
  efConstruction: number;
}

/**
 * HNSW's query-time candidate list (efSearch) for a graph of `size` vectors, when HNSW_EF_SEARCH
 * does not set one: the shortest measured to give recall@10 of 0.99 against exact search, as a
 * larger graph needs a longer list. Measured with `npm run bench -- --synthetic N` (semantic
 * proxy, m 16 unless said), recall@10 and search p50: 25 k 0.988 at 128, 0.9905 at 144, 0.991 at
 * 160 (1.1 ms), 0.993 at 192 (1.45 ms), 0.998 at 256 (1.7 ms); 50 k 0.987 at 128, 0.990 at 144,
 * 0.993 at 160 (1.3 ms), 0.997 at 192 (1.4 ms); 100 k 0.975 at 128, 0.997 at
 * 256 (1.5 ms); 300 k 0.947 at 256 (1.9 ms), 0.984 at 512 (3.2 ms), with m 32 0.993 at 512
 * (2.7 ms); 1 M with m 32 0.847 at 256 (2.6 ms), 0.921 at 512 (4.5 ms). 160, not 192, up to 50 k: in
 * an answer, right after the question's embedding has left the CPU's caches cold, the search took
 * 1.3–1.4 ms at 192 and 0.9 ms at 160 (233 speeches, MiniLM-shaped model, q8).
 */
export function searchBreadth(size: number): number {
  if (size <= 50_000) return 160;
  return size <= 100_000 ? 256 : 512;
}

/** The HNSW graph over passage vectors; labels are passage ids. */
export class VectorIndex {
  private constructor(
    private readonly hnsw: InstanceType<typeof HierarchicalNSW>,
    readonly dims: number,
  ) {}

  static create(params: VectorIndexParams, capacity: number): VectorIndex {
    const hnsw = new HierarchicalNSW('ip', params.dims);
    // A fixed seed makes a rebuild from the same vectors give the same graph.
    hnsw.initIndex({
      maxElements: Math.max(capacity, 1),
      m: params.m,
      efConstruction: params.efConstruction,
      randomSeed: 100,
    });
    return new VectorIndex(hnsw, params.dims);
  }

  static load(file: string, dims: number, capacity: number): VectorIndex {
    const hnsw = new HierarchicalNSW('ip', dims);
    hnsw.readIndexSync(file);
    if (hnsw.getCurrentCount() !== capacity) {
      throw new Error(`${file} holds ${hnsw.getCurrentCount()} vectors but the index lists ${capacity} passages`);
    }
    return new VectorIndex(hnsw, dims);
  }

  get size(): number {
    return this.hnsw.getCurrentCount();
  }

  add(vector: Float32Array, label: number): void {
    this.hnsw.addPoint(Array.from(vector), label);
  }

  save(file: string): void {
    this.hnsw.writeIndexSync(file);
    syncFile(file);
  }

  /** The k nearest, searching `ef` candidates (null: as many as searchBreadth gives for this graph's size). */
  search(vector: Float32Array, k: number, ef: number | null): VectorHit[] {
    const n = Math.min(k, this.size);
    if (n === 0) return [];
    this.hnsw.setEf(Math.max(ef ?? searchBreadth(this.size), n));
    const { neighbors, distances } = this.hnsw.searchKnn(Array.from(vector), n);
    // hnswlib's inner-product "distance" is 1 - dot.
    return neighbors.map((label, i) => ({ label, score: 1 - distances[i]! }));
  }
}

/** The mean of the vectors added, summed in double precision; null before any. */
export class VectorMean {
  private sum: Float64Array | null = null;
  private count = 0;

  add(vector: Float32Array): void {
    this.sum ??= new Float64Array(vector.length);
    for (let i = 0; i < vector.length; i++) this.sum[i]! += vector[i]!;
    this.count++;
  }

  get value(): Float32Array | null {
    return this.sum && Float32Array.from(this.sum, (x) => x / this.count);
  }
}

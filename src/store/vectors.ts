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
 * does not set one: the shortest measured to give recall@10 of 0.99 against exact search up to 100,000 passages,
 * as a larger graph needs a longer list (docs/decisions/hnsw-ef-search.md).
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

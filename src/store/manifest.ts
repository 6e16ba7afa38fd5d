import fs from 'node:fs';
import path from 'node:path';
import { writeFileDurably } from './durable.js';

/** Bumped whenever the on-disk layout changes; an index of another version is rebuilt. */
export const FORMAT_VERSION = 2;

export const MANIFEST_FILE = 'manifest.json';

export interface ManifestArticle {
  file: string;
  hash: string;
  passages: number;
}

/** What an index was built from and with: read first, written last. */
export interface Manifest {
  formatVersion: number;
  /** The model the passage vectors come from; null when built without it (lexical search only). */
  model: { id: string; dtype: string; dims: number; fingerprint: string } | null;
  /** `tokenizer`: the model fingerprint whose tokenizer measured passages, or "approximate". */
  chunking: { maxTokens: number; overlapSentences: number; tokenizer: string };
  hnsw: { space: 'ip'; m: number; efConstruction: number };
  articles: Record<string, ManifestArticle>;
  counts: { articles: number; passages: number };
  builtAt: string;
  buildSeconds: number;
}

export function readManifest(dir: string): Manifest | null {
  const file = path.join(dir, MANIFEST_FILE);
  let raw: string;
  try {
    raw = fs.readFileSync(file, 'utf8');
  } catch {
    return null;
  }
  const manifest = JSON.parse(raw) as Manifest;
  return typeof manifest.formatVersion === 'number' ? manifest : null;
}

export function writeManifest(dir: string, manifest: Manifest): void {
  writeFileDurably(path.join(dir, MANIFEST_FILE), JSON.stringify(manifest, null, 2) + '\n');
}

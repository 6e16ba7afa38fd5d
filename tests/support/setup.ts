import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { inject } from 'vitest';
import { loadConfig, type Config } from '../../src/config.js';
import type { Logger } from '../../src/log.js';

export const ROOT = path.resolve(import.meta.dirname, '../..');
export const SHIPPED_ARTICLES = path.join(ROOT, 'data/articles');
export const SHIPPED_ARTICLE = path.join(SHIPPED_ARTICLES, 'alibaba-jack-ma-open-to-apple-payments.txt');

/** The generated test model (see global-setup.ts). */
export function modelDir(): string {
  return inject('modelDir');
}

const made: string[] = [];

/** A new temporary directory, removed after the test file (see cleanup.ts). */
export function tempDir(prefix = 'footnote-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  made.push(dir);
  return dir;
}

export function removeTempDirs(): void {
  for (const dir of made.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}

/** A short Markdown article with front matter, for tests that need a second, ordinary article. */
export const CORAL = [
  '---',
  'title: Coral reefs recover after a cool summer',
  'date: 2023-11-15',
  'source: Ocean Notes',
  '---',
  '',
  'Marine biologists counted more healthy coral on the reef after an unusually cool summer.',
  '',
  'Bleaching had hit half of the reef two years earlier, the survey found.',
].join('\n');

/** A copy of the shipped articles (plus any extra files) that a test may change. */
export function articlesCopy(extra: Record<string, string> = {}): string {
  const dir = tempDir('footnote-articles-');
  fs.cpSync(SHIPPED_ARTICLES, dir, { recursive: true });
  for (const [name, content] of Object.entries(extra)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), content);
  }
  return dir;
}

/** The environment a test run of Footnote gets: temp dirs, the generated model, no downloads. */
export function testEnv(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    ARTICLES_DIR: SHIPPED_ARTICLES,
    INDEX_DIR: tempDir('footnote-index-'),
    LIBRARIES_DIR: tempDir('footnote-libraries-'),
    EMBEDDING_MODEL: modelDir(),
    ALLOW_REMOTE_MODELS: 'false',
    MODELS_DIR: tempDir('footnote-models-'),
    FEEDS_DB: path.join(tempDir('footnote-feeds-'), 'feeds.db'),
    ANSWERS_DB: path.join(tempDir('footnote-answers-'), 'answers.db'),
    LOG_LEVEL: 'silent',
    ...overrides,
  };
}

export function testConfig(overrides: Record<string, string> = {}): Config {
  return loadConfig(testEnv(overrides), ROOT);
}

export const silentLog: Logger = pino({ level: 'silent' });

/** One line of a pino log, with the fields the tests look for; it has any other field a call logged too. */
export interface LogRecord {
  level: number;
  time: number;
  msg: string;
  audit?: string;
  userId?: string;
  where?: string;
  errorId?: string;
  err?: { type: string; message: string; stack: string };
  [field: string]: unknown;
}

/** Parses one line of a pino log. */
export function logRecord(line: string): LogRecord {
  return JSON.parse(line) as LogRecord;
}

/** White space collapsed, as the contract compares quotes with article files. */
export function collapse(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** Stops a test's local HTTP server, dropping kept-alive connections so that it closes at once. */
export async function closeServer(server: import('node:http').Server): Promise<void> {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
}

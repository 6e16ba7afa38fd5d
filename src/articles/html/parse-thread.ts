// HTML pages parsed in a worker thread: linkedom and Readability hold a thread for tens to hundreds of milliseconds
// on an ordinary news page (seconds on the largest allowed), which on the main thread would stall every other user.
import { Worker } from 'node:worker_threads';
import type { ParsedArticle } from '../../core/types.js';
import { MarkupTooLargeError } from './markup-size.js';
import type { ParseReply, ParseRequest } from './parse-worker.js';

// The worker's heap: a 10 MB page of one paragraph needed between 128 and 256 MB to read, 19,000 elements in 5 MB
// less than 128. A page that needs more fails as too complex (limit 'memory') rather than taking the process's
// memory, and the next page gets a new worker.
export const PARSE_MEMORY_MB = 512;

/**
 * How to start the worker: the compiled module beside this one, or, when this module runs as TypeScript (tests,
 * development through tsx), the TypeScript source through tsx's loader (as src/models/embedding-thread.ts).
 */
function workerEntry(): [string | URL, { eval?: boolean }] {
  if (!import.meta.url.endsWith('.ts')) return [new URL('./parse-worker.js', import.meta.url), {}];
  const entry = JSON.stringify(new URL('./parse-worker.ts', import.meta.url).href);
  return [`import('tsx/esm/api').then(({ register }) => { register(); return import(${entry}); })`, { eval: true }];
}

interface Job extends ParseRequest {
  resolve: (reply: ParseReply) => void;
  reject: (error: Error) => void;
}

let worker: Worker | null = null;
let memoryMb = PARSE_MEMORY_MB;
// One page at a time is sent: when a page kills the worker, only its job fails, and the pages queued behind it are
// parsed by the next worker.
const queue: Job[] = [];
let running: Job | null = null;

function start(): Worker {
  const [entry, how] = workerEntry();
  const started = new Worker(entry, { ...how, resourceLimits: { maxOldGenerationSizeMb: memoryMb } });
  let failure: Error | null = null;
  started.on('message', (reply: ParseReply) => {
    const job = running;
    running = null;
    job?.resolve(reply);
    next();
  });
  started.on('error', (error: Error & { code?: string }) => {
    failure =
      error.code === 'ERR_WORKER_OUT_OF_MEMORY' ? new MarkupTooLargeError({ limit: 'memory', max: memoryMb }) : error;
  });
  started.on('exit', (code) => {
    if (worker === started) worker = null;
    const job = running;
    running = null;
    job?.reject(failure ?? new Error(`the HTML parsing worker stopped (exit code ${code})`));
    next();
  });
  return started;
}

/** Sends the next queued page, if the worker is free; idle, the worker does not keep the process alive. */
function next(): void {
  if (running) return;
  const job = queue.shift();
  if (!job) {
    worker?.unref();
    return;
  }
  worker ??= start();
  worker.ref();
  running = job;
  worker.postMessage({ content: job.content, fileName: job.fileName } satisfies ParseRequest);
}

/** parseHtml in the worker thread, and the thread it ran in. */
export async function parseHtmlInThread(
  content: string,
  fileName: string,
): Promise<{ article: ParsedArticle; threadId: number }> {
  const reply = await new Promise<ParseReply>((resolve, reject) => {
    queue.push({ content, fileName, resolve, reject });
    next();
  });
  if ('article' in reply) return reply;
  const { message, exceeded } = reply.error;
  throw exceeded ? new MarkupTooLargeError(exceeded) : new Error(message);
}

/**
 * parseHtml (src/articles/parse-html.ts) run in a worker thread, which is started with the first page and kept:
 * the same article, or the same error (MarkupTooLargeError for a page too complex to read, or too big for the
 * worker's memory).
 */
export async function parseHtmlOffThread(content: string, fileName: string): Promise<ParsedArticle> {
  return (await parseHtmlInThread(content, fileName)).article;
}

/** Stops the worker (the next page starts another); `memory` sets the heap of workers started after (for tests). */
export async function closeParseThread(memory = PARSE_MEMORY_MB): Promise<void> {
  memoryMb = memory;
  const stopping = worker;
  worker = null;
  await stopping?.terminate();
}

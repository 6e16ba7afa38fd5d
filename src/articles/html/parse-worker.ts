// The worker thread of parse-thread.ts: parses the HTML pages it is sent, one at a time, and posts back the article.
import { parentPort, threadId } from 'node:worker_threads';
import type { ParsedArticle } from '../../core/types.js';
import { parseHtml } from '../parse-html.js';
import { MarkupTooLargeError, type MarkupLimit } from './markup-size.js';

export interface ParseRequest {
  content: string;
  fileName: string;
}

/** An error crosses as data: the main thread rebuilds its class from `exceeded` (a MarkupTooLargeError) or message. */
export type ParseReply =
  | { article: ParsedArticle; threadId: number }
  | { error: { message: string; exceeded?: MarkupLimit }; threadId: number };

parentPort?.on('message', ({ content, fileName }: ParseRequest) => {
  let reply: ParseReply;
  try {
    reply = { article: parseHtml(content, fileName), threadId };
  } catch (error) {
    const exceeded = error instanceof MarkupTooLargeError ? error.exceeded : undefined;
    reply = { error: { message: error instanceof Error ? error.message : String(error), exceeded }, threadId };
  }
  parentPort?.postMessage(reply);
});

import { escapeMarkdown } from 'discord.js';
import type { Footnote } from '../footnote.js';
import type { IndexSummary } from '../indexer.js';
import type { Logger } from '../log.js';
import { LIMITS, shorten } from './render.js';

export interface ReindexRequest {
  userId: string;
  /** Where it was asked: a guild id or "DM". */
  where: string;
  /** Called with a progress line now and then (at most every `progressEveryMs`). */
  onProgress?: (text: string) => void;
  progressEveryMs?: number;
}

/** Runs a reindex for a person on Discord and writes the audit line (who, where, when, result). */
export async function reindexFor(footnote: Footnote, log: Logger, request: ReindexRequest): Promise<IndexSummary> {
  const audit = log.child({ audit: 'reindex', userId: request.userId, where: request.where });
  audit.info('reindex started');
  let last = 0;
  try {
    const summary = await footnote.reindex((done, total) => {
      const now = Date.now();
      if (!request.onProgress || (now - last < (request.progressEveryMs ?? 2000) && done < total)) return;
      last = now;
      request.onProgress(`Reindexing… ${done}/${total} passages embedded.`);
    });
    audit.info({ result: 'ok', summary: { ...summary, skipped: summary.skipped.length } }, 'reindex finished');
    return summary;
  } catch (error) {
    audit.warn({ result: 'failed', err: error }, 'reindex failed');
    throw error;
  }
}

export function describeSummary(s: IndexSummary): string {
  const lines = [
    s.updated ? '**Reindex complete.**' : '**The index was already up to date.**',
    `Articles: ${s.articles} (${s.added} new, ${s.changed} changed, ${s.removed} removed)`,
    `Passages: ${s.passages} (${s.embedded} embedded now)`,
    `Took ${s.seconds.toFixed(1)} s`,
  ];
  if (s.skipped.length) {
    const files = s.skipped.slice(0, 5).map((f) => `${escapeMarkdown(f.file)} (${escapeMarkdown(f.reason)})`);
    lines.push(`Skipped ${s.skipped.length} file(s), see the log: ${files.join('; ')}`);
  }
  return shorten(lines.join('\n'), LIMITS.content);
}

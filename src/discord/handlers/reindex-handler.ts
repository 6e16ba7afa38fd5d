/**
 * Rebuilding the index for someone on Discord, the same for /reindex and a DM: who may, one at
 * a time, progress where the reply can show it, the audit line (who, where, when, result) and
 * the summary.
 */
import { escapeMarkdown } from 'discord.js';
import { ReindexInProgressError } from '../../core/errors.js';
import type { IndexSummary } from '../../index/build.js';
import type { CommandContext } from '../command-types.js';
import { runFlow } from '../flow.js';
import { REINDEX_RUNNING, mayReindex, noReindexRunning } from '../preconditions.js';
import { LIMITS, shorten } from '../render.js';
import type { Request } from '../request.js';

const PROGRESS_EVERY_MS = 2000;

export function rebuildIndex(request: Request, context: CommandContext): Promise<void> {
  return runFlow(request, context, [mayReindex, noReindexRunning], async () => {
    await request.defer();
    try {
      const summary = await reindexFor(request, context);
      await request.reply({ content: describeSummary(summary), embeds: [] });
    } catch (error) {
      // Another reindex can start between the check and this one (while the reply is deferred).
      if (!(error instanceof ReindexInProgressError)) throw error;
      await request.reply({ content: REINDEX_RUNNING, embeds: [] });
    }
  });
}

async function reindexFor(request: Request, { footnote, log }: CommandContext): Promise<IndexSummary> {
  const audit = log.child({ audit: 'reindex', userId: request.userId, where: request.guildId ?? 'DM' });
  audit.info('reindex started');
  let last = 0;
  try {
    const summary = await footnote.reindex((done, total) => {
      const now = Date.now();
      if (!request.progress || (now - last < PROGRESS_EVERY_MS && done < total)) return;
      last = now;
      request.progress(`Reindexing… ${done}/${total} passages embedded.`);
    });
    audit.info({ result: 'ok', summary: { ...summary, skipped: summary.skipped.length } }, 'reindex finished');
    return summary;
  } catch (error) {
    audit.warn({ result: 'failed', err: error }, 'reindex failed');
    throw error;
  }
}

function describeSummary(s: IndexSummary): string {
  const lines = [
    s.updated ? '**Reindex complete.**' : '**The index was already up to date.**',
    `Articles: ${s.articles} (${s.added} new, ${s.changed} changed, ${s.removed} removed)`,
    `Passages: ${s.passages} (${s.embedded} embedded now)`,
    `Took ${s.seconds.toFixed(1)} s`,
  ];
  if (s.skipped.length) {
    // Names only (relative to the articles folder): a reason can hold a server path or a setting, which are for the
    // log.
    const files = s.skipped.slice(0, 5).map((f) => escapeMarkdown(f.file));
    lines.push(`Skipped ${s.skipped.length} file(s), the log says why: ${files.join(', ')}`);
  }
  return shorten(lines.join('\n'), LIMITS.content);
}

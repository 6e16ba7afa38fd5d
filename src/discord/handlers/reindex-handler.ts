/**
 * Rebuilding the index for someone on Discord, the same for /reindex and a DM: who may, one at
 * a time, progress where the reply can show it, the audit line (who, where, when, result) and
 * the summary.
 */
import { ReindexInProgressError, UserError } from '../../core/errors.js';
import type { IndexSummary } from '../../index/build.js';
import type { CommandContext } from '../command-types.js';
import { runFlow } from '../flow.js';
import { inline } from '../markdown.js';
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

/** Rebuilds the library of the place it is asked in: a server's own (refused if it has none), else the home library. */
async function reindexFor(request: Request, { libraries, log }: CommandContext): Promise<IndexSummary> {
  const audit = log.child({ audit: 'reindex', where: request.guildId ?? 'DM' });
  let last = 0;
  const onProgress = (done: number, total: number): void => {
    const now = Date.now();
    if (!request.progress || (now - last < PROGRESS_EVERY_MS && done < total)) return;
    last = now;
    request.progress(`Reindexing… ${done}/${total} passages embedded.`);
  };
  let summary: IndexSummary | null;
  try {
    summary = await libraries.withLibrary(request.guildId, (library) => {
      audit.info('reindex started');
      return library.reindex(onProgress);
    });
  } catch (error) {
    audit.warn({ result: 'failed', err: error }, 'reindex failed');
    throw error;
  }
  if (!summary) {
    audit.info({ result: 'no library' }, 'reindex not done');
    throw new UserError('library.none', {});
  }
  audit.info({ result: 'ok', summary: { ...summary, skipped: summary.skipped.length } }, 'reindex finished');
  return summary;
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
    const files = s.skipped.slice(0, 5).map((f) => inline(f.file));
    lines.push(`Skipped ${s.skipped.length} file(s), the log says why: ${files.join(', ')}`);
  }
  return shorten(lines.join('\n'), LIMITS.content);
}

/**
 * The checks run before a handler, on every path alike (Sapphire's AllFlowsPrecondition): each
 * looks at who is asking and where, and says why they may not go on, or null when they may.
 */
import type { Config } from '../config.js';
import type { CommandContext } from './command-types.js';
import { ADDING_BUSY, BUSY, addingTooFast, slowDown } from './limits.js';
import type { Request } from './request.js';

/** Why a request may not go on: words for the person, or the question limit's refusal, which ends at `until`. */
export type Refusal = string | { notice: string; until: number };
export type Precondition = (request: Request, context: CommandContext) => Refusal | null;

export const REINDEX_REFUSED =
  'Only members with the Manage Server permission, or the bot’s admins, can reindex. Nothing was changed.';
export const REMOVE_REFUSED =
  'Only members with the Manage Server permission, or the bot’s admins, can remove articles. Nothing was changed.';
export const ADD_REFUSED =
  'Only members with the Manage Server permission, or the bot’s admins, can add articles. Nothing was changed.';
export const FEEDS_REFUSED =
  'Only members with the Manage Server permission, or the bot’s admins, can manage feeds. Nothing was changed.';
export const REPORT_REFUSED =
  'Only members with the Manage Server permission, or the bot’s admins, can see the report.';
export const REINDEX_RUNNING = 'A reindex is already running; I will use the new index as soon as it is complete.';

/**
 * Within the per-user rate limit, shared by every way of asking and by every reply to a message; the refusal says
 * when to try again. A request is counted once, though a message's question runs it again.
 */
export const withinRateLimit: Precondition = (request, { limits }) => {
  if (limits.counted.has(request)) return null;
  limits.counted.add(request);
  const verdict = limits.rate.take(request.userId);
  return verdict.ok ? null : { notice: slowDown(verdict.retryAfterMs), until: verdict.until };
};

/** A place in the answer queue: a full one refuses at once rather than leave the question waiting. */
export const roomInQueue: Precondition = (_request, { limits }) => (limits.queue.full ? BUSY : null);

/** Within the per-user limit on adding articles and feeds, which cost a fetch and an index update each. */
export const withinAddRate: Precondition = (request, { limits }) => {
  const verdict = limits.adds.take(request.userId);
  return verdict.ok ? null : addingTooFast(verdict.retryAfterMs);
};

/** A place among the adds that run at once (the handler runs its add in limits.addQueue). */
export const roomToAdd: Precondition = (_request, { limits }) => (limits.addQueue.full ? ADDING_BUSY : null);

/**
 * Manage Server holders where they hold it, and ADMIN_USER_IDS anywhere, may change the index
 * (rebuild it, add or remove an article). Authority follows the library: what they change is the library of the
 * place they ask in (library-view.ts): a server's admins never reach the home library or another server's.
 * Discord hides /reindex and /remove from members without Manage Server (default_member_permissions), but server
 * owners can override that per role or channel, so the bot checks again itself. A refusal is part of the audit
 * trail too (reindex.ts and remove.ts write the rest of it).
 */
function mayChangeIndex(
  audit: 'reindex' | 'remove' | 'add' | 'feeds' | 'report',
  refusal: string,
  what: object = {},
): Precondition {
  return (request, { config, log }) => {
    if (isIndexAdmin(request, config)) return null;
    const where = request.guildId ?? 'DM';
    log.info({ audit, where, ...what, result: 'refused' }, `${audit} refused`);
    return refusal;
  };
}

/** Who may change the index: Manage Server holders where they hold it, ADMIN_USER_IDS anywhere. */
export function isIndexAdmin(who: Pick<Request, 'userId' | 'managesServer'>, config: Config): boolean {
  return who.managesServer || config.discord.adminUserIds.includes(who.userId);
}

export const mayReindex = mayChangeIndex('reindex', REINDEX_REFUSED);
/** The same people as mayReindex; the audit line names the article asked for. */
export const mayRemove = (articleId: string): Precondition => mayChangeIndex('remove', REMOVE_REFUSED, { articleId });
/** The same people as mayReindex; the audit line names the link or file. */
export const mayAdd = (what: object): Precondition => mayChangeIndex('add', ADD_REFUSED, what);
/** The same people as mayReindex, for /feeds; the audit line names the change. */
export const mayFollowFeeds = (what: object): Precondition => mayChangeIndex('feeds', FEEDS_REFUSED, what);
/** The same people as mayReindex, for /report (it shows what people asked). */
export const mayReport = (what: object): Precondition => mayChangeIndex('report', REPORT_REFUSED, what);

/** One reindex at a time in the library the request changes; another server's rebuild never holds it up. */
export const noReindexRunning: Precondition = (request, { libraries }) =>
  libraries.reindexing(request.guildId) ? REINDEX_RUNNING : null;

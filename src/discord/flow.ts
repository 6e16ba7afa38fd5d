/**
 * Runs a handler the same way whichever path its request came by: the preconditions first, then
 * the work, and a failure turned into the one reply a Discord user may see.
 */
import { randomBytes } from 'node:crypto';
import { CodedError, UserError, errorMessage } from '../core/errors.js';
import type { Logger } from '../log.js';
import type { CommandContext } from './command-types.js';
import { errorText } from './error-text.js';
import type { Precondition } from './preconditions.js';
import { LIMITS, renderFailure, shorten, type ReplyPayload } from './render.js';
import type { Request } from './request.js';

/** The first precondition that refuses is the reply, and the rest are not run (the rate limit counts a question). */
export async function runFlow(
  request: Request,
  context: CommandContext,
  preconditions: Precondition[],
  work: () => Promise<void>,
): Promise<void> {
  try {
    for (const check of preconditions) {
      const refusal = check(request, context);
      if (refusal === null) continue;
      context.log.info({ refusal }, 'request refused');
      if (typeof refusal === 'string') await request.reply({ content: refusal, embeds: [] });
      else await request.refuse(refusal.notice, refusal.until);
      return;
    }
    await work();
  } catch (error) {
    await replyWithFailure(request, error, context.log);
  }
}

/**
 * What a failure becomes for the person asking: a coded one (their own mistake, a reindex
 * running) its words for Discord; anything else, operator errors included (their messages name
 * paths and variables), a short apology with an id that is in the log beside the whole message.
 */
export async function replyWithFailure(request: Request, error: unknown, log: Logger): Promise<void> {
  const reply = failureReply(error, log);
  try {
    await request.reply(reply);
  } catch (replyError) {
    log.warn({ err: replyError }, 'could not send the failure reply');
    // Words Discord refuses still leave the person a reply, not "thinking…" forever.
    if (error instanceof CodedError) await request.reply(renderFailure(logged(error, log))).catch(() => undefined);
  }
}

/** The reply a failure gets (see replyWithFailure), logged. */
export function failureReply(error: unknown, log: Logger): ReplyPayload {
  if (error instanceof CodedError) {
    // The cause (a system error behind a plain message) is the operator's.
    const cause = error.cause === undefined ? {} : { cause: errorMessage(error.cause) };
    const rejected = error instanceof UserError ? 'request rejected' : 'request not done';
    log.info({ code: error.code, details: error.details, ...cause }, rejected);
    // The words may repeat what the user gave (an article id, a link) at any length.
    return { content: shorten(errorText(error), LIMITS.content), embeds: [] };
  }
  return renderFailure(logged(error, log));
}

/** Logs a failure with the whole story under a new id, the one the user is given. */
function logged(error: unknown, log: Logger): string {
  const id = randomBytes(4).toString('hex');
  log.error({ err: error, errorId: id }, 'request failed');
  return id;
}

/** Answering a question, the same for /ask, a DM and a mention: the limits, the queue, the quoted answer. */
import { UserError } from '../../core/errors.js';
import type { Conversation } from '../../core/question/conversation.js';
import { HOME_LIBRARY } from '../../library/library-id.js';
import type { TimedAnswer } from '../../library/footnote.js';
import type { Libraries } from '../../library/libraries.js';
import type { Place } from '../../library/feedback/answer-log.js';
import type { CommandContext } from '../command-types.js';
import { runFlow } from '../flow.js';
import { BUSY, QueueFullError } from '../limits.js';
import { roomInQueue, withinRateLimit } from '../preconditions.js';
import { renderAnswer } from '../render.js';
import type { Request } from '../request.js';
import { visibleArticles } from '../library-view.js';

/** As long as /ask allows and then some: the model reads only the first few hundred words anyway. */
const MAX_QUESTION = 1000;

export interface QuestionAsked {
  text: string;
  /** Only search this article. */
  articleId?: string;
  /** A private answer in a server, which its asker may share with the channel. */
  shareable?: boolean;
  /** A public answer in a server channel, which may be followed up in a thread. */
  followUp?: boolean;
}

/** Earlier turns of a follow-up thread that a question there is read with. */
const CONTEXT_TURNS = 5;

export function askQuestion(request: Request, question: QuestionAsked, context: CommandContext): Promise<void> {
  const { libraries, limits } = context;
  return runFlow(request, context, [withinRateLimit, roomInQueue], async () => {
    const { articleId } = question;
    await request.defer();
    // Another server's article is as unknown here as an id nobody has.
    if (articleId && !(await visibleArticles(libraries, request.guildId)).some((s) => s.article.id === articleId)) {
      throw new UserError('article.unknown', { id: articleId });
    }
    try {
      const conversation = readThread(request, CONTEXT_TURNS, context);
      const answer = await limits.queue.run(() =>
        libraries.ask(request.guildId, question.text.slice(0, MAX_QUESTION), { articleId, conversation }),
      );
      // Logged for /report and the vote buttons; a log that cannot be written costs the buttons, not the answer.
      let answerId: number | undefined;
      try {
        answerId = context.answers.record({
          question: question.text,
          found: answer.found,
          citations: answer.citations.map((c) => ({ n: c.n, file: c.article.file, quote: c.quote })),
          mode: answer.retrieval.mode,
          generation: await generationOf(libraries, request.guildId, answer),
          userId: request.userId,
          where: { guildId: request.guildId, channelId: request.channelId },
          // Only the asker sees a DM's answer, or one to /ask private:true (the shareable kind): /report won't show it.
          private: request.guildId === null || question.shareable === true,
        });
        if (conversation) context.answers.addToThread(request.channelId, answerId, request);
      } catch (error) {
        context.log.warn({ err: error }, 'could not log the answer');
      }
      const followUp = question.followUp && !conversation && answerId !== undefined;
      // Shared quotes are told apart from the server's own, once it has some.
      const markShared = request.guildId !== null && libraries.exists(request.guildId);
      const shareable = question.shareable && answer.found;
      await request.reply(renderAnswer(answer, { shareable, answerId, followUp, markShared }));
    } catch (error) {
      // The queue can fill up while the reply is being deferred.
      if (!(error instanceof QueueFullError)) throw error;
      await request.reply({ content: BUSY, embeds: [] });
    }
  });
}

/**
 * A follow-up thread's last turns in its server, which a question there is read with (undefined: not a
 * follow-up thread). An answer log that cannot be read costs the context, not the answer.
 */
export function readThread(thread: Place, turns: number, { answers, log }: CommandContext): Conversation | undefined {
  try {
    return answers.threadContext(thread, turns) ?? undefined;
  } catch (error) {
    log.warn({ err: error }, 'could not read the thread from the answer log');
    return undefined;
  }
}

/** When the index that gave the answer's first quote was built (the home library's for an answer without quotes). */
async function generationOf(
  libraries: Libraries,
  serverId: string | null,
  answer: TimedAnswer,
): Promise<string | null> {
  const from = answer.citations[0]?.article.library ?? HOME_LIBRARY;
  if (from === HOME_LIBRARY || serverId === null) return libraries.home.status().index?.builtAt ?? null;
  return (await libraries.withLibrary(serverId, (library) => Promise.resolve(library.status().index?.builtAt))) ?? null;
}

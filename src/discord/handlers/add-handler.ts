/**
 * Adding an article for someone on Discord, from a link or an attached file: who may, the file's
 * size checked before it is downloaded, the add itself (src/add-article.ts) into the library of the place it is
 * asked in (a server's own; the home library in a DM or a HOME_SERVER_IDS server), one audit line (who, where,
 * what, result) and a reply naming the article.
 */
import { addArticle, type AddResult, type ArticleSource } from '../../library/add-article.js';
import { ReindexInProgressError, UserError, errorMessage } from '../../core/errors.js';
import { safeFetch } from '../../fetch/safe-fetch.js';
import type { CommandContext } from '../command-types.js';
import { runFlow } from '../flow.js';
import { ADDING_BUSY, QueueFullError } from '../limits.js';
import { inline } from '../markdown.js';
import { REINDEX_RUNNING, mayAdd, noReindexRunning, roomToAdd, withinAddRate } from '../preconditions.js';
import { LIMITS, shorten } from '../render.js';
import type { Request } from '../request.js';

/** What the person gave: a link, or an attachment as Discord describes it (its bytes are at `url`). */
export interface AddRequest {
  url: string | null;
  file: { name: string; size: number; url: string } | null;
}

export function addFromDiscord(request: Request, given: AddRequest, context: CommandContext): Promise<void> {
  const what = given.url ? { url: given.url } : { file: given.file?.name ?? null };
  return runFlow(request, context, [mayAdd(what), noReindexRunning, withinAddRate, roomToAdd], async () => {
    const { config, libraries, log } = context;
    if (!given.url === !given.file) throw new UserError('add.no-source', {});
    const limit = config.maxArticleBytes;
    if (given.file && given.file.size > limit) {
      throw new UserError('article.too-large', { file: null, maxMb: limit / (1024 * 1024) });
    }
    const audit = log.child({ audit: 'add', where: request.guildId ?? 'DM', ...what });
    await request.defer();
    let result: AddResult;
    try {
      result = await context.limits.addQueue.run(async () => {
        const source: ArticleSource = given.url
          ? { url: given.url }
          : {
              name: given.file!.name,
              bytes: (
                await safeFetch(given.file!.url, { maxBytes: limit, accept: null, allowHosts: config.fetchAllowHosts })
              ).body,
            };
        // Into the library of the place it is asked in (a server's first add makes its own), never another.
        const added = await libraries.withLibrary(
          request.guildId,
          (library) => addArticle(library, library.config, source),
          { create: true },
        );
        return added!;
      });
    } catch (error) {
      // The adds running at once filled up while this one was being acknowledged.
      if (error instanceof QueueFullError) {
        await request.reply({ content: ADDING_BUSY, embeds: [] });
        return;
      }
      if (error instanceof ReindexInProgressError) {
        audit.info({ result: 'reindex running' }, 'add not done');
        await request.reply({ content: `${REINDEX_RUNNING} Nothing was added.`, embeds: [] });
        return;
      }
      const refused = error instanceof UserError;
      audit[refused ? 'info' : 'warn'](
        { result: refused ? 'refused' : 'failed', reason: errorMessage(error) },
        'add failed',
      );
      throw error;
    }
    audit.info(
      { result: result.added ? 'added' : 'already there', articleId: result.article.id, file: result.article.file },
      result.added ? 'article added' : 'article already there',
    );
    await request.reply({ content: describe(result), embeds: [] });
  });
}

function describe(result: AddResult): string {
  const { article } = result;
  const named = `**${inline(article.title, 300)}** (${inline(article.file, 200)})`;
  if (!result.added) {
    const why = result.because === 'same link' ? 'the same link' : 'the same text';
    return `Already in the index with ${why}: ${named}. Nothing was added.`;
  }
  const first = inline(result.firstParagraph, 600);
  const passages = `${result.passages} passage${result.passages === 1 ? '' : 's'}`;
  return shorten(`Added ${named}: ${passages}.\n> ${first}`, LIMITS.content);
}

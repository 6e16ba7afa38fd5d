/** Answers, apologies and the article list as Discord messages, within Discord's limits. */
import {
  ButtonStyle,
  ComponentType,
  type APIActionRowComponent,
  type APIComponentInMessageActionRow,
  type APIEmbed,
} from 'discord.js';
import { placeInArticle } from '../core/answer/cite.js';
import { shorten } from '../core/text/words.js';
import type { Answer, IndexedArticle } from '../core/types.js';
import { HOME_LIBRARY } from '../library/library-id.js';
import { inline, plain, safeLink } from './markdown.js';

export { shorten };

/** Discord's message limits (https://discord.com/developers/docs/resources/message). */
export const LIMITS = {
  content: 2000,
  embedDescription: 4096,
  embedTitle: 256,
  embedFooter: 2048,
  fieldValue: 1024,
  embedsPerMessage: 10,
  embedTotal: 6000,
} as const;

export interface ReplyPayload {
  content: string;
  embeds: APIEmbed[];
  /** Buttons (a private answer's "Share with the channel"); none when absent. */
  components?: APIActionRowComponent<APIComponentInMessageActionRow>[];
}

export const SHARE_BUTTON = 'answer:share';
/** "Ask a follow-up": `followup:<answer id>`, the answer the thread starts from. */
export const FOLLOW_UP_PREFIX = 'followup:';
/** A vote button's custom id: `vote:1:<answer id>` or `vote:-1:<answer id>`, so that it counts after a restart. */
export const VOTE_PREFIX = 'vote:';
// Room a shared answer keeps for the line that says who shared it.
const SHARE_ROOM = 80;

const NOT_FOUND_HINT = 'Use `/articles` to see which articles I can answer from.';

/**
 * An answer as one Discord message: each quote once, as a quoted line with its number, then the
 * sources as Discord's small subtext, one line per article: its citation numbers, title, source
 * and date, the paragraphs quoted, and its link in <…> so that Discord shows no preview card.
 * The message body rather than embeds: a quote is read, copied and found by search where
 * it is, in the order of its number, with nothing shown twice. With `markShared` (a server with a library of its
 * own), an article of the home library says it is from the shared library.
 */
export function renderAnswer(
  answer: Answer,
  options: { shareable?: boolean; answerId?: number; followUp?: boolean; markShared?: boolean } = {},
): ReplyPayload {
  const buttons = (shareable: boolean): Pick<ReplyPayload, 'components'> => {
    const row = [
      ...(options.answerId !== undefined
        ? [
            { custom_id: `${VOTE_PREFIX}1:${options.answerId}`, label: '👍' },
            { custom_id: `${VOTE_PREFIX}-1:${options.answerId}`, label: '👎' },
          ]
        : []),
      ...(shareable ? [{ custom_id: SHARE_BUTTON, label: 'Share with the channel' }] : []),
      ...(options.followUp && options.answerId !== undefined
        ? [{ custom_id: `${FOLLOW_UP_PREFIX}${options.answerId}`, label: 'Ask a follow-up' }]
        : []),
    ].map((b) => ({ type: ComponentType.Button as const, style: ButtonStyle.Secondary as const, ...b }));
    return row.length ? { components: [{ type: ComponentType.ActionRow, components: row }] } : {};
  };
  if (!answer.found) {
    return { content: `${plain(answer.text)}\n${NOT_FOUND_HINT}`, embeds: [], ...buttons(false) };
  }
  const citations = answer.citations;
  const articles = citations.map((c) => c.article).filter((a, i, all) => all.findIndex((b) => b.id === a.id) === i);
  const sources = articles.map((article) => {
    const cited = citations.filter((c) => c.article.id === article.id);
    const numbers = cited.map((c) => `[${c.n}]`).join('');
    const details = [article.source, article.date].filter(Boolean).join(', ');
    const places = cited.map(placeInArticle).join(', ');
    const url = safeLink(article.url);
    const link = url ? ` <${url}>` : '';
    const shared = options.markShared && article.library === HOME_LIBRARY ? ['shared library'] : [];
    const about = [
      inline(article.title, MAX_TITLE),
      ...(details ? [inline(details, 100)] : []),
      places,
      ...shared,
    ].join(' · ');
    return `-# ${numbers} ${about}${link}`;
  });
  const references = sources.join('\n');
  // The quotes share what the references leave of the message.
  const room = LIMITS.content - (options.shareable ? SHARE_ROOM : 0) - references.length - 1;
  const perQuote = Math.floor(room / citations.length) - QUOTE_FRAME;
  const quotes = citations.map((c) => `> ${inline(c.quote, perQuote)} [${c.n}]`);
  const content = `${quotes.join('\n')}\n${references}`;
  return { content, embeds: [], ...buttons(options.shareable ?? false) };
}

// "> " before a quote, " [n]" and the line break after it.
const QUOTE_FRAME = 8;
const MAX_TITLE = 150;

export const ARTICLES_PER_PAGE = 10;
// Characters each listed article may take, so that a full page fits an embed's description.
const ARTICLE_LINE = Math.floor(LIMITS.embedDescription / ARTICLES_PER_PAGE) - 1;

/**
 * One page of the indexed articles (newest first) as an embed: each title, linked when its link is
 * one Discord shows as such, its source and date, and its passages; each line within its share of
 * the description (a long link is dropped before the title is cut); a shared library article says so.
 * An article with `showId` ends with its id, for those who may remove it (/remove, npm run remove): what is before
 * the id is cut to make room for it, and only an id longer than MAX_SHOWN_ID is cut itself.
 */
export function renderArticleList(
  articles: (Pick<IndexedArticle, 'id' | 'title' | 'source' | 'date' | 'url' | 'passages'> & {
    shared?: boolean;
    showId?: boolean;
  })[],
  requestedPage: number | null,
): APIEmbed {
  const pages = Math.ceil(articles.length / ARTICLES_PER_PAGE);
  const page = Math.min(requestedPage ?? 1, pages);
  const lines = articles.slice((page - 1) * ARTICLES_PER_PAGE, page * ARTICLES_PER_PAGE).map((a) => {
    const details = [a.source, a.date]
      .filter(Boolean)
      .map((d) => inline(d!, 100))
      .join(', ');
    // Its brackets are escaped, so that they cannot end the link's text early.
    const title = inline(a.title, 200);
    const passages = `${a.passages} passage${a.passages === 1 ? '' : 's'}`;
    const rest = `${details ? ` — ${details}` : ''} · ${passages}${a.shared ? ' · shared library' : ''}`;
    const id = a.showId ? ` · id ${codeSpan(shorten(a.id, MAX_SHOWN_ID))}` : '';
    const room = ARTICLE_LINE - id.length;
    const url = safeLink(a.url);
    const linked = url ? `**[${title}](${url})**${rest}` : null;
    return (linked && linked.length <= room ? linked : shorten(`**${title}**${rest}`, room)) + id;
  });
  return {
    title: `Articles (${articles.length})`,
    description: lines.join('\n'),
    footer: {
      text:
        pages > 1
          ? `Page ${page} of ${pages} — /articles page:${page < pages ? page + 1 : 1} for more`
          : 'Ask about them with /ask',
    },
  };
}

// Room a shown id may take of its line, which leaves the title some (paths that long are not seen in practice).
const MAX_SHOWN_ID = 200;

/** Text shown as written and easy to copy: inline code, unless a backtick or a line break would end it early. */
function codeSpan(text: string): string {
  return /[`\n]/.test(text) ? inline(text) : `\`${text}\``;
}

/** A private answer as the channel sees it once its asker shares it: who shared it, then the answer. */
export function renderShared(content: string, userId: string): string {
  return shorten(`-# Shared by <@${userId}>\n${content}`, LIMITS.content);
}

/** A short apology that points at the log entry with the details. */
export function renderFailure(errorId: string): ReplyPayload {
  return {
    content:
      'Sorry, something went wrong on my side. ' + `If it keeps happening, tell an admin the error id \`${errorId}\`.`,
    embeds: [],
  };
}

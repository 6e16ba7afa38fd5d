/** Answers and apologies as Discord messages, within Discord's limits. */
import { escapeMarkdown, type APIEmbed } from 'discord.js';
import { placeInArticle, type Answer } from '../answer.js';
import { collapseWhitespace, shorten } from '../text.js';

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
}

const NOT_FOUND_HINT = 'Use `/articles` to see which articles I can answer from.';

/** An answer as a Discord message: the answer text, then one embed per citation. */
export function renderAnswer(answer: Answer): ReplyPayload {
  if (!answer.found) {
    return { content: `${escapeMarkdown(answer.text)}\n${NOT_FOUND_HINT}`, embeds: [] };
  }
  const citations = answer.citations.slice(0, LIMITS.embedsPerMessage);
  const perQuote = Math.floor(LIMITS.content / citations.length) - 8;
  const content = citations.map((c) => `${fit(c.quote, perQuote)} [${c.n}]`).join(' ');

  const frames = citations.map((c) => {
    const details = [c.article.source, c.article.date].filter(Boolean).join(', ');
    return {
      citation: c,
      title: fit(`[${c.n}] ${c.article.title}`, LIMITS.embedTitle),
      reference:
        `— ${fit(c.article.title, 300)}${details ? ` (${escapeMarkdown(details)})` : ''}, ` + placeInArticle(c),
    };
  });
  // Quotes share what the frames leave of the 6000 characters one message's embeds may hold.
  const framing = frames.reduce((n, f) => n + f.title.length + f.reference.length + 3, 0);
  const perEmbed = Math.floor((LIMITS.embedTotal - framing) / frames.length);
  const embeds = frames.map(({ citation, title, reference }): APIEmbed => {
    const room = Math.min(perEmbed, LIMITS.embedDescription - reference.length - 3);
    const embed: APIEmbed = { title, description: `> ${fit(citation.quote, room)}\n${reference}` };
    if (citation.article.url && /^https?:\/\//.test(citation.article.url)) embed.url = citation.article.url;
    return embed;
  });
  return { content, embeds };
}

/** Markdown-escaped text (shown as written), shortened to `max` characters when longer. */
function fit(text: string, max: number): string {
  return shorten(escapeMarkdown(collapseWhitespace(text)), max);
}

/** A short apology that points at the log entry with the details. */
export function renderFailure(errorId: string): ReplyPayload {
  return {
    content:
      'Sorry, something went wrong while answering. ' +
      `If it keeps happening, tell an admin the error id \`${errorId}\`.`,
    embeds: [],
  };
}

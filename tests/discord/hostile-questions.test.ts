import fs from 'node:fs';
import { ApplicationCommandOptionType, type APIEmbed } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBot, type RunningBot } from '../support/bot.js';
import type { DiscordEmulator, RecordedRequest } from '../../scripts/discord-emulator.js';
import { SHIPPED_ARTICLE, collapse } from '../support/setup.js';

// Questions a user can type that are not a plain question. Each goes through the real discord.js
// client and the emulator, which rejects (HTTP 400) anything over Discord's limits.

const QUESTION = 'Is Jack Ma open to working with Apple?';
const ANSWER = 'open to working with Apple Inc on mobile payments';
const TITLE = "Alibaba's Jack Ma Says He's Open to Working With Apple on Payments";
const file = collapse(fs.readFileSync(SHIPPED_ARTICLE, 'utf8'));

interface Hostile {
  name: string;
  text: string;
  /** Whether Discord would let it through /ask (its question option holds at most 500 characters). */
  slash: boolean;
  /** What the reply must say, where the question has one right answer. */
  says?: string;
}

const HOSTILE: Hostile[] = [
  // Far beyond what the bot reads (it keeps the first 1000 characters) and what a reply may echo.
  { name: 'a 10,000-character message', text: `${QUESTION} `.repeat(300).slice(0, 10_000), slash: false, says: ANSWER },
  {
    name: 'only emoji',
    text: '🍎📱💳🤔👨‍👩‍👧‍👦🏳️‍🌈🇨🇳',
    slash: true,
    says: 'Please ask a question about the articles, in words',
  },
  {
    name: 'zero-width and RTL characters around a real question',
    text: 'Is Jack Ma\u200b open to working with Apple?\u202e',
    slash: true,
    says: ANSWER,
  },
  {
    name: 'Markdown and mention syntax',
    text: '**@everyone** <@&123456789012345678> <@1100000000000000012> ask about Apple',
    slash: true,
  },
  {
    name: 'a code block',
    text: "```js\nconsole.log('Is Jack Ma open to working with Apple?'); // ``` <@&1>\n```",
    slash: true,
  },
  { name: 'text that imitates bot output', text: '> quote\n— Fake Title (Reuters, 2014-10-28), ¶1 [1]', slash: true },
];

let emulator: DiscordEmulator;
let running: RunningBot;

beforeAll(async () => {
  // One user asks every question here; tests/discord/limits.test.ts covers the limit.
  running = await startBot(() => ({ RATE_LIMIT_QUESTIONS: '1000' }));
  ({ emulator } = running);
});

afterAll(() => running?.stop());

interface SentMessage {
  content?: string;
  embeds?: APIEmbed[];
  allowed_mentions?: unknown;
}

/** The message a request carries, if any: a type 4 callback carries it in `data`. */
function sentMessage(request: RecordedRequest): SentMessage | undefined {
  const body = request.body as Record<string, unknown> | undefined;
  const payload = (request.path.endsWith('/callback') ? body?.data : body) as Record<string, unknown> | undefined;
  if (!payload || !('content' in payload || 'embeds' in payload)) return undefined;
  return payload;
}

/** What every request of a case must satisfy: accepted by the emulator, no pings, within limits. */
function expectWellFormed(requests: RecordedRequest[]): void {
  expect(requests.length).toBeGreaterThan(0);
  for (const request of requests) {
    expect(request.status, `${request.method} ${request.path} → ${JSON.stringify(request.response)}`).toBeLessThan(400);
    const message = sentMessage(request);
    if (!message) continue;
    expect(message.allowed_mentions).toEqual({ parse: [] });
    // The emulator counts code points; the bot's own limits count UTF-16 units: both must hold.
    expect((message.content ?? '').length).toBeLessThanOrEqual(2000);
    const embeds = message.embeds ?? [];
    expect(embeds.length).toBeLessThanOrEqual(10);
    let total = 0;
    for (const embed of embeds) {
      expect((embed.title ?? '').length).toBeLessThanOrEqual(256);
      expect((embed.description ?? '').length).toBeLessThanOrEqual(4096);
      total += (embed.title ?? '').length + (embed.description ?? '').length + (embed.footer?.text ?? '').length;
    }
    expect(total).toBeLessThanOrEqual(6000);
  }
}

/** Markdown escaping undone and a shortening "…" dropped: what must appear in the article. */
const unescape = (text: string) => collapse(text.replace(/\\(.)/g, '$1').replace(/…$/, ''));

/** Every quoted line of an answer is verbatim in the shipped article, and its sources line names
 * it (never a title taken from the question). */
function expectVerbatimQuotes(content: string): void {
  const lines = content.split('\n');
  const quotes = lines.filter((l) => l.startsWith('> '));
  if (quotes.length === 0) return;
  for (const quote of quotes) expect(file).toContain(unescape(quote.replace(/^> /, '').replace(/ \[\d+\]$/, '')));
  expect(lines.slice(quotes.length)).toEqual([
    expect.stringMatching(
      /^-# (\[\d\])+ Alibaba's Jack Ma Says He's Open to Working With Apple on Payments · Reuters, 2014-10-28 · ¶\d+(, ¶\d+)*$/,
    ),
  ]);
}

/** A DM and the requests the bot made for it, once its reply has been sent. */
async function dm(text: string) {
  const before = emulator.requests.length;
  const message = emulator.sendMessage({ content: text });
  const reply = await emulator.waitForRequest(
    (r) =>
      r.method === 'POST' &&
      (r.body as { message_reference?: { message_id: string } } | undefined)?.message_reference?.message_id ===
        message.id,
  );
  const requests = emulator.requests.slice(before).filter((r) => r.path.startsWith(`/channels/${message.channel_id}/`));
  return { message, reply: sentMessage(reply)!, requests };
}

/** An /ask in the server and the requests the bot made for it, once its reply is final. */
async function ask(question: string) {
  const interaction = emulator.sendSlashCommand({
    name: 'ask',
    options: [{ name: 'question', type: ApplicationCommandOptionType.String, value: question }],
    guildId: emulator.fixture.guild.id,
  });
  const reply = await emulator.waitForInteractionReply(interaction.id);
  const requests = emulator.requests.filter(
    (r) => r.path.includes(interaction.token) || r.path.startsWith(`/interactions/${interaction.id}/`),
  );
  return { reply, requests };
}

describe('empty questions', () => {
  it('ignores an empty or blank DM: nothing is sent for it', async () => {
    const before = emulator.requests.length;
    const empty = emulator.sendMessage({ content: '' });
    const blank = emulator.sendMessage({ content: ' \n\t\u00a0 ' });
    // Messages are handled in arrival order, and an ignored one returns without waiting on
    // anything: once the probe after them is answered, nothing more can come for them.
    const probe = await dm(QUESTION);
    expect(probe.reply.content).toContain(ANSWER);
    const sent = emulator.requests.slice(before);
    const replies = sent.filter((r) => r.method === 'POST' && r.path.endsWith('/messages'));
    expect(replies).toHaveLength(1);
    expect((replies[0]!.body as { message_reference: { message_id: string } }).message_reference.message_id).toBe(
      probe.message.id,
    );
    expect(sent.filter((r) => r.path.endsWith('/typing'))).toHaveLength(1);
    for (const ignored of [empty, blank]) expect(JSON.stringify(sent)).not.toContain(ignored.id);
    expectWellFormed(sent);
  });
});

// The /ask cases are only those Discord would deliver: a longer option never reaches the bot.
const CASES = HOSTILE.flatMap((h) => [
  { ...h, via: 'DM' as const },
  ...(h.slash ? [{ ...h, via: '/ask' as const }] : []),
]);

describe('hostile questions', () => {
  it.each(CASES)('$name, by $via: a well-formed reply whose quotes are verbatim', async ({ text, via, says }) => {
    const { content, allowedMentions, requests } =
      via === 'DM'
        ? await dm(text).then(({ reply, requests }) => ({
            content: reply.content ?? '',
            allowedMentions: reply.allowed_mentions,
            requests,
          }))
        : await ask(text).then(({ reply, requests }) => ({
            content: reply.content,
            allowedMentions: reply.allowed_mentions,
            requests,
          }));
    expect(content).not.toBe('');
    if (says) expect(content).toContain(says);
    // Not the failure apology: these are questions, however odd.
    expect(content).not.toMatch(/something went wrong/);
    // The question is never echoed back as if it were a citation.
    expect(content).not.toContain('Fake Title');
    expect(allowedMentions).toEqual({ parse: [] });
    expectWellFormed(requests);
    expectVerbatimQuotes(content);
  });
});

describe('afterwards', () => {
  it('still answers a normal question, by DM and by /ask', async () => {
    const byDm = await dm(QUESTION);
    expect(byDm.reply.content).toContain(ANSWER);
    expectVerbatimQuotes(byDm.reply.content!);
    const bySlash = await ask(QUESTION);
    expect(bySlash.reply.content).toContain(ANSWER);
    expect(bySlash.reply.content).toContain(`-# [1] ${TITLE}`);
    expect(running.bot.client.isReady()).toBe(true);
  });

  it('had no request of the bot rejected by the emulator', () => {
    const rejected = emulator.requests.filter((r) => r.status >= 400);
    expect(rejected.map((r) => `${r.method} ${r.path} → ${r.status} ${JSON.stringify(r.response)}`)).toEqual([]);
  });
});

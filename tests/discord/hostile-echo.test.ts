import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import {
  ApplicationCommandOptionType,
  type APIApplicationCommandInteractionDataOption,
  type APIUser,
} from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Failure } from '../../src/core/errors.js';
import { errorText } from '../../src/discord/error-text.js';
import { announcement } from '../../src/discord/handlers/feeds-handler.js';
import { CANCEL_BUTTON } from '../../src/discord/handlers/remove-handler.js';
import { LIMITS, SHARE_BUTTON, shorten } from '../../src/discord/render.js';
import type { PollResult } from '../../src/library/feeds/feeds.js';
import type { DiscordEmulator } from '../../scripts/discord-emulator.js';
import { startBot, type RunningBot } from '../support/bot.js';
import { liveMarkup, shown, type Markup } from '../support/discord-markdown.js';
import { sampleFailures } from '../support/failures.js';
import { closeServer, tempDir } from '../support/setup.js';

// Every message that repeats what a user or a page gave, fed strings that would link, mention or format if they were
// read as Markdown: no message may hold a link, mention or format mark beyond those it holds for plain words, and
// where the string is shown whole it reads as written. The messages a handler composes go through the real bot and
// the emulator; the pure renderings are called directly.

const BENIGN = 'Harbour ferry times';
const HOSTILE = [
  '[Verify your account](https://evil.example)',
  '@everyone and @here, read this',
  '<@123456789012345678> <@&123456789012345678> <#123456789012345678> </ask:123456789012345678> <t:1700000000:R>',
  'a) [second](https://evil.example/two)',
  'a> <https://evil.example/angle>',
  '`code` and ```block```',
  '||spoiler|| **bold** __underline__ *italic* ~~struck~~',
  '# Heading',
  '-# Subtext',
  'https://evil.example/bare',
  '\\[escaped](https://evil.example/escaped)',
  'two lines\n# Heading\n> quote\n- item\n1. item',
];
const STRINGS = [BENIGN, ...HOSTILE];

let running: RunningBot;
let emulator: DiscordEmulator;
let base: string;
let server: http.Server;
const pad = (i: number): string => String(i).padStart(2, '0');
const html = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Article `i`: its title, source, link and text hold string `i`, and so does its file name, hence its id. */
function article(i: number): [string, string] {
  const s = STRINGS[i]!;
  const file = `e${pad(i)}-${s.replace(/[/\n]/g, '_')}.txt`;
  const text = [
    '---',
    `title: ${JSON.stringify(s)}`,
    `source: ${JSON.stringify(s)}`,
    `url: ${JSON.stringify(`https://news.example/n/${s}`)}`,
    `date: 2024-01-${pad(i + 1)}`,
    '---',
    '',
    `The lighthouse keeper${i} counts ${s} ships from the tower every night.`,
  ].join('\n');
  return [file, text];
}

/** Three articles whose sentences, long titles, sources and links fill a message when an answer quotes them all. */
function longArticle(n: number): string {
  const colour = ['white', 'red', 'green'][n];
  const sentence = `The beacon of the far lighthouse flashes ${colour} ${Array.from({ length: 60 }, (_, i) => `over reef${n}x${i}`).join(' ')}.`;
  return [
    '---',
    `title: ${`The ${colour} beacon of the far lighthouse, `.repeat(5)}`,
    `source: ${'Harbour Notes '.repeat(8)}`,
    `url: https://news.example/beacon/${colour}/${'x'.repeat(250)}`,
    '---',
    '',
    sentence,
  ].join('\n');
}

beforeAll(async () => {
  const articles = tempDir('footnote-articles-');
  for (const i of STRINGS.keys()) fs.writeFileSync(path.join(articles, article(i)[0]), article(i)[1]);
  for (const n of [0, 1, 2]) fs.writeFileSync(path.join(articles, `beacon-${n}.txt`), longArticle(n));
  server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const i = Number(url.pathname.split('/')[2]);
    const s = html(STRINGS[i] ?? '');
    if (url.pathname.startsWith('/page/')) {
      const body =
        `<p>The quince orchard${i} behind the old mill sells ${s} jars of dark amber jelly at the winter market.</p>` +
        '<p>The village presses the fruit in late October, and the jelly keeps until the spring fair.</p>';
      const page = `<html><head><title>${s}</title></head><body><article>${body}</article></body></html>`;
      return void res.writeHead(200, { 'content-type': 'text/html' }).end(page);
    }
    if (url.pathname.startsWith('/feed/')) {
      const rss = `<?xml version="1.0"?><rss version="2.0"><channel><title>${s}</title></channel></rss>`;
      return void res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(rss);
    }
    if (url.pathname === '/empty') return void res.writeHead(200, { 'content-type': 'text/html' }).end('<html></html>');
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  running = await startBot((e) => ({
    ARTICLES_DIR: articles,
    RETRIEVAL_MODE: 'lexical',
    ADMIN_USER_IDS: e.fixture.users.owner.id,
    HOME_SERVER_IDS: e.fixture.guild.id,
    FETCH_ALLOW_HOSTS: '127.0.0.1',
    // No rate limits: every string goes through every surface, by the same admin.
    RATE_LIMIT_QUESTIONS: '0',
    RATE_LIMIT_ADDS: '0',
  }));
  emulator = running.emulator;
});

afterAll(async () => {
  await running?.stop();
  await closeServer(server);
});

type Option = APIApplicationCommandInteractionDataOption<2>;
const text = (name: string, value: string): Option => ({ name, type: ApplicationCommandOptionType.String, value });
const admin = (): APIUser => emulator.fixture.users.admin;
const idOf = (i: number): string => article(i)[0].replace(/\.txt$/, '');

async function command(name: string, options: Option[], where: { user?: APIUser; guildId?: string } = {}) {
  const sent = emulator.sendSlashCommand({
    name,
    options,
    user: admin(),
    guildId: emulator.fixture.guild.id,
    ...where,
  });
  return emulator.waitForInteractionReply(sent.id, 20_000);
}

/** Clicks `customId` on `messageId` and resolves with the content the click's token next writes. */
async function click(messageId: string, customId: string): Promise<string> {
  const clicked = emulator.clickButton({ messageId, customId, user: admin() });
  const write = await emulator.waitForRequest(
    (r) => r.method !== 'GET' && r.path.includes(clicked.token) && JSON.stringify(r.body).includes('content'),
  );
  const body = write.body as { content?: string; data?: { content?: string } };
  return body.content ?? body.data?.content ?? '';
}

async function choices(name: string, options: Option[]): Promise<string[]> {
  const sent = emulator.sendAutocomplete({
    name,
    options: options as never,
    user: admin(),
    guildId: emulator.fixture.guild.id,
  });
  const callback = await emulator.waitForRequest((r) => r.path.startsWith(`/interactions/${sent.id}/`));
  return (callback.body as { data: { choices: { name: string }[] } }).data.choices.map((c) => c.name);
}

const ask = (i: number): Option[] => [
  text('question', `What does the lighthouse keeper${i} count from the tower?`),
  text('article', idOf(i)),
];

/** Every string in a failure's details (however deep) replaced by `s`. */
// Details that are the bot's own vocabulary, never text a user or a page gave: they keep their value.
const OWN_WORDS = new Set(['limit']);

function failureWith(failure: Failure, s: string): Failure {
  const swap = (value: unknown): unknown =>
    typeof value === 'string'
      ? s
      : value && typeof value === 'object'
        ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, OWN_WORDS.has(k) ? v : swap(v)]))
        : value;
  return { code: failure.code, details: swap(failure.details) } as Failure;
}

/** What is live in `markup` and not in `plain`, each counted as often as it is there. */
function beyond(markup: Markup[], plain: Markup[]): Markup[] {
  const left = plain.map((m) => `${m.kind} ${m.what}`);
  return markup.filter((m) => {
    const at = left.indexOf(`${m.kind} ${m.what}`);
    if (at >= 0) left.splice(at, 1);
    return at < 0;
  });
}

interface Surface {
  surface: string;
  /** The messages string `i` of STRINGS ends up in. */
  messages: (s: string, i: number) => Promise<string[]>;
  /** The string is there whole (not cut, not swapped for other words), as written. */
  whole?: boolean;
}

const SURFACES: Surface[] = [
  {
    surface: 'an answer: quotes, titles, sources and links',
    whole: true,
    messages: async (_s, i) => [(await command('ask', ask(i))).content],
  },
  {
    surface: 'a shared answer',
    whole: true,
    messages: async (_s, i) => {
      const reply = await command('ask', [
        ...ask(i),
        { name: 'private', type: ApplicationCommandOptionType.Boolean, value: true },
      ]);
      return [await click(reply.message.id, SHARE_BUTTON)];
    },
  },
  {
    surface: '/ask naming an article id that is not there',
    whole: true,
    messages: async (s) => [(await command('ask', [text('question', 'ships?'), text('article', s)])).content],
  },
  {
    surface: '/articles (with ids, as an admin sees it)',
    whole: true,
    messages: async (_s, i) => {
      const lines: string[] = [];
      for (let page = 1, pages = 1; page <= pages; page++) {
        const embed = (
          await command('articles', [{ name: 'page', type: ApplicationCommandOptionType.Integer, value: page }])
        ).embeds[0]!;
        pages = Number(/of (\d+)/.exec(embed.footer?.text ?? '')?.[1] ?? 1);
        lines.push(...embed.description!.split('\n'));
      }
      return lines.filter((line) => line.includes(`e${pad(i)}-`));
    },
  },
  {
    surface: '/remove: the confirmation, and Cancel',
    whole: true,
    messages: async (_s, i) => {
      const confirm = await command('remove', [text('article', idOf(i))]);
      return [confirm.content, await click(confirm.message.id, CANCEL_BUTTON)];
    },
  },
  {
    surface: '/remove naming an article id that is not there',
    messages: async (s) => [(await command('remove', [text('article', s)])).content],
  },
  {
    surface: '/add: the page added, its title and first paragraph',
    whole: true,
    messages: async (_s, i) => [(await command('add', [text('url', `${base}/page/${i}`)])).content],
  },
  {
    surface: '/add: a link that is not one, and a page with no text named by its link',
    messages: async (s) => [
      (await command('add', [text('url', s)])).content,
      (await command('add', [text('url', `${base}/empty?${s}`)])).content,
    ],
  },
  {
    surface: '/feeds add, list and remove',
    whole: true,
    messages: async (s, i) => {
      const sub = (name: string, options: Option[] = []): Option[] =>
        [{ name, type: ApplicationCommandOptionType.Subcommand, options }] as never;
      const added = (await command('feeds', sub('add', [text('url', `${base}/feed/${i}?${s}`)]))).content;
      const list = (await command('feeds', sub('list'))).content;
      const [feed] = running.bot.feeds.list(emulator.fixture.guild.id);
      const removed = (await command('feeds', sub('remove', [text('feed', String(feed!.id))]))).content;
      return [added, list, removed];
    },
  },
  {
    surface: '/report, of a server where it was asked',
    whole: true,
    messages: async (s) => {
      const guild = emulator.addGuild();
      const where = { user: guild.owner, guildId: guild.id };
      await command('ask', [text('question', s)], where);
      return [(await command('report', [], where)).content];
    },
  },
  {
    // A failed poll is shown by /feeds list in the words for its failure, tested below.
    surface: 'a feed’s announcement',
    whole: true,
    messages: async (s) => {
      const feed = { title: s } as PollResult['feed'];
      return [announcement({ feed, added: [], skipped: [] } as unknown as PollResult, { title: s, file: s })];
    },
  },
  {
    surface: 'the words for every failure, naming what was given',
    messages: async (s) => sampleFailures().map((f) => errorText(failureWith(f, s))),
  },
];

describe('a shared answer', () => {
  it('stays within Discord’s limit with long quotes, and keeps every source line whole', async () => {
    const reply = await command('ask', [
      text('question', 'What colour does the beacon of the far lighthouse flash over the reef?'),
      { name: 'private', type: ApplicationCommandOptionType.Boolean, value: true },
    ]);
    const lines = reply.content.split('\n');
    const sources = lines.filter((line) => line.startsWith('-# ['));
    // Three articles' sources, and their quotes cut to what room the message leaves.
    expect(sources).toHaveLength(3);
    expect(lines.filter((line) => /^> .*… \[\d\]$/.test(line))).toHaveLength(3);
    const shared = await click(reply.message.id, SHARE_BUTTON);
    expect(shared.length).toBeLessThanOrEqual(LIMITS.content);
    expect(shared.split('\n')).toEqual([`-# Shared by <@${admin().id}>`, ...lines]);
  });
});

describe('every message that repeats a user’s or a page’s text shows it as written', () => {
  it.each(SURFACES)('$surface', async ({ messages, whole }) => {
    const plain = (await messages(BENIGN, 0)).map(liveMarkup);
    expect(plain.length).toBeGreaterThan(0);
    for (const [i, s] of HOSTILE.entries()) {
      const hostile = await messages(s, i + 1);
      expect(hostile).toHaveLength(plain.length);
      // Less may be live (a link left out for room); nothing more.
      const added = hostile.map((message, n) => beyond(liveMarkup(message), plain[n]!));
      expect(added, `${JSON.stringify(s)} in ${JSON.stringify(hostile)}`).toEqual(hostile.map(() => []));
      if (whole) expect(shown(hostile.join('\n'))).toContain(s.replace(/\s+/g, ' '));
    }
  });

  it('offers titles in autocomplete as written: Discord shows a choice’s name as plain text', async () => {
    for (const [i, s] of STRINGS.entries()) {
      const names = await choices('ask', [
        text('question', 'x'),
        { ...text('article', `e${pad(i)}-`), focused: true } as Option,
      ]);
      // An id longer than a choice's value may be is not offered.
      expect(names).toEqual(idOf(i).length <= 100 ? [shorten(s.replace(/\s+/g, ' '), 100)] : []);
    }
  });
});

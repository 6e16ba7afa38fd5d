import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ApplicationCommandOptionType, MessageFlags, type APIEmbed, type APIUser } from 'discord.js';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Embedder } from '../../src/models/embedder.js';
import type { Footnote } from '../../src/library/footnote.js';
import { Libraries } from '../../src/library/libraries.js';
import { ModelHost } from '../../src/models/host.js';
import { BUSY } from '../../src/discord/limits.js';
import { REINDEX_REFUSED, REINDEX_RUNNING } from '../../src/discord/preconditions.js';
import { currentGeneration } from '../../src/store/layout.js';
import type { DiscordEmulator, RecordedRequest } from '../../scripts/discord-emulator.js';
import { expectNothingForOperators, startBot, type RunningBot } from '../support/bot.js';
import { ROOT, SHIPPED_ARTICLE, articlesCopy, logRecord } from '../support/setup.js';

// One table of cases, each sent by every path a question (or a reindex) can come by. The paths
// must give the same reply, word for word: the same preconditions and handlers answer them all.

const QUESTION = 'Is Jack Ma open to working with Apple?';
const ANSWER = 'open to working with Apple Inc on mobile payments';
const RATE_LIMIT = 3;
const SLOW_DOWN = /^You’re asking faster than I can keep up with\. Please try again in \d+ s \(<t:\d+:R>\)\.$/;

/**
 * The real models, except that the test can hold the embedding model back as a slow load would: a reindex that needs it
 * waits.
 */
class HeldModels extends ModelHost {
  private held: { waiting: () => void; released: Promise<void> } | null = null;

  /** `waiting` resolves once something waits for the model; `release` lets it have it. */
  hold(): { waiting: Promise<void>; release: () => void } {
    let waiting!: () => void;
    let release!: () => void;
    const waited = new Promise<void>((resolve) => (waiting = resolve));
    this.held = { waiting, released: new Promise<void>((resolve) => (release = resolve)) };
    return {
      waiting: waited,
      release: () => {
        this.held = null;
        release();
      },
    };
  }

  override async embedder(): Promise<Embedder> {
    if (this.held) {
      this.held.waiting();
      await this.held.released;
    }
    return super.embedder();
  }
}

const logLines: string[] = [];
const log = pino({ level: 'info' }, { write: (line: string) => void logLines.push(line) });

let emulator: DiscordEmulator;
let footnote: Footnote;
let models: HeldModels;
let running: RunningBot;
let articles: string;

beforeAll(async () => {
  articles = articlesCopy();
  // Skipped by every reindex, for a reason that names where the link points on the server.
  fs.symlinkSync(SHIPPED_ARTICLE, path.join(articles, 'elsewhere.txt'));
  running = await startBot(
    (e) => ({
      ARTICLES_DIR: articles,
      ADMIN_USER_IDS: e.fixture.users.owner.id,
      // The fixture server's admins change the home library, as in a bot run for one community.
      HOME_SERVER_IDS: e.fixture.guild.id,
      RATE_LIMIT_QUESTIONS: String(RATE_LIMIT),
      RATE_LIMIT_WINDOW_SECONDS: '600',
      MAX_CONCURRENT_ANSWERS: '1',
      MAX_QUEUED_QUESTIONS: '0',
    }),
    {
      log,
      libraries: (config, logger) =>
        new Libraries(config, logger, { models: (models = new HeldModels(config, logger)) }),
    },
  );
  emulator = running.emulator;
  footnote = running.footnote;
});

afterAll(async () => {
  await running?.stop();
  // The test's own models: the libraries leave them open.
  await models.close();
});

/** What a path's final reply said; `privately` only for slash commands, where a reply can be. */
interface Sent {
  content: string;
  embeds: APIEmbed[];
  privately?: boolean;
}

function sentMessage(request: RecordedRequest): Sent {
  expect(request.status, JSON.stringify(request.response)).toBeLessThan(400);
  const body = request.body as { content?: string; embeds?: APIEmbed[] };
  return { content: body.content ?? '', embeds: body.embeds ?? [] };
}

/** The last write of an interaction's reply: its callback (type 4) or the edit of the deferred one. */
async function slashReply(interaction: { id: string; token: string }): Promise<Sent> {
  const reply = await emulator.waitForInteractionReply(interaction.id);
  const last = emulator.requests.filter((r) => r.method !== 'GET' && r.path.includes(interaction.token)).at(-1)!;
  const message = last.path.endsWith('/callback') ? { ...last, body: (last.body as { data: unknown }).data } : last;
  return { ...sentMessage(message), privately: (reply.flags & MessageFlags.Ephemeral) !== 0 };
}

/** The bot's reply to a message (a DM or a mention), sent as a reply to it. */
async function messageReply(message: { id: string }): Promise<Sent> {
  type Body = { message_reference?: { message_id: string } } | undefined;
  const reply = await emulator.waitForRequest(
    (r) => r.method === 'POST' && (r.body as Body)?.message_reference?.message_id === message.id,
  );
  return sentMessage(reply);
}

const guildId = () => emulator.fixture.guild.id;

const QUESTION_PATHS: { name: string; ask: (user: APIUser, text: string) => Promise<Sent> }[] = [
  {
    name: '/ask',
    ask: (user, text) => {
      const options = [{ name: 'question', type: ApplicationCommandOptionType.String as const, value: text }];
      return slashReply(emulator.sendSlashCommand({ name: 'ask', user, guildId: guildId(), options }));
    },
  },
  { name: 'a DM', ask: (user, text) => messageReply(emulator.sendMessage({ content: text, author: user })) },
  {
    name: 'a mention',
    ask: (user, text) => {
      const bot = emulator.fixture.users.bot;
      return messageReply(
        emulator.sendMessage({ content: `<@${bot.id}> ${text}`, author: user, guildId: guildId(), mentions: [bot] }),
      );
    },
  },
];

interface Case<Who> {
  name: string;
  /** Run before the paths are tried; what it returns runs after them (to undo it, or check what it left). */
  before?: (who: Who) => Promise<(() => Promise<void>) | void>;
  check: (sent: Sent) => void;
  /** Whether /ask or /reindex shows the reply to the person asking only (a refusal before any deferral). */
  privately: boolean;
  /** What may differ between the paths (a time), made the same before they are compared. */
  normalize?: (content: string) => string;
}

interface QuestionCase extends Case<APIUser> {
  text: string;
}

let readers = 0;
/** A user of their own for each case, so one case's questions do not count against another's limit. */
function reader(): APIUser {
  const n = readers++;
  const id = String(1_300_000_000_000_000_000n + BigInt(n));
  return { id, username: `reader-${n}`, discriminator: '0', global_name: `Reader ${n}`, avatar: null };
}

const QUESTION_CASES: QuestionCase[] = [
  {
    name: 'an answer with its quotes',
    text: QUESTION,
    privately: false,
    check: (sent) => {
      expect(sent.content).toContain(ANSWER);
      expect(sent.content).toMatch(/\n-# \[1\]/);
    },
  },
  {
    name: 'a question with no words in it: the person is told, with no error id',
    text: ' \t\u00a0\u200b ',
    privately: false,
    check: (sent) => {
      expect(sent.content).toBe('The question is empty: ask something about the articles.');
      expect(sent.embeds).toEqual([]);
    },
  },
  {
    name: 'the answer queue full: busy, try again',
    text: QUESTION,
    privately: true,
    before: async () => {
      let release!: () => void;
      const held = running.bot.limits.queue.run(() => new Promise<void>((resolve) => (release = resolve)));
      return async () => {
        release();
        await held;
      };
    },
    check: (sent) => expect(sent.content).toBe(BUSY),
  },
];

/** What no reply may hold: an error id (these are not failures), a path, a variable, a command. */
function expectForUsers(sent: Sent): void {
  expect(sent.content).not.toMatch(/error id/);
  expectNothingForOperators(JSON.stringify(sent), [ROOT, articles, footnote.config.indexDir]);
}

/** Each path's reply passes the case's check, and all are the same. */
async function expectSameOnEveryPath<Who>(
  c: Case<Who>,
  who: Who,
  paths: { name: string; send: () => Promise<Sent> }[],
): Promise<void> {
  const after = await c.before?.(who);
  try {
    const replies: { path: string; shown: { content: string; embeds: APIEmbed[] } }[] = [];
    for (const { name, send } of paths) {
      const sent = await send();
      c.check(sent);
      expectForUsers(sent);
      if (sent.privately !== undefined) expect(sent.privately, name).toBe(c.privately);
      replies.push({ path: name, shown: { content: (c.normalize ?? String)(sent.content), embeds: sent.embeds } });
    }
    const [first, ...others] = replies;
    for (const other of others) expect(other.shown, `${other.path} and ${first!.path}`).toEqual(first!.shown);
  } finally {
    await after?.();
  }
}

describe('a question, by /ask, by DM and by mention', () => {
  it.each(QUESTION_CASES)('$name', async (c) => {
    const user = reader();
    await expectSameOnEveryPath(
      c,
      user,
      QUESTION_PATHS.map(({ name, ask }) => ({ name, send: () => ask(user, c.text) })),
    );
  });
});

/** A mention of the bot in the fixture server, by `user`. */
function mention(user: APIUser, text: string): { id: string } {
  const bot = emulator.fixture.users.bot;
  return emulator.sendMessage({ content: `<@${bot.id}> ${text}`, author: user, guildId: guildId(), mentions: [bot] });
}

/** The messages the bot has posted so far that say "slow down", wherever it posted them. */
const slowDowns = () =>
  emulator.requests.filter(
    (r) =>
      r.method === 'POST' && /asking faster than I can keep up/.test((r.body as { content?: string })?.content ?? ''),
  );

describe('over the question limit', () => {
  it('a slash command is told privately each time, to wait about as long as the window', async () => {
    const user = reader();
    for (let i = 0; i < RATE_LIMIT; i++) {
      const { ask } = QUESTION_PATHS[i % QUESTION_PATHS.length]!;
      expect((await ask(user, QUESTION)).content).toContain(ANSWER);
    }
    for (const _ of [1, 2]) {
      const refused = await QUESTION_PATHS[0]!.ask(user, QUESTION);
      expect(refused.content).toMatch(SLOW_DOWN);
      expect(refused.privately).toBe(true);
      // RATE_LIMIT_WINDOW_SECONDS is 600: the wait is counted in seconds, from the first question.
      const seconds = Number(/try again in (\d+) s/.exec(refused.content)![1]);
      expect(seconds).toBeGreaterThan(540);
      expect(seconds).toBeLessThanOrEqual(600);
    }
  });

  it.each([
    // The first is a bare mention: its hint is a reply too, and counts.
    { name: 'twenty mentions', send: (user: APIUser, i: number) => mention(user, i === 0 ? '' : QUESTION) },
    { name: 'twenty DMs', send: (user: APIUser) => emulator.sendMessage({ content: QUESTION, author: user }) },
  ])('$name get the answers within the limit, one private notice, then nothing', async ({ send }) => {
    const user = reader();
    const before = slowDowns().length;
    // One at a time within the limit (this bot answers one question at a time, and queues none), then a flood.
    const sent: { id: string }[] = [];
    for (let i = 0; i < RATE_LIMIT; i++) {
      sent.push(send(user, i));
      const reply = await messageReply(sent[i]!);
      if (i > 0) expect(reply.content).toContain(ANSWER);
    }
    for (let i = RATE_LIMIT; i < 20; i++) sent.push(send(user, i));
    const notice = await emulator.waitForRequest((r) => slowDowns().slice(before).includes(r));
    expect((notice.body as { content: string }).content).toMatch(SLOW_DOWN);
    // Once a slash command of theirs is answered, every message before it has been dealt with.
    expect((await QUESTION_PATHS[0]!.ask(user, QUESTION)).content).toMatch(SLOW_DOWN);
    const ids = new Set(sent.map((m) => m.id));
    type Body = { message_reference?: { message_id: string } } | undefined;
    const repliedTo = emulator.requests.filter(
      (r) => r.method === 'POST' && ids.has((r.body as Body)?.message_reference?.message_id ?? ''),
    );
    expect(repliedTo.length).toBe(RATE_LIMIT + ((notice.body as Body)?.message_reference ? 1 : 0));
    expect(slowDowns().length - before).toBe(1);
    // Never in the channel: a notice is sent in the DM, or to the DM of the person who mentioned.
    expect(notice.path).not.toContain(`/channels/${emulator.fixture.channel.id}/`);
  });
});

type Who = 'member' | 'admin';

const REINDEX_PATHS: {
  name: string;
  user: (who: Who) => APIUser;
  where: () => string;
  send: (user: APIUser) => Promise<Sent>;
}[] = [
  {
    name: '/reindex',
    // The admin holds Manage Server in the server.
    user: (who) => emulator.fixture.users[who === 'admin' ? 'admin' : 'regular'],
    where: guildId,
    send: (user) => slashReply(emulator.sendSlashCommand({ name: 'reindex', user, guildId: guildId() })),
  },
  {
    name: 'a DM "reindex"',
    // In a DM only ADMIN_USER_IDS may: the server owner's id here.
    user: (who) => emulator.fixture.users[who === 'admin' ? 'owner' : 'regular'],
    where: () => 'DM',
    send: (user) => messageReply(emulator.sendMessage({ content: 'reindex', author: user })),
  },
];

const audit = () => logLines.map(logRecord).filter((line) => line.audit === 'reindex');

/** A change to the articles, so that a reindex has something to do. */
function changeArticles(line: string): void {
  fs.appendFileSync(path.join(articles, 'alibaba-jack-ma-open-to-apple-payments.txt'), `\n${line}\n`);
}

const REINDEX_CASES: (Case<Who> & { who: Who })[] = [
  {
    name: 'refused to someone who may not, with an audit line, and nothing changes',
    who: 'member',
    privately: true,
    before: async () => {
      changeArticles('The council will meet on Monday.');
      const generation = currentGeneration(footnote.config.indexDir);
      return async () => {
        expect(currentGeneration(footnote.config.indexDir)).toBe(generation);
        for (const { user, where } of REINDEX_PATHS) {
          expect(audit()).toContainEqual(
            expect.objectContaining({ userId: user('member').id, where: where(), result: 'refused' }),
          );
        }
      };
    },
    check: (sent) => expect(sent.content).toBe(REINDEX_REFUSED),
  },
  {
    name: 'already running: one reindex at a time',
    who: 'admin',
    privately: true,
    before: async () => {
      changeArticles('The library will close early on Saturday.');
      const model = models.hold();
      const first = footnote.reindex();
      await model.waiting;
      return async () => {
        model.release();
        expect((await first).updated).toBe(true);
      };
    },
    check: (sent) => expect(sent.content).toBe(REINDEX_RUNNING),
  },
  {
    name: 'another process building the index (npm run index) is a reindex already running; its lock stays its own',
    who: 'admin',
    privately: false,
    before: async () => {
      const lock = path.join(footnote.config.indexDir, 'build.lock');
      // A live owner on this host: this test's own process.
      const owner = JSON.stringify({ pid: process.pid, host: os.hostname(), since: new Date().toISOString() });
      fs.writeFileSync(lock, owner);
      const generation = currentGeneration(footnote.config.indexDir);
      return async () => {
        expect(fs.readFileSync(lock, 'utf8')).toBe(owner);
        expect(currentGeneration(footnote.config.indexDir)).toBe(generation);
        fs.rmSync(lock);
      };
    },
    check: (sent) => expect(sent.content).toBe(REINDEX_RUNNING),
  },
  {
    name: 'done for an admin: the summary, naming a skipped file but not where it points',
    who: 'admin',
    privately: false,
    check: (sent) => {
      expect(sent.content).toMatch(/^\*\*The index was already up to date\.\*\*\nArticles: \d+ \(0 new, 0 changed/);
      expect(sent.content).toContain('elsewhere.txt');
    },
    normalize: (content) => content.replace(/^Took .*$/m, ''),
  },
];

describe('a reindex, by /reindex and by DM', () => {
  it.each(REINDEX_CASES)('$name', async (c) => {
    await expectSameOnEveryPath(
      c,
      c.who,
      REINDEX_PATHS.map(({ name, user, send }) => ({ name, send: () => send(user(c.who)) })),
    );
  });
});

describe('a reindex longer than its interaction lasts', () => {
  it('is reported in the channel, to the admin who asked, once the reply can no longer be edited', async () => {
    changeArticles('The swimming pool will reopen in June.');
    const admin = emulator.fixture.users.admin;
    const model = models.hold();
    const sent = emulator.sendSlashCommand({ name: 'reindex', user: admin, guildId: guildId() });
    // The reply is deferred and the build waits for the model: then Discord's 15 minutes pass.
    await model.waiting;
    emulator.expireInteractionTokens();
    model.release();
    const channelId = sent.channel_id;
    const late = await emulator.waitForRequest(
      (r) =>
        r.method === 'POST' &&
        r.path === `/channels/${channelId}/messages` &&
        (r.body as { content?: string }).content?.startsWith(`<@${admin.id}>`) === true,
    );
    expect((late.body as { content: string }).content).toMatch(
      new RegExp(`^<@${admin.id}> \\*\\*Reindex complete\\.\\*\\*\\nArticles: `),
    );
  });
});

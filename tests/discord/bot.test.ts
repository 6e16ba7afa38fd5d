import fs from 'node:fs';
import path from 'node:path';
import {
  ApplicationCommandOptionType,
  ComponentType,
  GatewayIntentBits,
  InteractionResponseType,
  MessageFlags,
} from 'discord.js';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/errors.js';
import { loadCommands } from '../../src/discord/load-commands.js';
import { Libraries } from '../../src/library/libraries.js';
import { SHARE_BUTTON } from '../../src/discord/render.js';
import { writeSotuArticles, loadSotu } from '../../scripts/sotu.js';
import { startBot, wireBot, type RunningBot } from '../support/bot.js';
import { npm, npmStart } from '../support/npm-start.js';
import { DiscordEmulator } from '../../scripts/discord-emulator.js';
import {
  ROOT,
  SHIPPED_ARTICLE,
  articlesCopy,
  collapse,
  logRecord,
  silentLog,
  tempDir,
  testConfig,
  testEnv,
} from '../support/setup.js';

const MENTION_ARTICLE = [
  '---',
  'title: Town hall notice',
  'date: 2024-05-01',
  'source: Village Bulletin',
  '---',
  '',
  'The mayor wrote @everyone in the newsletter to announce that the bridge reopens on Friday.',
].join('\n');

// The bot's log, kept to check what it says (and that it never says the token).
const logLines: string[] = [];
const log = pino({ level: 'debug' }, { write: (line: string) => void logLines.push(line) });

let emulator: DiscordEmulator;
let articles: string;
let running: RunningBot;
const file = collapse(fs.readFileSync(SHIPPED_ARTICLE, 'utf8'));

beforeAll(async () => {
  articles = articlesCopy({ 'town-hall.md': MENTION_ARTICLE });
  running = await startBot(
    (e) => ({
      ARTICLES_DIR: articles,
      ADMIN_USER_IDS: e.fixture.users.owner.id,
      // The fixture server's admins change the home library, as in a bot run for one community.
      HOME_SERVER_IDS: e.fixture.guild.id,
      // These tests ask many questions as one user; tests/discord/limits.test.ts covers the limit.
      RATE_LIMIT_QUESTIONS: '1000',
    }),
    { log },
  );
  ({ emulator } = running);
});

afterAll(() => running?.stop());

const guild = () => ({ guildId: emulator.fixture.guild.id });
const ask = (question: string, extra: Record<string, unknown> = {}) =>
  emulator.sendSlashCommand({
    name: 'ask',
    options: [{ name: 'question', type: ApplicationCommandOptionType.String, value: question }],
    ...guild(),
    ...extra,
  });

describe('/ask', () => {
  it('defers at once, then edits the reply with quotes that are verbatim in the article', async () => {
    const interaction = ask('Is Jack Ma open to working with Apple?');
    const reply = await emulator.waitForInteractionReply(interaction.id);
    expect(emulator.interaction(interaction.id)!.callback!.type).toBe(
      InteractionResponseType.DeferredChannelMessageWithSource,
    );
    expect(reply.embeds).toEqual([]);
    const lines = reply.content.split('\n');
    const quotes = lines.filter((l) => l.startsWith('> '));
    expect(quotes[0]).toMatch(/open to working with Apple Inc on mobile payments.* \[1\]$/);
    // Each quote once, verbatim; then one line of sources for the one article cited.
    for (const quote of quotes) {
      const unescaped = quote
        .replace(/^> /, '')
        .replace(/ \[\d+\]$/, '')
        .replace(/\\(.)/g, '$1')
        .replace(/…$/, '');
      expect(file).toContain(collapse(unescaped));
    }
    expect(lines.slice(quotes.length)).toEqual([
      expect.stringMatching(
        /^-# (\[\d\])+ Alibaba's Jack Ma Says He's Open to Working With Apple on Payments · Reuters, 2014-10-28 · ¶\d+(, ¶\d+)*$/,
      ),
    ]);
    expect(reply.allowed_mentions).toEqual({ parse: [] });
  });

  it('says plainly when the articles hold no answer, and suggests /articles', async () => {
    const reply = await emulator.waitForInteractionReply(ask('What is the boiling point of mercury in kelvin?').id);
    expect(reply.content).toContain("I couldn't find an answer to that in the articles.");
    expect(reply.content).toContain('/articles');
    expect(reply.embeds).toEqual([]);
  });

  it('answers privately when asked to', async () => {
    const interaction = ask('Is Jack Ma open to working with Apple?', {
      options: [
        {
          name: 'question',
          type: ApplicationCommandOptionType.String,
          value: 'Is Jack Ma open to working with Apple?',
        },
        { name: 'private', type: ApplicationCommandOptionType.Boolean, value: true },
      ],
    });
    const reply = await emulator.waitForInteractionReply(interaction.id);
    expect(
      (emulator.interaction(interaction.id)!.callback!.data as { flags: number }).flags & MessageFlags.Ephemeral,
    ).toBeTruthy();
    // Its asker may share it: the channel gets it once, saying who shared it (without a ping).
    expect(reply.components).toMatchObject([
      {
        type: ComponentType.ActionRow,
        components: [{ label: '👍' }, { label: '👎' }, { custom_id: SHARE_BUTTON, label: 'Share with the channel' }],
      },
    ]);
    const user = emulator.fixture.users.regular;
    const click = emulator.clickButton({ messageId: reply.message.id, customId: SHARE_BUTTON, user });
    const shared = await emulator.waitForRequest(
      (r) => r.method === 'POST' && r.path.startsWith(`/webhooks/`) && r.path.includes(click.token),
    );
    const body = shared.body as { content: string; flags?: number };
    expect(body.content).toBe(`-# Shared by <@${user.id}>\n${reply.content}`);
    expect((body.flags ?? 0) & MessageFlags.Ephemeral).toBe(0);
    // The private copy keeps its vote buttons and loses the share button.
    const update = emulator.interaction(click.id)!.callback as {
      type: number;
      data: { components: { components: { label: string }[] }[] };
    };
    expect(update.type).toBe(InteractionResponseType.UpdateMessage);
    expect(update.data.components[0]!.components.map((b) => b.label)).toEqual(['👍', '👎']);
  });

  it('autocompletes article titles', async () => {
    const interaction = emulator.sendAutocomplete({
      name: 'ask',
      options: [
        { name: 'question', type: ApplicationCommandOptionType.String, value: 'bridge' },
        { name: 'article', type: ApplicationCommandOptionType.String, value: 'town', focused: true },
      ],
      ...guild(),
    });
    const callback = await emulator.waitForRequest((r) => r.path.startsWith(`/interactions/${interaction.id}/`));
    expect(callback.body).toEqual({
      type: InteractionResponseType.ApplicationCommandAutocompleteResult,
      data: { choices: [{ name: 'Town hall notice', value: 'town-hall' }] },
    });
  });

  it('quotes an article containing @everyone without pinging anyone', async () => {
    const reply = await emulator.waitForInteractionReply(
      ask('When does the bridge reopen, according to the mayor?').id,
    );
    expect(reply.content).toContain('@everyone');
    expect(reply.allowed_mentions).toEqual({ parse: [] });
    expect(reply.message.mention_everyone).toBe(false);
  });
});

describe('direct messages and mentions', () => {
  it('ignores other bots and server messages that do not mention it', async () => {
    const before = emulator.requests.length;
    emulator.sendMessage({ content: 'Is Jack Ma open to working with Apple?', ...guild() });
    emulator.sendMessage({
      content: 'Is Jack Ma open to working with Apple?',
      author: { ...emulator.fixture.users.regular, id: '1100000000000000099', bot: true },
    });
    // A DM sent after them is answered; nothing was sent for the two before it.
    const probe = emulator.sendMessage({ content: 'Who reported this story?' });
    await emulator.waitForRequest(
      (r) => (r.body as { message_reference?: { message_id: string } })?.message_reference?.message_id === probe.id,
    );
    const replies = emulator.requests.slice(before).filter((r) => r.method === 'POST' && r.path.endsWith('/messages'));
    expect(replies).toHaveLength(1);
  });
});

describe('/reindex', () => {
  /** The edit of a reply whose content matches (a reindex edits its reply as it goes). */
  const finalReply = async (token: string, pattern: RegExp) => {
    const request = await emulator.waitForRequest(
      (r) =>
        r.method === 'PATCH' && r.path.includes(token) && pattern.test((r.body as { content?: string }).content ?? ''),
      60_000,
    );
    return { request, content: (request.body as { content: string }).content };
  };
  const reindex = () => emulator.sendSlashCommand({ name: 'reindex', user: emulator.fixture.users.admin, ...guild() });

  it('rebuilds for an admin, reports the summary, and keeps answering meanwhile', async () => {
    // Enough new text that the rebuild takes a while: questions must not wait for it.
    writeSotuArticles(path.join(articles, 'sotu'), loadSotu().slice(0, 30));
    const interaction = reindex();
    await emulator.waitForRequest(
      (r) =>
        r.method === 'PATCH' &&
        r.path.includes(interaction.token) &&
        /Reindexing…/.test((r.body as { content?: string }).content ?? ''),
    );
    const question = ask('Is Jack Ma open to working with Apple?');
    const answer = await emulator.waitForInteractionReply(question.id);
    expect(answer.content).toContain('open to working with Apple Inc on mobile payments');
    const summary = await finalReply(interaction.token, /Reindex complete/);
    expect(summary.content).toMatch(/Articles: 32 \(30 new, 0 changed, 0 removed\)/);
    // The question was answered before the rebuild finished.
    expect(emulator.requests.findIndex((r) => r.path.includes(question.token) && r.method === 'PATCH')).toBeLessThan(
      emulator.requests.indexOf(summary.request),
    );

    // The audit trail: who, where, when (pino's time) and the result.
    const audit = logLines
      .map(logRecord)
      .filter((l) => l.audit === 'reindex' && l.userId === emulator.fixture.users.admin.id);
    expect(audit.map((l) => l.msg)).toEqual(['reindex started', 'reindex finished']);
    expect(audit[1]).toMatchObject({
      where: emulator.fixture.guild.id,
      result: 'ok',
      summary: { articles: 32, added: 30 },
    });
    expect(typeof audit[1]?.time).toBe('number');

    const again = reindex();
    expect((await finalReply(again.token, /up to date|complete/)).content).toMatch(/already up to date/);
  });
});

describe('/articles, /status, /help and failures', () => {
  it('lists the indexed articles, a page at a time', async () => {
    const first = await emulator.waitForInteractionReply(
      emulator.sendSlashCommand({ name: 'articles', ...guild() }).id,
    );
    const embed = first.embeds[0]!;
    expect(embed.title).toBe('Articles (32)');
    expect(embed.description!.split('\n')).toHaveLength(10);
    expect(embed.footer!.text).toBe('Page 1 of 4 — /articles page:2 for more');
    // Newest first; undated articles (the speeches) last.
    expect(embed.description!.split('\n')[0]).toMatch(
      /^\*\*Town hall notice\*\* — Village Bulletin, 2024-05-01 · \d+ passages?$/,
    );
    const last = await emulator.waitForInteractionReply(
      emulator.sendSlashCommand({
        name: 'articles',
        options: [{ name: 'page', type: ApplicationCommandOptionType.Integer, value: 4 }],
      }).id,
    );
    expect(last.embeds[0]!.description!.split('\n')).toHaveLength(2);
    expect(last.embeds[0]!.description).toMatch(/State of the Union Address/);
  });

  it('shows the status of the index', async () => {
    const reply = await emulator.waitForInteractionReply(emulator.sendSlashCommand({ name: 'status', ...guild() }).id);
    expect(reply.content).toMatch(
      /Articles: 32\nPassages: \d+\nModel: model-\w+ \(local\) \(fp32, 64 dimensions\)\nRetrieval: hybrid\nIndex built: <t:\d+:f>\nUptime: /,
    );
    expect(reply.flags & MessageFlags.Ephemeral).toBeTruthy();
  });

  it('explains itself in /help, also in DMs', async () => {
    const reply = await emulator.waitForInteractionReply(emulator.sendSlashCommand({ name: 'help' }).id);
    expect(reply.content).toContain('/ask');
    expect(reply.content).toContain('quoted word for word');
  });

  it('lists every slash command in /help, with its own description, and the other ways to ask', async () => {
    const reply = await emulator.waitForInteractionReply(emulator.sendSlashCommand({ name: 'help', ...guild() }).id);
    for (const command of (await loadCommands()).values()) {
      const { name, description } = command.data.toJSON();
      expect(reply.content).toContain(`\`/${name}`);
      expect(reply.content).toContain(description);
    }
    expect(reply.content).toMatch(/direct message.*mention me/);
    expect(reply.content).toContain('Ask a follow-up');
  });

  it('sends every message it sends with mentions off: set once on the client, not per message', async () => {
    // Whatever ran before in this file (answers, refusals, DMs, mentions, reindex progress, lists) is checked too.
    await emulator.waitForInteractionReply(ask('Is Jack Ma open to working with Apple?').id);
    await emulator.waitForInteractionReply(emulator.sendSlashCommand({ name: 'help', ...guild() }).id);
    const dm = emulator.sendMessage({ content: 'Who is Jack Ma?' });
    await emulator.waitForRequest((r) => r.method === 'POST' && r.path === `/channels/${dm.channel_id}/messages`);
    const messages = emulator.requests.flatMap((r) => {
      if (r.method !== 'POST' && r.method !== 'PATCH') return [];
      const body = r.body as { type?: number; data?: Record<string, unknown> } & Record<string, unknown>;
      const message = r.path.endsWith('/callback') ? body.data : body;
      return message && ('content' in message || 'embeds' in message) ? [{ path: r.path, message }] : [];
    });
    expect(messages.length).toBeGreaterThanOrEqual(3);
    for (const { path: where, message } of messages)
      expect(message.allowed_mentions, where).toMatchObject({ parse: [] });
    const sources = ['src', 'commands'].flatMap((dir) =>
      fs
        .readdirSync(path.join(ROOT, dir), { recursive: true, encoding: 'utf8' })
        .filter((f) => f.endsWith('.ts'))
        .map((f) => fs.readFileSync(path.join(ROOT, dir, f), 'utf8')),
    );
    expect(sources.join('\n').match(/allowedMentions/g)).toHaveLength(1);
  });

  it('apologises with an error id that is in the log, and never logs the token', async () => {
    const reply = await emulator.waitForInteractionReply(
      emulator.sendSlashCommand({ name: 'no-such-command', ...guild() }).id,
    );
    const id = /error id `([0-9a-f]{8})`/.exec(reply.content)?.[1];
    expect(id).toBeDefined();
    const entry = logLines.map(logRecord).find((l) => l.errorId === id);
    expect(entry).toMatchObject({
      msg: 'request failed',
      command: 'no-such-command',
      userId: emulator.fixture.users.regular.id,
    });
    expect(entry?.err?.message).toMatch(/no handler for \/no-such-command/);
    expect(logLines.join('')).not.toContain(emulator.token);
  });
});

describe('npm start', () => {
  const started = (own: DiscordEmulator, env: Record<string, string> = {}) => npmStart(own, env);
  const askOwn = (own: DiscordEmulator) =>
    own.waitForInteractionReply(
      own.sendSlashCommand({
        name: 'ask',
        options: [
          {
            name: 'question',
            type: ApplicationCommandOptionType.String,
            value: 'Is Jack Ma open to working with Apple?',
          },
        ],
      }).id,
    );

  it('connects with the values from the environment, answers, and shuts down cleanly on SIGTERM', async () => {
    const own = await DiscordEmulator.start();
    try {
      const answersDb = path.join(tempDir(), 'answers.db');
      const { child, output, exited } = await started(own, { ANSWERS_DB: answersDb });
      expect((await askOwn(own)).content).toContain('open to working with Apple Inc on mobile payments');
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      // The answer log and the limits both closed the file: the last to close folds its log back into it.
      expect(fs.existsSync(answersDb)).toBe(true);
      expect(fs.existsSync(`${answersDb}-wal`)).toBe(false);
      expect(output.text).toMatch(/shutting down/);
      expect(output.text).toMatch(/command answered/);
      expect(output.text).not.toContain(own.token);
      expect(own.gatewayLog.some((e) => e.type === 'close' && e.initiator === 'client' && e.code === 1000)).toBe(true);
    } finally {
      await own.close();
    }
  });

  // A directory with no model in it: the configuration is valid, loading would fail.
  const noModel = (): string => {
    const dir = path.join(tempDir(), 'no-model-here');
    fs.mkdirSync(dir);
    return dir;
  };

  it('runs without the embedding model with RETRIEVAL_MODE=lexical, though the model cannot be loaded', async () => {
    const own = await DiscordEmulator.start();
    try {
      const { child, exited } = await started(own, { RETRIEVAL_MODE: 'lexical', EMBEDDING_MODEL: noModel() });
      expect((await askOwn(own)).content).toContain('open to working with Apple Inc on mobile payments');
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      await own.close();
    }
  });

  it('stops with exit 2 naming EMBEDDING_MODEL when a forced hybrid mode cannot load the model', async () => {
    const own = await DiscordEmulator.start();
    try {
      const result = await npm(['start'], {
        RETRIEVAL_MODE: 'hybrid',
        EMBEDDING_MODEL: noModel(),
        DISCORD_TOKEN: own.token,
        DISCORD_CLIENT_ID: own.applicationId,
        DISCORD_API_BASE: own.apiBase,
      });
      expect(result.status).toBe(2);
      expect(result.stderr).toMatch(/Fix EMBEDDING_MODEL/);
    } finally {
      await own.close();
    }
  });

  it('stops with exit 2 naming ANSWERS_DB when it cannot be opened', async () => {
    const own = await DiscordEmulator.start();
    try {
      const notes = path.join(tempDir(), 'notes.txt');
      fs.writeFileSync(notes, 'Not a database at all, only some notes. '.repeat(50));
      const result = await npm(['start'], {
        ANSWERS_DB: notes,
        DISCORD_TOKEN: own.token,
        DISCORD_CLIENT_ID: own.applicationId,
        DISCORD_API_BASE: own.apiBase,
      });
      expect(result.status).toBe(2);
      expect(result.stderr).toMatch(/^ANSWERS_DB: .*notes\.txt cannot be opened \(SQLITE_NOTADB\)/m);
      expect(own.gatewayLog).toEqual([]);
    } finally {
      await own.close();
    }
  });

  it('answers by keyword search with RETRIEVAL_MODE=auto while the model cannot be loaded, then with the model', async () => {
    const own = await DiscordEmulator.start();
    try {
      const model = noModel();
      const status = async (): Promise<string> =>
        (await own.waitForInteractionReply(own.sendSlashCommand({ name: 'status', guildId: own.fixture.guild.id }).id))
          .content;
      const { child, output, exited, logged } = await started(own, {
        RETRIEVAL_MODE: 'auto',
        EMBEDDING_MODEL: model,
        MODEL_RETRY_SECONDS: '1',
      });
      const first = (await askOwn(own)).content;
      expect(first, output.text).toContain('open to working with Apple Inc on mobile payments');
      expect(output.text).toMatch(/answering by keyword search until the embedding model loads/);
      expect(await status()).toMatch(/Retrieval: lexical \(the embedding model cannot be loaded/);
      expect(child.exitCode).toBeNull();

      // The hub is reachable again: the model appears where EMBEDDING_MODEL points, with no question asked.
      // Whole at once (a rename over the empty directory), as a finished download is.
      const arriving = `${model}.part`;
      fs.cpSync(testEnv().EMBEDDING_MODEL!, arriving, { recursive: true });
      fs.renameSync(arriving, model);
      await logged(/the embedding model is loaded/);
      expect(await status()).toMatch(/Retrieval: hybrid/);
      expect((await askOwn(own)).content).toContain('open to working with Apple Inc on mobile payments');
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      await own.close();
    }
  });
});

describe('a set-up Discord refuses', () => {
  it('names MESSAGE_CONTENT when the portal has not granted the Message Content intent', async () => {
    const own = await DiscordEmulator.start({ disallowedIntents: GatewayIntentBits.MessageContent });
    const config = testConfig({ DISCORD_API_BASE: own.apiBase, MESSAGE_CONTENT: 'true' });
    const libraries = new Libraries(config, silentLog);
    const { bot, close } = await wireBot(libraries, config, silentLog);
    try {
      const failure = await bot.start(own.token).catch((e: unknown) => e);
      expect(failure).toBeInstanceOf(ConfigError);
      expect((failure as ConfigError).variable).toBe('MESSAGE_CONTENT');
      expect((failure as Error).message).toMatch(/Privileged Gateway Intents.*MESSAGE_CONTENT=false/);
    } finally {
      await close();
      await libraries.close();
      await own.close();
    }
  });
});

describe('secrets', () => {
  it('never prints a rejected token, and keeps .env out of git', async () => {
    const own = await DiscordEmulator.start();
    try {
      const wrong = `${own.token.slice(0, -6)}XXXXXX`;
      const result = await npm(['start'], {
        DISCORD_TOKEN: wrong,
        DISCORD_CLIENT_ID: own.applicationId,
        DISCORD_API_BASE: own.apiBase,
        LOG_LEVEL: 'debug',
      });
      // A set-up error: the variable and what to do, exit 2.
      expect(result.status).toBe(2);
      expect(result.stderr).toMatch(/^DISCORD_TOKEN: Discord did not accept this token\. Copy the bot token/m);
      expect(`${result.stdout}${result.stderr}`).not.toContain(wrong);
      expect(`${result.stdout}${result.stderr}`).not.toContain(wrong.split('.')[2]);
    } finally {
      await own.close();
    }
    expect(fs.readFileSync(path.join(ROOT, '.gitignore'), 'utf8')).toMatch(/^\.env$/m);
  });
});

describe('the gateway', () => {
  it('resumes after a dropped connection and answers the next interaction', async () => {
    const resumed = emulator.waitForGateway((e) => e.type === 'resume');
    await emulator.dropConnection();
    await resumed;
    const reply = await emulator.waitForInteractionReply(ask('Is Jack Ma open to working with Apple?').id);
    expect(reply.content).toContain('open to working with Apple Inc on mobile payments');
    expect(emulator.gatewayLog.filter((e) => e.type === 'identify')).toHaveLength(1);
  });
});

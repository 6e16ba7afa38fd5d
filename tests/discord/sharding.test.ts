import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApplicationCommandOptionType, GatewayIntentBits, type APIUser } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Feeds } from '../../src/library/feeds/feeds.js';
import { Libraries } from '../../src/library/libraries.js';
import { DiscordEmulator } from '../../scripts/discord-emulator.js';
import { npm, npmStart } from '../support/npm-start.js';
import { ROOT, closeServer, logRecord, silentLog, testEnv } from '../support/setup.js';
import { loadConfig } from '../../src/config.js';

// `npm start` with DISCORD_SHARDS: discord.js's ShardingManager in the npm start process, one process per shard,
// against the emulator over loopback.

/** The process ids that logged in `output`: the manager's and every shard's. */
const pidsIn = (output: string): number[] => [
  ...new Set(
    output
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => logRecord(line).pid as number),
  ),
];
const running = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

// A feed with one story, from a local server.
const STORY = `<!doctype html><html><head><title>The Night Ferry</title></head><body><article><h1>The Night Ferry</h1>
<p>The night ferry to Vardo leaves at eleven from the north pier, except on Sundays in winter, when the harbour closes
early and the crossing waits for the morning boat.</p></article></body></html>`;
let feedServer: http.Server;
let feedBase: string;

beforeAll(async () => {
  feedServer = http.createServer((req, res) => {
    if (req.url === '/rss.xml')
      return void res
        .writeHead(200, { 'content-type': 'application/rss+xml' })
        .end(
          `<?xml version="1.0"?><rss version="2.0"><channel><title>Harbour News</title><link>${feedBase}/</link>` +
            `<item><title>Ferry</title><link>${feedBase}/ferry</link><guid>ferry</guid></item></channel></rss>`,
        );
    if (req.url === '/ferry') return void res.writeHead(200, { 'content-type': 'text/html' }).end(STORY);
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => feedServer.listen(0, '127.0.0.1', resolve));
  feedBase = `http://127.0.0.1:${(feedServer.address() as AddressInfo).port}`;
});

afterAll(() => closeServer(feedServer));

const ask = (own: DiscordEmulator, guildId: string, user: APIUser) =>
  own.waitForInteractionReply(
    own.sendSlashCommand({
      name: 'ask',
      guildId,
      user,
      options: [
        {
          name: 'question',
          type: ApplicationCommandOptionType.String,
          value: 'Is Jack Ma open to working with Apple?',
        },
      ],
    }).id,
    20_000,
  );

describe('npm start with DISCORD_SHARDS=auto, against a Discord that recommends two shards', () => {
  it('runs a shard per process: each identifies once, answers its own servers, and stops on SIGTERM', async () => {
    const own = await DiscordEmulator.start({ shards: 2, maxConcurrency: 2 });
    // The fixture server lands on shard 1 of 2; this one on shard 0.
    const first = own.addGuild({ name: 'Harbour', shard: { id: 0, count: 2 } });
    const second = own.fixture.guild;
    expect([own.shardOf(first.id, 2), own.shardOf(second.id, 2)]).toEqual([0, 1]);
    const env = testEnv({
      LOG_LEVEL: 'info',
      DISCORD_SHARDS: 'auto',
      FETCH_ALLOW_HOSTS: '127.0.0.1',
      RATE_LIMIT_QUESTIONS: '2',
      RATE_LIMIT_WINDOW_SECONDS: '600',
    });
    // A feed the second server follows, due now: shard 0 polls it and announces in the second server's channel,
    // over REST, though that server's events go to shard 1.
    const config = loadConfig(env, ROOT);
    const libraries = new Libraries(config, silentLog);
    const feeds = new Feeds(libraries, config, silentLog);
    await feeds.follow(`${feedBase}/rss.xml`, { owner: second.id, addedBy: 'admin', announceTo: second.channel.id });
    feeds.close();
    await libraries.close();
    let bot: Awaited<ReturnType<typeof npmStart>> | undefined;
    try {
      bot = await npmStart(own, env, /every shard is ready/);
      expect(
        own
          .identifies()
          .map((i) => i.shard)
          .sort(),
      ).toEqual([
        [0, 2],
        [1, 2],
      ]);
      const user = own.fixture.users.regular;
      for (const guild of [first, second])
        expect((await ask(own, guild.id, user)).content).toContain('open to working with Apple Inc on mobile payments');
      // One budget for the user in both servers: the third question, whichever shard gets it, waits.
      expect((await ask(own, first.id, user)).content).toMatch(/asking faster than I can keep up with/);

      const dm = own.sendMessage({ content: 'Is Jack Ma open to working with Apple?', author: own.addUser('reader') });
      const posted = (channelId: string) =>
        own.requests.filter((r) => r.method === 'POST' && r.path.endsWith(`/channels/${channelId}/messages`));
      await own.waitForRequest((r) => r.method === 'POST' && r.path.endsWith(`/channels/${dm.channel_id}/messages`));

      await own.waitForRequest(
        (r) => r.method === 'POST' && r.path.endsWith(`/channels/${second.channel.id}/messages`),
      );
      // The story shard 0 took into the second server's library is in shard 1's next answer there.
      const ferry = await own.waitForInteractionReply(
        own.sendSlashCommand({
          name: 'ask',
          guildId: second.id,
          user: own.fixture.users.admin,
          options: [
            {
              name: 'question',
              type: ApplicationCommandOptionType.String,
              value: 'When does the night ferry to Vardo leave?',
            },
          ],
        }).id,
        20_000,
      );
      expect(ferry.content).toContain('The night ferry to Vardo leaves at eleven from the north pier');
      bot.child.kill('SIGTERM');
      expect(await bot.exited).toBe(0);
      expect(posted(dm.channel_id)).toHaveLength(1);
      const announced = own.guildMessages(second.id).filter((m) => m.content.startsWith('New from'));
      expect(announced.map((m) => m.content)).toEqual(['New from Harbour News: **The Night Ferry**']);
      expect(own.identifies()).toHaveLength(2);
      // The home index was missing: one shard built it, the other waited for it or found it built.
      expect(bot.output.text.match(new RegExp(`building it from ${ROOT}/data/articles`, 'g'))).toHaveLength(1);
      expect(bot.output.text).toMatch(/"shard":0.*"msg":"shutting down"/);
      expect(bot.output.text).toMatch(/"shard":1.*"msg":"shutting down"/);
      const pids = pidsIn(bot.output.text);
      expect(pids).toHaveLength(3);
      expect(pids.filter(running)).toEqual([]);
    } finally {
      // A failed assertion leaves no shard running.
      for (const pid of pidsIn(bot?.output.text ?? '').filter(running)) process.kill(pid, 'SIGKILL');
      await own.close();
    }
  }, 120_000);
});

describe('npm start with DISCORD_SHARDS', () => {
  it('starts a shard again when it dies, saying why, and it answers its server again', async () => {
    const own = await DiscordEmulator.start({ shards: 2, maxConcurrency: 2 });
    const bot = await npmStart(own, { DISCORD_SHARDS: '2' }, /every shard is ready/);
    try {
      // Its own process logs "connected to Discord"; the manager logs "shard connected".
      const shard1 = bot.output.text
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map(logRecord)
        .find((record) => record.shard === 1 && record.msg === 'connected to Discord')?.pid as number | undefined;
      expect(shard1).toBeDefined();
      process.kill(shard1!, 'SIGKILL');
      await bot.logged(
        /"shard":1,"code":null,"signal":"SIGKILL","restartInMs":1000,"msg":"shard exited: starting it again"/,
      );
      await own.waitForGateway((e) => e.type === 'identify' && e.shard?.[0] === 1 && e.connection > 2);
      const user = own.fixture.users.regular;
      expect((await ask(own, own.fixture.guild.id, user)).content).toContain('open to working with Apple Inc');
      expect(own.identifies().map((i) => i.shard[0])).toEqual([0, 1, 1]);
      bot.child.kill('SIGTERM');
      expect(await bot.exited).toBe(0);
    } finally {
      for (const pid of pidsIn(bot.output.text).filter(running)) process.kill(pid, 'SIGKILL');
      await own.close();
    }
  });

  it('stops its shards when the manager itself is killed, rather than leave them unmanaged', async () => {
    const own = await DiscordEmulator.start({ shards: 2, maxConcurrency: 2 });
    const bot = await npmStart(own, { DISCORD_SHARDS: '2' }, /every shard is ready/);
    await bot.logged(/"shard":1,[^\n]*"msg":"connected to Discord"/);
    const pids = pidsIn(bot.output.text);
    try {
      expect(pids).toHaveLength(3);
      // The manager's own process (npm's child), which logs the start.
      const manager = bot.output.text
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map(logRecord)
        .find((record) => record.msg === 'starting 2 shards')?.pid as number;
      process.kill(manager, 'SIGKILL');
      await own.waitForGateway((e) => e.type === 'close' && e.shard?.[0] === 0 && e.initiator === 'client');
      await own.waitForGateway((e) => e.type === 'close' && e.shard?.[0] === 1 && e.initiator === 'client');
      await expect.poll(() => pids.filter(running), { timeout: 15_000 }).toEqual([]);
    } finally {
      for (const pid of pids.filter(running)) process.kill(pid, 'SIGKILL');
      await own.close();
    }
  });

  it('exits 2 naming DISCORD_SHARDS when one process would hold more servers than Discord allows', async () => {
    const own = await DiscordEmulator.start({ maxGuildsPerShard: 1 });
    try {
      own.addGuild();
      const result = await npm(['start'], {
        DISCORD_TOKEN: own.token,
        DISCORD_CLIENT_ID: own.applicationId,
        DISCORD_API_BASE: own.apiBase,
      });
      expect(result.status).toBe(2);
      expect(result.stderr).toMatch(/DISCORD_SHARDS: Discord requires sharding: .* Set DISCORD_SHARDS=auto/);
    } finally {
      await own.close();
    }
  });

  it('refuses SHARDS, which discord.js reads itself, naming DISCORD_SHARDS', async () => {
    const result = await npm(['start'], { SHARDS: 'auto', DISCORD_TOKEN: 'x.y.z', DISCORD_CLIENT_ID: '1'.repeat(18) });
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/SHARDS: discord.js reads this name itself; .* set DISCORD_SHARDS=auto/);
  });

  it('exits 2 naming DISCORD_TOKEN when Discord refuses the token, before starting any shard', async () => {
    const own = await DiscordEmulator.start();
    try {
      const result = await npm(['start'], {
        DISCORD_SHARDS: 'auto',
        DISCORD_TOKEN: 'not-the-token',
        DISCORD_CLIENT_ID: own.applicationId,
        DISCORD_API_BASE: own.apiBase,
      });
      expect(result.status).toBe(2);
      expect(result.stderr).toMatch(/DISCORD_TOKEN: Discord did not accept this token/);
      expect(result.stdout + result.stderr).not.toMatch(/starting \d+ shard/);
      expect(own.gatewayLog.filter((e) => e.type === 'identify')).toEqual([]);
    } finally {
      await own.close();
    }
  });

  it('exits 2 when Discord recommends more shards than one machine runs, starting none', async () => {
    const own = await DiscordEmulator.start({ shards: 300 });
    try {
      const result = await npm(['start'], {
        DISCORD_SHARDS: 'auto',
        DISCORD_TOKEN: own.token,
        DISCORD_CLIENT_ID: own.applicationId,
        DISCORD_API_BASE: own.apiBase,
      });
      expect(result.status).toBe(2);
      expect(result.stderr).toMatch(
        /DISCORD_SHARDS: Discord recommends 300 shards, more than the 256 one machine runs/,
      );
      expect(own.identifies()).toEqual([]);
    } finally {
      await own.close();
    }
  });

  it('stops every shard and exits 2 when a shard stops on a setting to fix, leaving no process', async () => {
    const own = await DiscordEmulator.start({ disallowedIntents: GatewayIntentBits.MessageContent });
    try {
      const bot = await npmStart(own, { DISCORD_SHARDS: '1', MESSAGE_CONTENT: 'true' }, /starting 1 shard/);
      expect(await bot.exited).toBe(2);
      expect(bot.output.text).toMatch(/MESSAGE_CONTENT: Discord refused the Message Content intent/);
      expect(bot.output.text).toMatch(/a shard stopped on a setting to fix: stopping every shard/);
      expect(bot.output.text).not.toMatch(/shard exited: starting it again/);
      expect(pidsIn(bot.output.text).filter(running)).toEqual([]);
    } finally {
      await own.close();
    }
  });
});

import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  ApplicationCommandOptionType,
  Events,
  GatewayDispatchEvents,
  Sweepers,
  type APIThreadChannel,
  type APIUser,
  type Guild,
} from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { THREAD_SWEEP } from '../../src/discord/cache-policy.js';
import { IN_THE_THREAD } from '../../src/discord/buttons/follow-up.js';
import type { DiscordEmulator, EmulatedGuild, InteractionReply } from '../../scripts/discord-emulator.js';
import { snowflake } from '../../scripts/discord-emulator/snowflake.js';
import { startBot, type RunningBot } from '../support/bot.js';
import { closeServer } from '../support/setup.js';

// discord.js's caches under the bot's policy (src/discord/cache-policy.ts), through the real client and the emulator:
// a server with many members, emojis and stickers arrives, its members ask in every way the bot answers, and the
// client keeps no more of it than its own member, while every way of asking still works.

const ADMINS = 40;
const JOINED = 60;
const EMOJIS = 30;
const STICKERS = 5;

const STORY =
  'The night ferry to Vardo leaves at eleven from the north pier, except on Sundays in winter, when the harbour closes early.';

let running: RunningBot;
let emulator: DiscordEmulator;
let big: EmulatedGuild;
let members: APIUser[];
let feedServer: http.Server;
let feedBase: string;
/** What the client was sent of the server as it arrived, counted from its events. */
const arrived = { members: 0, emojis: 0, stickers: 0 };

beforeAll(async () => {
  feedServer = http.createServer((req, res) => {
    if (req.url === '/rss.xml') {
      const item = `<item><title>ferry</title><link>${feedBase}/stories/ferry</link><guid>ferry</guid></item>`;
      const rss = `<?xml version="1.0"?><rss version="2.0"><channel><title>Harbour News</title>${item}</channel></rss>`;
      return void res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(rss);
    }
    if (req.url === '/stories/ferry') {
      const page = `<html><head><title>Ferry news</title></head><body><article><p>${STORY}</p></article></body></html>`;
      return void res.writeHead(200, { 'content-type': 'text/html' }).end(page);
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => feedServer.listen(0, '127.0.0.1', resolve));
  feedBase = `http://127.0.0.1:${(feedServer.address() as AddressInfo).port}`;
  running = await startBot(() => ({ FETCH_ALLOW_HOSTS: '127.0.0.1' }));
  emulator = running.emulator;
  const { client } = running.bot;
  client.on(Events.GuildMemberAdd, () => arrived.members++);
  client.on(Events.GuildEmojiCreate, () => arrived.emojis++);
  client.on(Events.GuildStickerCreate, () => arrived.stickers++);

  members = Array.from({ length: ADMINS + JOINED }, (_, i) => emulator.addUser(`member-${i}`));
  const created = once(client, Events.GuildCreate);
  // The first ADMINS are listed in GUILD_CREATE (holding Manage Server); the rest join after.
  big = emulator.addGuild({ admins: members.slice(0, ADMINS), extraChannels: 20, extraRoles: 10 });
  await created;
  const joinedAt = new Date().toISOString();
  for (const user of members.slice(ADMINS)) {
    emulator.dispatch(GatewayDispatchEvents.GuildMemberAdd, {
      guild_id: big.id,
      user,
      nick: null,
      avatar: null,
      roles: [],
      joined_at: joinedAt,
      premium_since: null,
      deaf: false,
      mute: false,
      flags: 0,
      pending: false,
    });
  }
  emulator.dispatch(GatewayDispatchEvents.GuildEmojisUpdate, {
    guild_id: big.id,
    emojis: Array.from({ length: EMOJIS }, (_, i) => ({
      id: snowflake(),
      name: `emoji_${i}`,
      roles: [],
      require_colons: true,
      managed: false,
      animated: false,
      available: true,
    })),
  });
  emulator.dispatch(GatewayDispatchEvents.GuildStickersUpdate, {
    guild_id: big.id,
    stickers: Array.from({ length: STICKERS }, (_, i) => ({
      id: snowflake(),
      name: `sticker-${i}`,
      tags: 'boat',
      type: 2,
      format_type: 1,
      available: true,
      guild_id: big.id,
      description: null,
    })),
  });
  // The gateway is ordered: once a question asked after them is answered, the client has handled every one.
  await ask('Is Jack Ma open to working with Apple?', members[ADMINS]!);
});

afterAll(async () => {
  await running?.stop();
  if (feedServer) await closeServer(feedServer);
});

/** `/ask question:` in the big server's #general, and its reply. */
function ask(question: string, user: APIUser): Promise<InteractionReply> {
  const options = [{ name: 'question', type: ApplicationCommandOptionType.String as const, value: question }];
  const sent = emulator.sendSlashCommand({ name: 'ask', options, guildId: big.id, user });
  return emulator.waitForInteractionReply(sent.id);
}

const sentTo = (channelId: string) => (r: { method: string; path: string }) =>
  r.method === 'POST' && r.path === `/channels/${channelId}/messages`;

/** A message from `author` (in the big server when `channelId` is one of its channels, else a DM), and the content
 * of the bot's next message in that channel. */
async function replyTo(author: APIUser, content: string, channelId?: string): Promise<string> {
  const before = emulator.requests.length;
  const sent = emulator.sendMessage({ author, content, ...(channelId ? { guildId: big.id, channelId } : {}) });
  const reply = await emulator.waitForRequest(
    (r) => sentTo(sent.channel_id)(r) && emulator.requests.indexOf(r) >= before,
  );
  return (reply.body as { content: string }).content;
}

const mention = (text: string) => `<@${emulator.fixture.users.bot.id}> ${text}`;

function bigGuild(): Guild {
  return running.bot.client.guilds.cache.get(big.id)!;
}

describe('a big server under the cache policy', () => {
  it('arrived whole, and only the bot’s own member is kept of it: no emoji, sticker or other member', () => {
    expect(arrived).toEqual({ members: JOINED, emojis: EMOJIS, stickers: STICKERS });
    // Its owner, its admins, the bot, and those who joined since.
    expect(bigGuild().memberCount).toBe(1 + ADMINS + 1 + JOINED);
    expect([...bigGuild().members.cache.keys()]).toEqual([emulator.fixture.users.bot.id]);
    expect(bigGuild().members.me?.id).toBe(emulator.fixture.users.bot.id);
    expect(bigGuild().emojis.cache.size).toBe(0);
    expect(bigGuild().stickers.cache.size).toBe(0);
    // Its channels and roles stay whole: channel checks and permissions read them.
    expect(bigGuild().channels.cache.size).toBe(21);
    expect(bigGuild().roles.cache.size).toBe(12);
  });

  it('answers /ask', async () => {
    const reply = await ask('Who does Jack Ma have tremendous respect for?', members[ADMINS + 1]!);
    expect(reply.content).toContain('tremendous respect for Apple CEO Tim Cook');
  });

  it('answers a mention in a channel, and a DM', async () => {
    const author = members[ADMINS + 2]!;
    expect(await replyTo(author, mention('Is Jack Ma open to Apple?'), big.channel.id)).toContain(
      'open to working with Apple',
    );
    expect(await replyTo(author, 'Is Jack Ma open to working with Apple?')).toContain('open to working with Apple');
  });

  it('opens a follow-up thread and answers in it; swept once archived, the thread is still answered in', async () => {
    const user = members[ADMINS + 3]!;
    const answer = await ask('Who does Jack Ma have tremendous respect for?', user);
    const button = (answer.components[0] as { components: { custom_id: string; label: string }[] }).components.find(
      (b) => b.label === 'Ask a follow-up',
    )!;
    const click = () => emulator.clickButton({ messageId: answer.message.id, customId: button.custom_id, user });
    const created = emulator.waitForRequest((r) => r.method === 'POST' && r.path.endsWith('/threads'));
    click();
    const thread = (await created).response as APIThreadChannel;
    const where = mention('and where did he say it?');
    expect(await replyTo(user, where, thread.id)).toContain('Wall Street Journal Digital Live conference');

    // Archived two sweeps ago: the sweeper's next run drops it.
    const archivedAt = new Date(Date.now() - 2 * THREAD_SWEEP.lifetime * 1000).toISOString();
    const { client } = running.bot;
    emulator.dispatch(GatewayDispatchEvents.ThreadUpdate, {
      ...thread,
      thread_metadata: { ...thread.thread_metadata, archived: true, archive_timestamp: archivedAt },
    });
    await ask('Is Jack Ma open to working with Apple?', user);
    expect(client.options.sweepers).toEqual({ threads: THREAD_SWEEP });
    expect(client.sweepers.intervals.threads).not.toBeNull();
    expect(client.sweepers.sweepThreads(Sweepers.archivedThreadSweepFilter(THREAD_SWEEP.lifetime)()!)).toBe(1);
    expect(client.channels.cache.has(thread.id)).toBe(false);

    // A question there brings the thread back (the message names its channel), read with the thread's turns; a second
    // click finds the thread by its id.
    expect(await replyTo(user, where, thread.id)).toContain('Wall Street Journal Digital Live conference');
    const again = click();
    const callback = await emulator.waitForRequest((r) => r.path.startsWith(`/interactions/${again.id}/`));
    expect((callback.body as { data: { content: string } }).data.content).toBe(`${IN_THE_THREAD} <#${thread.id}>`);
  });

  it('announces a followed feed’s new article in the server’s channel', async () => {
    const channel = big.channel.id;
    const before = emulator.requests.length;
    const sent = emulator.sendSlashCommand({
      name: 'feeds',
      user: members[0]!,
      guildId: big.id,
      options: [
        {
          name: 'add',
          type: ApplicationCommandOptionType.Subcommand,
          options: [
            { name: 'url', type: ApplicationCommandOptionType.String, value: `${feedBase}/rss.xml` },
            { name: 'channel', type: ApplicationCommandOptionType.Channel, value: channel },
          ],
        },
      ],
    });
    expect((await emulator.waitForInteractionReply(sent.id, 20_000)).content).toMatch(
      /^Following \*\*Harbour News\*\*/,
    );
    // The first poll began with the reply: this waits for it, and its announcement.
    await running.bot.pollFeeds();
    const posted = emulator.requests.slice(before).filter(sentTo(channel));
    expect(posted.map((r) => (r.body as { content: string }).content)).toEqual([
      'New from Harbour News: **Ferry news**',
    ]);
  });

  it('after all that, keeps no member, user or message but its own, in any server', () => {
    const { client } = running.bot;
    const botId = emulator.fixture.users.bot.id;
    expect([...client.users.cache.keys()]).toEqual([botId]);
    for (const guild of client.guilds.cache.values()) {
      expect([...guild.members.cache.keys()]).toEqual([botId]);
      expect(guild.emojis.cache.size + guild.stickers.cache.size + guild.presences.cache.size).toBe(0);
      expect(guild.voiceStates.cache.size).toBe(0);
    }
    const textChannels = [...client.channels.cache.values()].filter((c) => c.isTextBased());
    // The fixture server's #general, the big server's 21 channels, the DM, and the follow-up thread brought back.
    expect(textChannels).toHaveLength(24);
    for (const channel of textChannels) expect(channel.messages.cache.size).toBe(0);
  });
});

import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {
  ApplicationCommandOptionType,
  type APIApplicationCommandInteractionDataOption,
  type APIUser,
} from 'discord.js';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOME_LIBRARY } from '../../src/library/library-id.js';
import { Feeds } from '../../src/library/feeds/feeds.js';
import { FEED_CHANNEL_REFUSED } from '../../src/discord/handlers/feeds-handler.js';
import { FEEDS_REFUSED } from '../../src/discord/preconditions.js';
import { data as feedsCommand } from '../../commands/feeds.js';
import type { DiscordEmulator } from '../../scripts/discord-emulator.js';
import { expectNothingForOperators, startBot, type RunningBot } from '../support/bot.js';
import { articlesCopy, closeServer, logRecord, ROOT } from '../support/setup.js';

// /feeds through the real client and the emulator: follow, list, autocomplete, remove, who may,
// and the line a channel gets for each new article a poll takes. The emulator has one server: a
// second server's feeds are followed through Feeds, under another server id.

const STORIES: Record<string, string> = {
  ferry:
    'The night ferry to Vardo leaves at eleven from the north pier, except on Sundays in winter, when the harbour closes early.',
  market:
    'The fish market on the quay reopened on Tuesday after the storm, with eleven stalls selling cod, herring and crab again.',
  tide: 'High tide at the north pier falls an hour later each day; the harbour master posts the table on Mondays.',
  pier: 'The old timber pier was rebuilt in stone after the winter storms, and the ferry now berths there at every tide.',
  gull: 'A pair of herring gulls has nested on the harbour crane for six springs, and the crane driver now works around them.',
};
let items = ['ferry'];

const logLines: string[] = [];
const log = pino({ level: 'info' }, { write: (line: string) => void logLines.push(line) });
const audit = () => logLines.map(logRecord).filter((line) => line.audit === 'feeds');

// A story page the test holds unanswered (a slow site) until it lets it go.
let held: { url: string; released: Promise<void> } | null = null;
function holdStory(slug: string): () => void {
  let release = (): void => {};
  held = { url: `/stories/${slug}`, released: new Promise<void>((resolve) => (release = resolve)) };
  return () => {
    held = null;
    release();
  };
}

let running: RunningBot;
let emulator: DiscordEmulator;
let server: http.Server;
let base: string;
let now = Date.UTC(2026, 11, 1, 12);

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const url = req.url ?? '/';
    if (held?.url === url) return void held.released.then(() => server.emit('request', req, res));
    // A query names another feed with the same items.
    if (url.split('?')[0] === '/rss.xml') {
      const list = items.map(
        (s) => `<item><title>${s}</title><link>${base}/stories/${s}</link><guid>${s}</guid></item>`,
      );
      const rss = `<?xml version="1.0"?><rss version="2.0"><channel><title>Harbour News</title>${list.join('')}</channel></rss>`;
      return void res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(rss);
    }
    const story = url.match(/^\/stories\/(\w+)$/);
    if (story && STORIES[story[1]!]) {
      const title = `${story[1]![0]!.toUpperCase()}${story[1]!.slice(1)} news`;
      const page = `<html><head><title>${title}</title></head><body><article><p>${STORIES[story[1]!]}</p></article></body></html>`;
      return void res.writeHead(200, { 'content-type': 'text/html' }).end(page);
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  running = await startBot(
    (e) => ({
      ARTICLES_DIR: articlesCopy(),
      ADMIN_USER_IDS: e.fixture.users.owner.id,
      // The fixture server's admins change the home library, as in a bot run for one community.
      HOME_SERVER_IDS: e.fixture.guild.id,
      FETCH_ALLOW_HOSTS: '127.0.0.1',
      MAX_FEEDS_PER_SERVER: '2',
    }),
    { log, feeds: (libraries, config, l) => new Feeds(libraries, config, l, { now: () => now, random: () => 0.5 }) },
  );
  emulator = running.emulator;
});

afterAll(async () => {
  await running?.stop();
  await closeServer(server);
});

type Option = APIApplicationCommandInteractionDataOption<2>;
const guild = () => ({ guildId: emulator.fixture.guild.id });
// A server the emulator does not have: its feeds are followed through Feeds.
const OTHER_SERVER = '300000000000000003';
const urlOption = (url: string): Option => ({ name: 'url', type: ApplicationCommandOptionType.String, value: url });
const feedOption = (id: string): Option => ({ name: 'feed', type: ApplicationCommandOptionType.String, value: id });

/** Unfollows every feed of the fixture server, the other server and the home library, once no poll is under way. */
async function forgetFeeds(): Promise<void> {
  // A /feeds add's first poll runs after its reply: a later test's poll must not share it.
  await running.bot.feeds.settled();
  for (const owner of [emulator.fixture.guild.id, OTHER_SERVER, HOME_LIBRARY]) {
    for (const feed of running.bot.feeds.list(owner)) running.bot.feeds.unfollow(owner, feed.id);
  }
}

async function feeds(
  sub: string,
  options: Option[] = [],
  user = emulator.fixture.users.admin,
  where: { guildId?: string } = guild(),
) {
  const sent = emulator.sendSlashCommand({
    name: 'feeds',
    user,
    options: [{ name: sub, type: ApplicationCommandOptionType.Subcommand, options }] as Option[],
    ...where,
  });
  return (await emulator.waitForInteractionReply(sent.id, 20_000)).content;
}

/** What `/feeds remove feed:` offers as `typed` is typed. */
async function feedChoices(typed: string, user: APIUser, where: { guildId?: string }) {
  const sent = emulator.sendAutocomplete({
    name: 'feeds',
    options: [
      {
        name: 'remove',
        type: ApplicationCommandOptionType.Subcommand,
        options: [{ name: 'feed', type: ApplicationCommandOptionType.String, value: typed, focused: true }],
      },
    ] as never,
    user,
    ...where,
  });
  const callback = await emulator.waitForRequest((r) => r.path.startsWith(`/interactions/${sent.id}/`));
  return (callback.body as { data: { choices: { name: string; value: string }[] } }).data.choices;
}

describe('/feeds', () => {
  it('offers to follow every kind of feed it reads: RSS, Atom and JSON', () => {
    const add = feedsCommand.toJSON().options?.find((o) => o.name === 'add');
    expect(add?.description).toBe('Follow an RSS, Atom or JSON feed');
  });

  it('follows a feed, answering once it is read; its first items are added and announced after', async () => {
    const channel = emulator.fixture.channel.id;
    const before = emulator.requests.length;
    const reply = await feeds('add', [
      { name: 'url', type: ApplicationCommandOptionType.String, value: `${base}/rss.xml` },
      { name: 'channel', type: ApplicationCommandOptionType.Channel, value: channel },
    ]);
    expect(reply).toBe(
      `Following **Harbour News**. 1 item found: it is being added now. New articles will be announced in <#${channel}>.`,
    );
    expectNothingForOperators(reply, [ROOT]);
    // The first poll began with the reply: this waits for it, and its announcements.
    await running.bot.pollFeeds();
    const sent = emulator.requests.slice(before).filter((r) => r.method === 'POST' && r.path.endsWith('/messages'));
    expect(sent.map((r) => [r.path, (r.body as { content: string }).content])).toEqual([
      [`/channels/${channel}/messages`, 'New from Harbour News: **Ferry news**'],
    ]);
    expect(await feeds('list')).toMatch(
      /^• \*\*Harbour News\*\* <http:\/\/127\.0\.0\.1:\d+\/rss\.xml> \(last read 2026-12-01 12:00 UTC\)$/,
    );
    expect(audit()).toContainEqual(expect.objectContaining({ change: 'add', result: 'followed', channelId: channel }));
  });

  it('announces each new article of a later poll in the feed’s channel', async () => {
    items = ['market', 'ferry'];
    now += 31 * 60_000;
    const before = emulator.requests.length;
    await running.bot.pollFeeds();
    const sent = emulator.requests
      .slice(before)
      .filter((r) => r.method === 'POST' && r.path === `/channels/${emulator.fixture.channel.id}/messages`);
    expect(sent.map((r) => (r.body as { content: string }).content)).toEqual([
      'New from Harbour News: **Market news**',
    ]);
  });

  it('autocompletes the feeds and stops following one; its articles stay', async () => {
    const choices = await feedChoices('harb', emulator.fixture.users.admin, guild());
    expect(choices).toHaveLength(1);
    expect(choices[0]!.name).toMatch(/^Harbour News \(http/);

    const reply = await feeds('remove', [
      { name: 'feed', type: ApplicationCommandOptionType.String, value: choices[0]!.value },
    ]);
    expect(reply).toBe('No longer following **Harbour News**; the articles taken from it stay.');
    expect(await feeds('list')).toBe('No feeds are followed. Add one with `/feeds add`.');
    expect(
      running.footnote
        .index()!
        .articles()
        .map((a) => a.title),
    ).toEqual(expect.arrayContaining(['Ferry news', 'Market news']));
  });

  it('refuses someone who may not, with an audit line, and follows nothing', async () => {
    const regular = emulator.fixture.users.regular;
    const url = { name: 'url', type: ApplicationCommandOptionType.String, value: `${base}/rss.xml` } as const;
    expect(await feeds('add', [url], regular)).toBe(FEEDS_REFUSED);
    expect(await feeds('list', [], regular)).toBe(FEEDS_REFUSED);
    // Nor are the followed feeds offered to them as they type, in a server or a DM.
    const follower = { owner: emulator.fixture.guild.id, addedBy: emulator.fixture.users.admin.id, announceTo: null };
    await running.bot.feeds.follow(`${base}/rss.xml`, follower);
    for (const where of [guild(), {}]) expect(await feedChoices('', regular, where)).toEqual([]);
    await forgetFeeds();
    expect(audit().filter((l) => l.userId === regular.id)).toEqual([
      expect.objectContaining({ change: 'add', result: 'refused' }),
      expect.objectContaining({ change: 'list', result: 'refused' }),
    ]);
  });

  it('says why a link is not followed', async () => {
    const reply = await feeds('add', [
      { name: 'url', type: ApplicationCommandOptionType.String, value: 'http://192.168.1.1/feed' },
    ]);
    expect(reply).toBe('No public web site was found at 192.168.1.1; only public web pages can be added.');
  });

  it('follows a feed while another process builds the index; its first items are added once the build is done', async () => {
    items = ['tide'];
    const lock = path.join(running.config.indexDir, 'build.lock');
    fs.writeFileSync(lock, JSON.stringify({ pid: process.pid, host: os.hostname(), since: new Date().toISOString() }));
    const logged = logLines.length;
    try {
      const reply = await feeds('add', [
        { name: 'url', type: ApplicationCommandOptionType.String, value: `${base}/rss.xml` },
      ]);
      expect(reply).toBe('Following **Harbour News**. 1 item found: it is being added now.');
      await running.bot.pollFeeds();
      // Its article could not be indexed: nothing of the poll is kept, and the feed is still due.
      const [feed] = running.bot.feeds.list(emulator.fixture.guild.id);
      expect(feed).toMatchObject({ title: 'Harbour News', lastPolledAt: null, nextPollAt: now });
      expect(logLines.slice(logged).map(logRecord)).toContainEqual(
        expect.objectContaining({ feedId: feed!.id, msg: 'feed poll not recorded' }),
      );
      expect(running.footnote.articles().map((a) => a.title)).not.toContain('Tide news');
      fs.rmSync(lock);
      await running.bot.pollFeeds();
      expect(running.footnote.articles().map((a) => a.title)).toContain('Tide news');
    } finally {
      fs.rmSync(lock, { force: true });
      await forgetFeeds();
    }
  });

  it('answers /feeds add once the feed is read, while the page of its item has not answered yet', async () => {
    items = ['pier'];
    const release = holdStory('pier');
    try {
      const reply = await feeds('add', [urlOption(`${base}/rss.xml?slow`)]);
      expect(reply).toBe('Following **Harbour News**. 1 item found: it is being added now.');
      expect(running.footnote.articles().map((a) => a.title)).not.toContain('Pier news');
      release();
      await running.bot.feeds.settled();
      expect(running.footnote.articles().map((a) => a.title)).toContain('Pier news');
    } finally {
      release();
      await forgetFeeds();
    }
  });
});

describe('/feeds in each server', () => {
  it('shows a server only its own feeds, and an operator in a DM only the home library’s', async () => {
    items = ['ferry'];
    const { owner, admin } = emulator.fixture.users;
    try {
      const theirs = await running.bot.feeds.follow(`${base}/rss.xml?theirs`, {
        owner: OTHER_SERVER,
        addedBy: 'someone',
        announceTo: null,
      });
      expect(await feeds('add', [urlOption(`${base}/rss.xml?home`)], owner, {})).toMatch(/^Following \*\*Harbour News/);
      expect(await feeds('add', [urlOption(`${base}/rss.xml?here`)], admin)).toMatch(/^Following \*\*Harbour News/);
      const [here] = running.bot.feeds.list(emulator.fixture.guild.id);
      const [home] = running.bot.feeds.list(HOME_LIBRARY);
      expect([here?.url, home?.url]).toEqual([`${base}/rss.xml?here`, `${base}/rss.xml?home`]);

      const listed = await feeds('list');
      expect(listed).toContain('rss.xml?here>');
      expect(listed).not.toMatch(/theirs|home/);
      const listedInDm = await feeds('list', [], owner, {});
      expect(listedInDm).toContain('rss.xml?home>');
      expect(listedInDm).not.toMatch(/theirs|here/);
      expect((await feedChoices('', admin, guild())).map((c) => c.value)).toEqual([String(here!.id)]);
      expect((await feedChoices('', owner, {})).map((c) => c.value)).toEqual([String(home!.id)]);

      // Another's feed gets the answer an unknown id gets, and stays followed.
      const unknown = await feeds('remove', [feedOption('999999')]);
      expect(unknown).toBe('No feed is followed under that name. Nothing was changed.');
      expect(await feeds('remove', [feedOption(String(theirs.id))])).toBe(unknown);
      expect(await feeds('remove', [feedOption(String(home!.id))])).toBe(unknown);
      expect(await feeds('remove', [feedOption(String(here!.id))], owner, {})).toBe(unknown);
      expect(running.bot.feeds.get(OTHER_SERVER, theirs.id)).not.toBeNull();
      expect(running.bot.feeds.list(HOME_LIBRARY)).toHaveLength(1);
      expect(running.bot.feeds.list(emulator.fixture.guild.id)).toHaveLength(1);
    } finally {
      await forgetFeeds();
    }
  });

  it('refuses a channel that is not one of the server’s, and a channel from a DM, following nothing', async () => {
    const channel = (id: string): Option => ({
      name: 'channel',
      type: ApplicationCommandOptionType.Channel,
      value: id,
    });
    const url = urlOption(`${base}/rss.xml`);
    // A channel the bot sees in no server of its own (in another's, Discord names that other server). Discord
    // offers a command only the channels of its own server (the emulator refuses others), so a forged id stands here.
    expect(await feeds('add', [url, channel('400000000000000004')])).toBe(FEED_CHANNEL_REFUSED);
    const dm = await feeds('add', [url, channel('400000000000000005')], emulator.fixture.users.owner, {});
    expect(dm).toBe(FEED_CHANNEL_REFUSED);
    expect(running.bot.feeds.list(emulator.fixture.guild.id)).toEqual([]);
    expect(running.bot.feeds.list(HOME_LIBRARY)).toEqual([]);
    expect(audit().filter((l) => l.reason === 'channel elsewhere')).toHaveLength(2);
  });

  it('announces another server’s feed never in this server’s channel', async () => {
    items = ['ferry', 'market'];
    try {
      await running.bot.feeds.follow(`${base}/rss.xml?elsewhere`, {
        owner: OTHER_SERVER,
        addedBy: 'someone',
        announceTo: emulator.fixture.channel.id,
      });
      const before = emulator.requests.length;
      const logged = logLines.length;
      await running.bot.pollFeeds();
      const sent = emulator.requests.slice(before).filter((r) => r.method === 'POST' && r.path.endsWith('/messages'));
      expect(sent).toEqual([]);
      expect(logLines.slice(logged).map(logRecord)).toContainEqual(
        expect.objectContaining({ owner: OTHER_SERVER, msg: 'cannot announce in the feed’s channel' }),
      );
    } finally {
      await forgetFeeds();
    }
  });

  it('refuses a server more feeds than MAX_FEEDS_PER_SERVER, naming the limit, and changes nothing', async () => {
    const follower = { owner: emulator.fixture.guild.id, addedBy: emulator.fixture.users.admin.id, announceTo: null };
    try {
      for (const feed of ['a', 'b']) await running.bot.feeds.follow(`${base}/rss.xml?${feed}`, follower);
      expect(await feeds('add', [urlOption(`${base}/rss.xml?c`)])).toBe(
        'This server already follows 2 feeds, the most one server may: remove one with `/feeds remove` first. Nothing was followed.',
      );
      expect(running.bot.feeds.list(emulator.fixture.guild.id)).toHaveLength(2);
      expect(audit()).toContainEqual(expect.objectContaining({ change: 'add', result: 'refused' }));
    } finally {
      await forgetFeeds();
    }
  });

  it('announces each feed in its own channel: a channel that refuses posts costs only its own feed’s lines', async () => {
    items = ['gull'];
    // A server whose channel the bot can no longer post in (its role lost access).
    const refusing = emulator.addGuild({ name: 'Refusing server' });
    emulator.refuseMessagesIn(refusing.channel.id);
    const lost = await running.bot.feeds.follow(`${base}/rss.xml?refused`, {
      owner: refusing.id,
      addedBy: 'someone',
      announceTo: refusing.channel.id,
    });
    try {
      // Followed second, so announced after the refused one.
      await running.bot.feeds.follow(`${base}/rss.xml?heard`, {
        owner: emulator.fixture.guild.id,
        addedBy: emulator.fixture.users.admin.id,
        announceTo: emulator.fixture.channel.id,
      });
      const before = emulator.requests.length;
      const logged = logLines.length;
      await running.bot.pollFeeds();
      const posts = emulator.requests.slice(before).filter((r) => r.method === 'POST' && r.path.endsWith('/messages'));
      const line = (channelId: string) => posts.filter((r) => r.path === `/channels/${channelId}/messages`);
      expect(line(refusing.channel.id).map((r) => r.status)).toEqual([403]);
      expect(line(emulator.fixture.channel.id).map((r) => [r.status, (r.body as { content: string }).content])).toEqual(
        [[200, 'New from Harbour News: **Gull news**']],
      );
      expect(logLines.slice(logged).map(logRecord)).toContainEqual(
        expect.objectContaining({
          feedId: lost.id,
          channelId: refusing.channel.id,
          unannounced: 1,
          msg: 'feed announcement not posted',
        }),
      );
    } finally {
      running.bot.feeds.unfollow(refusing.id, lost.id);
      await forgetFeeds();
    }
  });
});

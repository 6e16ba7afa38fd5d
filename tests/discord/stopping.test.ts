import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApplicationCommandOptionType, MessageFlags } from 'discord.js';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { RESTARTING } from '../../src/discord/events/interaction-create.js';
import { askInServer, startBot } from '../support/bot.js';
import { articlesCopy, closeServer } from '../support/setup.js';

// Stopping (SIGTERM, or a shard's manager stopping it) answers what the bot has begun: a request acknowledged
// ("thinking…") is finished before the bot disconnects, and one that comes while it stops is told to ask again.

const PAGE = `<!doctype html><html><head><title>The Quince Orchard</title></head><body><article><h1>The Quince
Orchard</h1><p>The quince orchard behind the old mill at Harrow gives its fruit in late October, and the village
presses it into a dark amber jelly that is sold at the winter market.</p></article></body></html>`;

let pages: http.Server;
let base: string;
let arrived: () => void = () => {};
let release: () => void = () => {};
const pageAsked = new Promise<void>((resolve) => (arrived = resolve));
const released = new Promise<void>((resolve) => (release = resolve));

beforeAll(async () => {
  // The page is held until the test lets it go: an /add that is under way when the bot is told to stop.
  pages = http.createServer((_req, res) => {
    arrived();
    void released.then(() => res.writeHead(200, { 'content-type': 'text/html' }).end(PAGE));
  });
  await new Promise<void>((resolve) => pages.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(pages.address() as AddressInfo).port}`;
});

afterAll(async () => {
  release();
  await closeServer(pages);
});

it('finishes a request it acknowledged before it disconnects, and tells one that comes meanwhile to ask again', async () => {
  const running = await startBot((e) => ({
    ARTICLES_DIR: articlesCopy(),
    FETCH_ALLOW_HOSTS: '127.0.0.1',
    HOME_SERVER_IDS: e.fixture.guild.id,
  }));
  const { emulator } = running;
  let stopped = false;
  try {
    const add = emulator.sendSlashCommand({
      name: 'add',
      user: emulator.fixture.users.admin,
      guildId: emulator.fixture.guild.id,
      options: [{ name: 'url', type: ApplicationCommandOptionType.String, value: `${base}/orchard` }],
    });
    await pageAsked;
    // Acknowledged: Discord shows "thinking…" until the bot edits its reply.
    expect(emulator.interaction(add.id)?.original?.flags ?? 0).toBe(MessageFlags.Loading);
    const stopping = running.stop().then(() => (stopped = true));

    const meanwhile = await askInServer(emulator, 'When does the quince orchard give its fruit?');
    expect(meanwhile.content).toBe(RESTARTING);
    expect(meanwhile.flags & MessageFlags.Ephemeral).toBe(MessageFlags.Ephemeral);
    expect(stopped).toBe(false);

    release();
    const reply = await emulator.waitForInteractionReply(add.id, 20_000);
    expect(reply.content).toMatch(/Added \*\*The Quince Orchard\*\*/);
    await stopping;
  } finally {
    if (!stopped) await running.stop();
  }
});

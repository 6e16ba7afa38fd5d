import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { ApplicationCommandOptionType, type APIUser } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DiscordEmulator } from '../../scripts/discord-emulator.js';
import { startBot, type RunningBot } from '../support/bot.js';
import { articlesCopy, closeServer } from '../support/setup.js';

// The limits on adding through the real client and the emulator: one user's adds are counted wherever they are
// made, and a refused add costs nothing (no fetch, no file), counted at a local page server.

const page = (n: number): string =>
  `<!doctype html><html><head><title>Harbour Note ${n}</title></head><body><article><h1>Harbour Note ${n}</h1>` +
  `<p>Harbour note number ${n} records the tide, the wind and the boats that left Harrow on day ${n} of the ` +
  'autumn season, with the names of their skippers and the catch they brought back that evening.</p></article></body></html>';

let running: RunningBot;
let emulator: DiscordEmulator;
let articles: string;
let pages: http.Server;
let port: number;
const fetched: string[] = [];

beforeAll(async () => {
  pages = http.createServer((req, res) => {
    fetched.push(req.url ?? '');
    res.writeHead(200, { 'content-type': 'text/html' }).end(page(Number(req.url?.slice(1))));
  });
  await new Promise<void>((resolve) => pages.listen(0, '127.0.0.1', resolve));
  port = (pages.address() as AddressInfo).port;
  articles = articlesCopy();
  running = await startBot(() => ({
    ARTICLES_DIR: articles,
    FETCH_ALLOW_HOSTS: '127.0.0.1',
    RATE_LIMIT_ADDS: '2',
    RATE_LIMIT_ADDS_WINDOW_SECONDS: '3600',
  }));
  emulator = running.emulator;
});

afterAll(async () => {
  await running?.stop();
  await closeServer(pages);
});

async function add(user: APIUser, n: number, guildId: string): Promise<string> {
  const options = [
    { name: 'url', type: ApplicationCommandOptionType.String as const, value: `http://127.0.0.1:${port}/${n}` },
  ];
  const sent = emulator.sendSlashCommand({ name: 'add', user, options, guildId });
  return (await emulator.waitForInteractionReply(sent.id, 20_000)).content;
}

describe('/add and /feeds add limits', () => {
  it('counts one budget per user across servers; over it, refuses without fetching or saving anything', async () => {
    const { admin } = emulator.fixture.users;
    const other = emulator.addGuild({ name: 'Second server', ownerId: admin.id });
    const before = fs.readdirSync(articles).length;
    expect(await add(admin, 1, emulator.fixture.guild.id)).toMatch(/^Added \*\*Harbour Note 1\*\*/);
    expect(await add(admin, 2, other.id)).toMatch(/^Added \*\*Harbour Note 2\*\*/);
    const refused = await add(admin, 3, emulator.fixture.guild.id);
    expect(refused).toMatch(/^You’ve added as much as one person may for now\. Please try again <t:\d+:R>\./);
    expect(refused).toContain('Nothing was changed.');
    // Following a feed draws on the same budget: it reads the feed and adds its items.
    const follow = emulator.sendSlashCommand({
      name: 'feeds',
      user: admin,
      guildId: other.id,
      options: [
        {
          name: 'add',
          type: ApplicationCommandOptionType.Subcommand,
          options: [{ name: 'url', type: ApplicationCommandOptionType.String, value: `http://127.0.0.1:${port}/4` }],
        },
      ],
    });
    expect((await emulator.waitForInteractionReply(follow.id, 20_000)).content).toMatch(/^You’ve added as much/);
    expect(fetched).toEqual(['/1', '/2']);
    // Each add went into the library of the server it was made in; the home library has none of them.
    for (const server of [emulator.fixture.guild.id, other.id]) {
      expect(fs.readdirSync(path.join(running.libraries.folderOf(server), 'articles'))).toHaveLength(1);
    }
    expect(fs.readdirSync(articles)).toHaveLength(before);
  });
});

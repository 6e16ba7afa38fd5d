import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  ApplicationCommandOptionType,
  type APIApplicationCommandInteractionDataOption,
  type APIAttachment,
  type APIUser,
} from 'discord.js';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADD_REFUSED } from '../../src/discord/preconditions.js';
import type { DiscordEmulator } from '../../scripts/discord-emulator.js';
import { expectNothingForOperators, startBot, type RunningBot } from '../support/bot.js';
import { articlesCopy, closeServer, logRecord, ROOT } from '../support/setup.js';

// /add through the real client and the emulator: a link fetched from a local server, an attached
// file served by the emulator over loopback, who may, and what the articles folder holds after.

const ORCHARD = `<!doctype html><html><head><title>The Quince Orchard</title></head><body><article>
<h1>The Quince Orchard</h1><p>The quince orchard behind the old mill at Harrow gives its fruit in late October, and
the village presses it into a dark amber jelly that is sold at the winter market.</p></article></body></html>`;
const NOTES = `<!doctype html><html><head><title>Orchard Notes</title></head><body><article><h1>Orchard Notes</h1>
<p>The orchard notes record which quince trees at Harrow were grafted each spring, and by whom, since the mill closed in
the long dry summer.</p></article></body></html>`;
const FERRY =
  '---\ntitle: Ferry Times\n---\n\nThe ferry leaves Harrow at seven each morning and returns at dusk, except on Sundays when it stays in port.\n';
const TIDES =
  '---\ntitle: Tide Tables\n---\n\nHigh tide at Harrow falls an hour later each day; the harbour master posts the table on the church door every Monday.\n';

const logLines: string[] = [];
const log = pino({ level: 'info' }, { write: (line: string) => void logLines.push(line) });
const audit = () => logLines.map(logRecord).filter((line) => line.audit === 'add');

let running: RunningBot;
let emulator: DiscordEmulator;
let articles: string;
let pages: http.Server;
let pagesPort: number;

beforeAll(async () => {
  pages = http.createServer((req, res) => {
    if (req.url === '/orchard') res.writeHead(200, { 'content-type': 'text/html' }).end(ORCHARD);
    else if (req.url === '/orchard-notes') res.writeHead(200, { 'content-type': 'text/html' }).end(NOTES);
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => pages.listen(0, '127.0.0.1', resolve));
  pagesPort = (pages.address() as AddressInfo).port;
  articles = articlesCopy();
  // The page server and the emulator's attachments are on loopback, which only an allowed host reaches.
  running = await startBot(
    (e) => ({
      ARTICLES_DIR: articles,
      ADMIN_USER_IDS: e.fixture.users.owner.id,
      FETCH_ALLOW_HOSTS: '127.0.0.1',
      // The fixture server's admins change the home library, as in a bot run for one community.
      HOME_SERVER_IDS: e.fixture.guild.id,
    }),
    { log },
  );
  emulator = running.emulator;
});

afterAll(async () => {
  await running?.stop();
  await closeServer(pages);
});

const listing = () => fs.readdirSync(articles).sort();
const guild = () => ({ guildId: emulator.fixture.guild.id });
type Option = APIApplicationCommandInteractionDataOption<2>;

async function add(user: APIUser, options: Option[], where: { guildId?: string } = guild()): Promise<string> {
  const sent = emulator.sendSlashCommand({ name: 'add', user, options, ...where });
  return (await emulator.waitForInteractionReply(sent.id, 20_000)).content;
}
const url = (value: string): Option => ({ name: 'url', type: ApplicationCommandOptionType.String, value });
const file = (id: string): Option => ({ name: 'file', type: ApplicationCommandOptionType.Attachment, value: id });

describe('/add', () => {
  it('adds a page from a link: the reply names it with its passages and first paragraph, and /ask quotes it', async () => {
    const admin = emulator.fixture.users.admin;
    const reply = await add(admin, [url(`http://127.0.0.1:${pagesPort}/orchard`)]);
    expect(reply).toMatch(
      /^Added \*\*The Quince Orchard\*\* \(the-quince-orchard\.txt\): 1 passage\.\n> The quince orchard/,
    );
    expectNothingForOperators(reply, [articles, ROOT]);
    expect(listing()).toContain('the-quince-orchard.txt');
    const options = [
      {
        name: 'question',
        type: ApplicationCommandOptionType.String as const,
        value: 'What does the village press the quince into?',
      },
    ];
    const answer = await emulator.waitForInteractionReply(
      emulator.sendSlashCommand({ name: 'ask', user: admin, options, ...guild() }).id,
    );
    expect(JSON.stringify(answer)).toContain('The Quince Orchard');
    expect(audit()).toContainEqual(
      expect.objectContaining({ userId: admin.id, result: 'added', file: 'the-quince-orchard.txt' }),
    );
  });

  it('names the article already there instead of adding a link twice', async () => {
    const before = listing();
    const reply = await add(emulator.fixture.users.admin, [url(`http://127.0.0.1:${pagesPort}/orchard`)]);
    expect(reply).toBe(
      'Already in the index with the same link: **The Quince Orchard** (the-quince-orchard.txt). Nothing was added.',
    );
    expect(listing()).toEqual(before);
  });

  it('adds an attached file, downloaded from where Discord keeps it', async () => {
    const attachment = emulator.uploadAttachment({
      filename: 'tides.md',
      bytes: Buffer.from(TIDES),
      contentType: 'text/markdown',
    });
    // The owner is in ADMIN_USER_IDS, which works in a DM too.
    const reply = await add(emulator.fixture.users.owner, [file(attachment.id)], {});
    expect(reply).toMatch(/^Added \*\*Tide Tables\*\* \(tide-tables\.md\)/);
    expect(emulator.downloads(attachment.id)).toBe(1);
    expect(fs.readFileSync(`${articles}/tide-tables.md`, 'utf8')).toBe(TIDES);
  });

  it('refuses a file over the size limit before downloading it', async () => {
    const before = listing();
    const attachment = emulator.uploadAttachment({
      filename: 'huge.txt',
      bytes: Buffer.from('x'),
      size: 50 * 1024 * 1024,
    });
    const reply = await add(emulator.fixture.users.admin, [file(attachment.id)]);
    expect(reply).toBe('That file is larger than 10 MB; nothing was added.');
    expect(emulator.downloads(attachment.id)).toBe(0);
    expect(listing()).toEqual(before);
  });

  it('refuses a link to a private address or another scheme, saying why, and changes nothing', async () => {
    const before = listing();
    expect(await add(emulator.fixture.users.admin, [url('http://10.0.0.7/admin')])).toBe(
      'No public web site was found at 10.0.0.7; only public web pages can be added.',
    );
    expect(await add(emulator.fixture.users.admin, [url('file:///etc/passwd')])).toBe(
      'Only http and https links can be added, not file.',
    );
    expect(listing()).toEqual(before);
    expect(audit()).toContainEqual(expect.objectContaining({ url: 'http://10.0.0.7/admin', result: 'refused' }));
  });

  it('words a name that leads to a private address as one that leads nowhere; the log tells them apart', async () => {
    const admin = emulator.fixture.users.admin;
    // localhost is not an allowed host here (FETCH_ALLOW_HOSTS names 127.0.0.1); .invalid names never resolve.
    const [inside, nowhere] = [
      await add(admin, [url('http://localhost/admin')]),
      await add(admin, [url('http://intranet.invalid/admin')]),
    ];
    expect(inside).toBe('No public web site was found at localhost; only public web pages can be added.');
    expect(nowhere).toBe(inside.replace('localhost', 'intranet.invalid'));
    const rejected = logLines.map(logRecord).filter((l) => l.msg === 'request rejected');
    expect(rejected).toContainEqual(
      expect.objectContaining({
        code: 'fetch.refused',
        details: { host: 'localhost', address: 'a loopback (this machine) address' },
      }),
    );
    expect(rejected).toContainEqual(
      expect.objectContaining({ code: 'fetch.unknown-host', details: { host: 'intranet.invalid' } }),
    );
  });

  it('asks for a link or a file, one of the two', async () => {
    expect(await add(emulator.fixture.users.admin, [])).toBe(
      'Give a link (`url:`) or a file (`file:`): one of the two.',
    );
  });

  it('refuses someone who may not, with an audit line, and fetches nothing', async () => {
    const regular = emulator.fixture.users.regular;
    const before = listing();
    const attachment = emulator.uploadAttachment({ filename: 'tides.md', bytes: Buffer.from(TIDES) });
    expect(await add(regular, [url(`http://127.0.0.1:${pagesPort}/orchard`)])).toBe(ADD_REFUSED);
    expect(await add(regular, [file(attachment.id)], {})).toBe(ADD_REFUSED);
    expect(emulator.downloads(attachment.id)).toBe(0);
    expect(listing()).toEqual(before);
    expect(audit().filter((line) => line.userId === regular.id)).toEqual([
      expect.objectContaining({ where: emulator.fixture.guild.id, result: 'refused' }),
      expect.objectContaining({ where: 'DM', file: 'tides.md', result: 'refused' }),
    ]);
  });
});

describe('adding by direct message', () => {
  /** Sends a DM and waits for the bot's next message in that DM. */
  async function dm(author: APIUser, content: string, attachments?: APIAttachment[]): Promise<string> {
    const sentBefore = emulator.requests.length;
    const message = emulator.sendMessage({ author, content, ...(attachments ? { attachments } : {}) });
    const posted = await emulator.waitForRequest(
      (r) =>
        emulator.requests.indexOf(r) >= sentBefore &&
        r.method === 'POST' &&
        r.path === `/channels/${message.channel_id}/messages`,
      20_000,
    );
    return (posted.body as { content: string }).content;
  }

  it('adds a link sent as `add URL` for a user in ADMIN_USER_IDS', async () => {
    const reply = await dm(emulator.fixture.users.owner, `add http://127.0.0.1:${pagesPort}/orchard-notes`);
    expect(reply).toMatch(/^Added \*\*Orchard Notes\*\* \(orchard-notes\.txt\): 1 passage\./);
    expect(listing()).toContain('orchard-notes.txt');
  });

  it('adds an article file sent alone, and takes other attachments and questions as before', async () => {
    const owner = emulator.fixture.users.owner;
    const attachment = emulator.uploadAttachment({ filename: 'ferry.txt', bytes: Buffer.from(FERRY) });
    expect(await dm(owner, '', [attachment])).toMatch(/^Added \*\*Ferry Times\*\* \(ferry-times\.txt\)/);
    expect(fs.readFileSync(`${articles}/ferry-times.txt`, 'utf8')).toBe(FERRY);
    // A picture is not an article: the question sent with it is answered, the picture is never fetched.
    const picture = emulator.uploadAttachment({ filename: 'harbour.png', bytes: Buffer.from('png') });
    expect(await dm(owner, 'When does the ferry leave Harrow?', [picture])).toContain(
      'The ferry leaves Harrow at seven each morning',
    );
    // "add" and a word is a question, not a link to add.
    expect(await dm(owner, 'add ferries?')).toContain('The ferry leaves Harrow');
    expect(emulator.downloads(picture.id)).toBe(0);
  });

  it('refuses anyone else, says why, and downloads nothing', async () => {
    const regular = emulator.fixture.users.regular;
    const before = listing();
    const attachment = emulator.uploadAttachment({ filename: 'ferry.txt', bytes: Buffer.from(FERRY) });
    const others = ['a.txt', 'b.md', 'c.html'].map((filename) =>
      emulator.uploadAttachment({ filename, bytes: Buffer.from(FERRY) }),
    );
    const posts = () =>
      emulator.requests.filter((r) => r.method === 'POST' && /^\/channels\/\d+\/messages$/.test(r.path));
    const postsBefore = posts().length;
    expect(await dm(regular, 'add', [attachment, ...others])).toBe(ADD_REFUSED);
    expect(await dm(regular, `add http://127.0.0.1:${pagesPort}/orchard-notes`)).toBe(ADD_REFUSED);
    // One refusal for a message of four files, not one per file.
    expect(posts().length - postsBefore).toBe(2);
    for (const file of [attachment, ...others]) expect(emulator.downloads(file.id)).toBe(0);
    expect(listing()).toEqual(before);
    expect(audit().filter((line) => line.userId === regular.id && line.where === 'DM')).toContainEqual(
      expect.objectContaining({ file: 'ferry.txt', result: 'refused' }),
    );
  });
});

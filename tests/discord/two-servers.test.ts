import { createHash } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import {
  ApplicationCommandOptionType,
  type APIApplicationCommandInteractionDataOption,
  type APIUser,
} from 'discord.js';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { NOT_FOUND } from '../../src/core/answer/compose.js';
import { NOT_HERE } from '../../src/discord/buttons/follow-up.js';
import { TOO_OLD } from '../../src/discord/buttons/votes.js';
import { REMOVE_BUTTON } from '../../src/discord/handlers/remove-handler.js';
import { REINDEX_RUNNING } from '../../src/discord/preconditions.js';
import { Footnote } from '../../src/library/footnote.js';
import { SHARE_BUTTON } from '../../src/discord/render.js';
import type { DiscordEmulator, InteractionReply } from '../../scripts/discord-emulator.js';
import type { EmulatedGuild } from '../../scripts/discord-emulator/guilds.js';
import { startBot, type RunningBot } from '../support/bot.js';
import { articlesCopy, closeServer, tempDir } from '../support/setup.js';

// Issue 26 through the real client and the emulator: server A has a library of its own; server B's owner is hostile.
// Whatever B's owner does, they get nothing of A's (no answer quoting A's article, no title, no feed, no question)
// and A's library stays byte for byte as it was. A DM reads the home library, and only operators change it there.

const VAULT =
  '---\ntitle: The Harrow Vault Ledger\n---\n\n' +
  'The quartermaster of Harrow keeps the vault ledger in a locked oak chest beneath the chapel floor.\n';
const VAULT_QUESTION = 'Where does the quartermaster keep the vault ledger?';
// Asked in A only: B's report must not show it.
const A_QUESTION = 'In which locked chest does Harrow keep its vault ledger?';
const MOSS = '---\ntitle: Moss on the Sea Wall\n---\n\nGreen moss grows on the north side of the sea wall at Kellby.\n';
const STORY =
  'The night ferry to Vardo leaves at eleven from the north pier, except on Sundays in winter, when the harbour closes.';
const JACK_MA = 'Is Jack Ma open to working with Apple?';

type Option = APIApplicationCommandInteractionDataOption<2>;
const text = (name: string, value: string): Option => ({ name, type: ApplicationCommandOptionType.String, value });

let running: RunningBot;
let emulator: DiscordEmulator;
let pages: http.Server;
let base: string;
let home: string;
let serverB: EmulatedGuild;
let mallory: APIUser;
/** A's article id, A's feed id, and A's answer's buttons, which B must get nothing of. */
const a = { articleId: '', feedId: '', answer: null as InteractionReply | null };

beforeAll(async () => {
  pages = http.createServer((req, res) => {
    if (req.url === '/rss.xml') {
      const item = `<item><title>Ferry</title><link>${base}/ferry</link><guid>ferry</guid></item>`;
      const rss = `<?xml version="1.0"?><rss version="2.0"><channel><title>Harrow Harbour</title>${item}</channel></rss>`;
      return void res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(rss);
    }
    const page = `<html><head><title>Ferry news</title></head><body><article><p>${STORY}</p></article></body></html>`;
    res.writeHead(200, { 'content-type': 'text/html' }).end(page);
  });
  await new Promise<void>((resolve) => pages.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(pages.address() as AddressInfo).port}`;
  home = articlesCopy();
  // No HOME_SERVER_IDS, SHARED_LIBRARY as it comes: a bot as a single community would run it, then in two servers.
  running = await startBot(
    (e) => ({
      ARTICLES_DIR: home,
      ADMIN_USER_IDS: e.fixture.users.owner.id,
      FETCH_ALLOW_HOSTS: '127.0.0.1',
      RATE_LIMIT_QUESTIONS: '1000',
      RATE_LIMIT_ADDS: '1000',
    }),
    {},
  );
  emulator = running.emulator;
  mallory = emulator.addUser('mallory');
  serverB = emulator.addGuild({ name: 'Hostile', ownerId: mallory.id });
});

afterAll(async () => {
  await running?.stop();
  await closeServer(pages);
});

const serverA = () => emulator.fixture.guild;
const adminA = () => emulator.fixture.users.admin;

async function command(name: string, user: APIUser, guildId: string | undefined, options: Option[] = []) {
  const sent = emulator.sendSlashCommand({ name, user, options, guildId });
  return emulator.waitForInteractionReply(sent.id, 20_000);
}

async function subcommand(name: string, sub: string, user: APIUser, guildId: string, options: Option[] = []) {
  const nested = [{ name: sub, type: ApplicationCommandOptionType.Subcommand, options }] as unknown as Option[];
  return command(name, user, guildId, nested);
}

/** Adds an article file with /add as `user` where `guildId` says (a DM without one). */
async function addFile(user: APIUser, guildId: string | undefined, filename: string, body: string) {
  const attachment = emulator.uploadAttachment({ filename, bytes: Buffer.from(body), contentType: 'text/markdown' });
  const file = { name: 'file', type: ApplicationCommandOptionType.Attachment, value: attachment.id } as Option;
  return (await command('add', user, guildId, [file])).content;
}

/** The choices autocomplete offers for `option` of /`name` (of its `sub`command) as `typed` is typed. */
async function choices(name: string, option: string, typed: string, user: APIUser, guildId: string, sub?: string) {
  const focused = [{ name: option, type: ApplicationCommandOptionType.String, value: typed, focused: true }];
  const options = sub ? [{ name: sub, type: ApplicationCommandOptionType.Subcommand, options: focused }] : focused;
  const sent = emulator.sendAutocomplete({ name, options: options as never, user, guildId });
  const callback = await emulator.waitForRequest((r) => r.path.startsWith(`/interactions/${sent.id}/`));
  return JSON.stringify((callback.body as { data: unknown }).data);
}

/** Clicks a button on a message and resolves with what the click's own reply says. */
async function click(messageId: string, customId: string, user: APIUser): Promise<string> {
  const clicked = emulator.clickButton({ messageId, customId, user });
  const callback = await emulator.waitForRequest((r) => r.path.startsWith(`/interactions/${clicked.id}/`));
  return JSON.stringify(callback.body);
}

/** Every file under a folder, its path and bytes, as one digest. */
function digest(folder: string): string {
  const hash = createHash('sha256');
  for (const entry of fs.readdirSync(folder, { recursive: true, encoding: 'utf8' }).sort()) {
    const file = path.join(folder, entry);
    hash.update(`${entry}\0`);
    if (fs.statSync(file).isFile()) hash.update(fs.readFileSync(file));
  }
  return hash.digest('hex');
}

const libraryOf = (server: string) => running.libraries.folderOf(server);
const buttonsOf = (reply: InteractionReply) =>
  (reply.components[0] as { components: { custom_id: string; label: string }[] } | undefined)?.components ?? [];

describe('two servers, one hostile', () => {
  it('answers a single server with no new settings from the shipped article, as before', async () => {
    const reply = await command('ask', adminA(), serverA().id, [text('question', JACK_MA)]);
    expect(reply.content).toContain('Alibaba');
    expect(reply.content).not.toContain('shared library');
    expect(running.libraries.exists(serverA().id)).toBe(false);
  });

  it("sets up A: its /add and its feed make A's library, which only A answers from", async () => {
    expect(await addFile(adminA(), serverA().id, 'vault.md', VAULT)).toMatch(/^Added \*\*The Harrow Vault Ledger\*\*/);
    expect(fs.readdirSync(path.join(libraryOf(serverA().id), 'articles'))).toEqual(['the-harrow-vault-ledger.md']);
    expect(fs.readdirSync(home)).not.toContain('the-harrow-vault-ledger.md');
    const feed = await subcommand('feeds', 'add', adminA(), serverA().id, [
      text('url', `${base}/rss.xml`),
      { name: 'channel', type: ApplicationCommandOptionType.Channel, value: emulator.fixture.channel.id },
    ]);
    expect(feed.content).toMatch(/^Following \*\*Harrow Harbour\*\*\. 1 item found: it is being added now\./);
    // Its first poll, begun with the reply, and its announcement.
    await running.bot.pollFeeds();
    expect(fs.readdirSync(path.join(libraryOf(serverA().id), 'articles'))).toHaveLength(2);
    a.feedId = String(running.bot.feeds.list(serverA().id)[0]!.id);
    a.articleId = (await running.libraries.withLibrary(serverA().id, (l) => Promise.resolve(l.articles())))!.find(
      (x) => x.title === 'The Harrow Vault Ledger',
    )!.id;
    a.answer = await command('ask', emulator.fixture.users.regular, serverA().id, [text('question', A_QUESTION)]);
    expect(a.answer.content).toContain('locked oak chest');
    // A's shipped-article answers now say they are from the shared library.
    expect((await command('ask', adminA(), serverA().id, [text('question', JACK_MA)])).content).toContain(
      'shared library',
    );
  });

  const secrets = () => ['Harrow Vault', 'oak chest', 'Harrow Harbour', a.articleId, A_QUESTION];
  const inB = () => serverB.id;
  const unknownSaid = (reply: string, id: string) => reply.replaceAll(id, 'ID');

  // What B's owner tries, and what they must be told (besides nothing of A's).
  const attempts: { name: string; run: () => Promise<string>; check?: (said: string) => void | Promise<void> }[] = [
    {
      name: '/ask about A’s article',
      run: async () => (await command('ask', mallory, inB(), [text('question', VAULT_QUESTION)])).content,
    },
    {
      name: '/ask article: A’s id, answered as an unknown id',
      // The reply names the id B gave, as it names any id: only that, with the id taken out, is compared.
      run: async () => {
        const options = [text('question', VAULT_QUESTION), text('article', a.articleId)];
        return unknownSaid((await command('ask', mallory, inB(), options)).content, a.articleId);
      },
      check: async (said) => {
        const unknown = await command('ask', mallory, inB(), [text('question', 'x'), text('article', 'no-such-id')]);
        expect(said).toBe(unknownSaid(unknown.content, 'no-such-id'));
      },
    },
    { name: '/articles', run: async () => JSON.stringify((await command('articles', mallory, inB())).embeds) },
    { name: '/ask article: autocomplete', run: () => choices('ask', 'article', '', mallory, inB()) },
    { name: '/ask article: autocomplete, typed', run: () => choices('ask', 'article', 'vault', mallory, inB()) },
    { name: '/remove article: autocomplete', run: () => choices('remove', 'article', '', mallory, inB()) },
    {
      name: '/remove A’s id, answered as an unknown id',
      run: async () =>
        unknownSaid((await command('remove', mallory, inB(), [text('article', a.articleId)])).content, a.articleId),
      check: async (said) => {
        const unknown = await command('remove', mallory, inB(), [text('article', 'no-such-id')]);
        expect(said).toBe(unknownSaid(unknown.content, 'no-such-id'));
      },
    },
    {
      name: '/remove a shared article',
      run: async () => {
        const before = digest(home);
        const id = running.footnote.articles()[0]!.id;
        const said = (await command('remove', mallory, inB(), [text('article', id)])).content;
        expect(digest(home)).toBe(before);
        return said;
      },
      check: (said) => expect(said).toMatch(/belongs to the shared library.*Nothing was changed\.$/),
    },
    {
      name: '/reindex before B has a library',
      run: async () => (await command('reindex', mallory, inB())).content,
      check: (said) => expect(said).toMatch(/no articles of its own yet/),
    },
    {
      name: '/status before B has a library',
      run: async () => (await command('status', mallory, inB())).content,
      check: (said) => expect(said).toMatch(/This server’s library\*\*\nNo articles of its own yet/),
    },
    {
      name: '/add into B’s own library',
      run: () => addFile(mallory, inB(), 'moss.md', MOSS),
      check: (said) => {
        expect(said).toMatch(/^Added \*\*Moss on the Sea Wall\*\*/);
        expect(fs.readdirSync(path.join(libraryOf(inB()), 'articles'))).toEqual(['moss-on-the-sea-wall.md']);
      },
    },
    {
      name: '/reindex of B’s own library',
      run: async () => (await command('reindex', mallory, inB())).content,
      check: (said) => expect(said).toMatch(/Articles: 1 /),
    },
    {
      name: '/status with B’s library',
      run: async () => (await command('status', mallory, inB())).content,
      check: (said) =>
        expect(said).toMatch(/This server’s library\*\*\nArticles: 1\n[\s\S]*Shared library\*\*\nArticles: /),
    },
    { name: '/feeds list', run: async () => (await subcommand('feeds', 'list', mallory, inB())).content },
    { name: '/feeds remove: autocomplete', run: () => choices('feeds', 'feed', '', mallory, inB(), 'remove') },
    {
      name: '/feeds remove A’s feed',
      run: async () => (await subcommand('feeds', 'remove', mallory, inB(), [text('feed', a.feedId)])).content,
      check: (said) => expect(said).toBe('No feed is followed under that name. Nothing was changed.'),
    },
    { name: '/report', run: async () => JSON.stringify(await command('report', mallory, inB())) },
    {
      name: 'votes and a follow-up on A’s answer, from B',
      run: async () => {
        // B cannot make the bot post A's buttons in B: they are put there as the bot would post them.
        const ids = buttonsOf(a.answer!).map((b) => b.custom_id);
        const channel = await running.bot.client.channels.fetch(serverB.channel.id);
        if (!channel?.isSendable()) throw new Error('B’s channel is not sendable');
        const posted = await channel.send({
          content: 'Buttons from elsewhere',
          components: [
            { type: 1, components: ids.map((custom_id) => ({ type: 2, style: 2, custom_id, label: custom_id })) },
          ],
        });
        const said = [];
        for (const id of ids) said.push(await click(posted.id, id, mallory));
        return said.join('\n');
      },
      check: (said) => {
        expect(said).toContain(TOO_OLD.slice(0, 20));
        expect(said).toContain(NOT_HERE.slice(0, 20));
      },
    },
    {
      name: 'a private answer shared in B, and a follow-up thread in B',
      run: async () => {
        const asked = [text('question', JACK_MA), { name: 'private', type: 5, value: true } as Option];
        const privately = await command('ask', mallory, inB(), asked);
        const shared = await click(privately.message.id, SHARE_BUTTON, mallory);
        const open = await command('ask', mallory, inB(), [text('question', JACK_MA)]);
        const followUp = buttonsOf(open).find((b) => b.label === 'Ask a follow-up')!;
        const thread = await click(open.message.id, followUp.custom_id, mallory);
        const threadId = /<#(\d+)>/.exec(thread)![1]!;
        const sent = emulator.sendSlashCommand({
          name: 'ask',
          user: mallory,
          guildId: inB(),
          channelId: threadId,
          options: [text('question', 'And the vault ledger, where is it kept?')],
        });
        const inThread = await emulator.waitForInteractionReply(sent.id, 20_000);
        return [privately.content, shared, open.content, inThread.content].join('\n');
      },
      check: (said) => expect(said).toContain('Alibaba'),
    },
    {
      name: 'a mention in B',
      run: async () => {
        const before = emulator.requests.length;
        emulator.sendMessage({
          guildId: inB(),
          author: mallory,
          content: `<@${emulator.fixture.users.bot.id}> ${VAULT_QUESTION}`,
          mentions: [emulator.fixture.users.bot],
        });
        const reply = await emulator.waitForRequest(
          (r) =>
            emulator.requests.indexOf(r) >= before &&
            r.method === 'POST' &&
            r.path === `/channels/${serverB.channel.id}/messages`,
        );
        return JSON.stringify(reply.body);
      },
    },
    {
      // Last: from here on B's library holds the same words as A's article, which B may be answered from.
      name: '/add of A’s article text into B: added, not "already there"',
      run: async () => {
        const said = await addFile(mallory, inB(), 'copy.md', VAULT.replace('Harrow Vault', 'Copied'));
        // The reply quotes the text B gave; only whether it was added is B's to learn here.
        return said.startsWith('Added **The Copied Ledger**') ? 'added' : said;
      },
      check: (said) => expect(said).toBe('added'),
    },
  ];

  it.each(attempts.map((t) => [t.name, t] as const))(
    'gives B’s owner nothing of A’s and changes nothing of A’s: %s',
    async (_name, attempt) => {
      const before = digest(libraryOf(serverA().id));
      const posted = emulator.guildMessages(serverA().id).length;
      const said = await attempt.run();
      for (const secret of secrets()) expect(said).not.toContain(secret);
      await attempt.check?.(said);
      expect(digest(libraryOf(serverA().id))).toBe(before);
      expect(emulator.guildMessages(serverA().id)).toHaveLength(posted);
    },
  );

  it('lets A reindex and add while B’s library is being rebuilt, and refuses only B', async () => {
    // B's library reports a rebuild under way for as long as the test needs one.
    const folderB = libraryOf(serverB.id);
    const rebuilding = vi.spyOn(Footnote.prototype, 'reindexing', 'get').mockImplementation(function (this: Footnote) {
      return this.config.articlesDir.startsWith(folderB);
    });
    try {
      expect((await command('reindex', mallory, serverB.id)).content).toBe(REINDEX_RUNNING);
      expect((await command('reindex', adminA(), serverA().id)).content).toMatch(/^\*\*(Reindex complete|The index)/);
      expect((await command('reindex', emulator.fixture.users.owner, undefined)).content).toMatch(/^\*\*/);
      expect(
        await addFile(adminA(), serverA().id, 'tide.md', '# Tide\n\nHigh tide at Harrow falls at noon today.\n'),
      ).toMatch(/^Added /);
    } finally {
      rebuilding.mockRestore();
    }
  });

  it('answers A from its own library and the shared one, never from B’s', async () => {
    const moss = await command('ask', adminA(), serverA().id, [text('question', 'Where does green moss grow?')]);
    expect(moss.content).not.toContain('Kellby');
    const titles = JSON.stringify((await command('articles', adminA(), serverA().id)).embeds);
    expect(titles).toContain('The Harrow Vault Ledger');
    expect(titles).toContain('shared library');
    expect(titles).not.toContain('Moss on the Sea Wall');
  });

  it('shows A’s admin the ids of A’s own articles in /articles, not of the shared ones, and a member none', async () => {
    const lines = async (user: APIUser) =>
      (await command('articles', user, serverA().id)).embeds[0]!.description!.split('\n');
    const admin = await lines(adminA());
    expect(admin.find((line) => line.includes('The Harrow Vault Ledger'))).toMatch(
      new RegExp(`· id \`${a.articleId}\`$`),
    );
    // A shared article is the home library's: A's admin cannot remove it from here.
    const shared = admin.filter((line) => line.includes('shared library'));
    expect(shared.length).toBeGreaterThan(0);
    for (const line of shared) expect(line).not.toContain(' · id ');
    for (const line of await lines(emulator.fixture.users.regular)) expect(line).not.toContain(' · id ');
  });

  it('reads the home library in a DM; only an operator changes it there, and never a server’s', async () => {
    const dm = await command('ask', emulator.fixture.users.regular, undefined, [text('question', VAULT_QUESTION)]);
    expect(dm.content).not.toContain('oak chest');
    const before = { a: digest(libraryOf(serverA().id)), b: digest(libraryOf(serverB.id)), home: digest(home) };
    expect(await addFile(emulator.fixture.users.regular, undefined, 'moss.md', MOSS)).toMatch(/^Only members/);
    expect(digest(home)).toBe(before.home);
    expect(await addFile(emulator.fixture.users.owner, undefined, 'moss.md', MOSS)).toMatch(/^Added \*\*Moss/);
    expect(fs.readdirSync(home)).toContain('moss-on-the-sea-wall.md');
    const removed = await command('remove', emulator.fixture.users.owner, undefined, [text('article', a.articleId)]);
    expect(removed.content).toMatch(/^No indexed article has the id/);
    expect({ a: digest(libraryOf(serverA().id)), b: digest(libraryOf(serverB.id)) }).toEqual({
      a: before.a,
      b: before.b,
    });
  });
});

describe('a HOME_SERVER_IDS server', () => {
  let own: RunningBot;
  let articles: string;

  beforeAll(async () => {
    articles = articlesCopy();
    own = await startBot((e) => ({
      ARTICLES_DIR: articles,
      // Its own, or /remove would move the article into the checkout's data/removed.
      REMOVED_DIR: path.join(tempDir('footnote-removed-'), 'removed'),
      HOME_SERVER_IDS: e.fixture.guild.id,
      FETCH_ALLOW_HOSTS: '127.0.0.1',
    }));
  });

  afterAll(() => own?.stop());

  it('has its admins change the home library: /add and /remove there, no library of its own', async () => {
    const { emulator: e } = own;
    const attachment = e.uploadAttachment({ filename: 'moss.md', bytes: Buffer.from(MOSS) });
    const file = { name: 'file', type: ApplicationCommandOptionType.Attachment, value: attachment.id } as Option;
    const sent = e.sendSlashCommand({
      name: 'add',
      user: e.fixture.users.admin,
      options: [file],
      guildId: e.fixture.guild.id,
    });
    expect((await e.waitForInteractionReply(sent.id, 20_000)).content).toMatch(/^Added \*\*Moss on the Sea Wall\*\*/);
    expect(fs.readdirSync(articles)).toContain('moss-on-the-sea-wall.md');
    expect(fs.existsSync(own.libraries.folderOf(e.fixture.guild.id))).toBe(false);
    const id = own.footnote.articles().find((x) => x.title === 'Moss on the Sea Wall')!.id;
    const removing = e.sendSlashCommand({
      name: 'remove',
      user: e.fixture.users.admin,
      options: [text('article', id)],
      guildId: e.fixture.guild.id,
    });
    const confirm = await e.waitForInteractionReply(removing.id);
    expect(confirm.content).toMatch(/^Remove \*\*Moss on the Sea Wall\*\*/);
    const clicked = e.clickButton({
      messageId: confirm.message.id,
      customId: REMOVE_BUTTON,
      user: e.fixture.users.admin,
    });
    await e.waitForRequest(
      (r) => r.method !== 'GET' && r.path.includes(clicked.token) && /Removed \*\*/.test(JSON.stringify(r.body)),
      20_000,
    );
    expect(fs.readdirSync(articles)).not.toContain('moss-on-the-sea-wall.md');
  });
});

describe('SHARED_LIBRARY=false', () => {
  let own: RunningBot;

  beforeAll(async () => {
    own = await startBot(() => ({ SHARED_LIBRARY: 'false' }));
  });

  afterAll(() => own?.stop());

  it('answers a server from its own library only: the home library is as unknown there as another server’s', async () => {
    const { emulator: e } = own;
    const where = { user: e.fixture.users.regular, guildId: e.fixture.guild.id };
    const reply = async (name: string, options: Option[] = []) =>
      (await e.waitForInteractionReply(e.sendSlashCommand({ name, options, ...where }).id)).content;
    expect(await reply('ask', [text('question', JACK_MA)])).toContain(NOT_FOUND);
    const shipped = own.footnote.articles()[0]!.id;
    expect(await reply('ask', [text('question', JACK_MA), text('article', shipped)])).toBe(
      `No indexed article has the id "${shipped}".`,
    );
    expect(await reply('articles')).toBe('No articles are indexed yet. An admin can add one with `/add`.');
    // A DM still reads the home library.
    const dm = await e.waitForInteractionReply(
      e.sendSlashCommand({ name: 'ask', user: e.fixture.users.regular, options: [text('question', JACK_MA)] }).id,
    );
    expect(dm.content).toContain('Alibaba');
  });
});

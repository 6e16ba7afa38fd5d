import fs from 'node:fs';
import path from 'node:path';
import { ApplicationCommandOptionType, ButtonStyle, ComponentType, MessageFlags, type APIUser } from 'discord.js';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REMOVE_REFUSED } from '../../src/discord/preconditions.js';
import { CANCEL_BUTTON, REMOVE_BUTTON } from '../../src/discord/handlers/remove-handler.js';
import type { DiscordEmulator, InteractionReply } from '../../scripts/discord-emulator.js';
import { expectNothingForOperators, startBot, type RunningBot } from '../support/bot.js';
import { ROOT, articlesCopy, logRecord, tempDir } from '../support/setup.js';

// /remove through the real client and the emulator: the confirmation, both buttons, who may, and
// what happens to the file and the index.

const LIGHTHOUSE =
  '---\ntitle: The Lighthouse Keeper\n---\n\nThe keeper on Skerry Island logs every ship in a ledger.\n';
const ORCHARD = '---\ntitle: The Quince Orchard\n---\n\nThe quince orchard behind the mill gives fruit in October.\n';
const FERRY = '---\ntitle: The Night Ferry\n---\n\nThe night ferry to Vardo leaves at eleven from the north pier.\n';
const TAKEN = 'A different file that was removed before, under the same name.';

const logLines: string[] = [];
const log = pino({ level: 'info' }, { write: (line: string) => void logLines.push(line) });
const audit = () => logLines.map(logRecord).filter((line) => line.audit === 'remove');

let running: RunningBot;
let emulator: DiscordEmulator;
let articles: string;
let removed: string;

beforeAll(async () => {
  articles = articlesCopy({ 'lighthouse.md': LIGHTHOUSE, 'orchard.md': ORCHARD, 'harbour/ferry.md': FERRY });
  removed = path.join(tempDir('footnote-removed-'), 'removed');
  fs.mkdirSync(path.join(removed, 'harbour'), { recursive: true });
  fs.writeFileSync(path.join(removed, 'harbour/ferry.md'), TAKEN);
  running = await startBot(
    (e) => ({
      ARTICLES_DIR: articles,
      REMOVED_DIR: removed,
      ADMIN_USER_IDS: e.fixture.users.owner.id,
      // The fixture server's admins change the home library, as in a bot run for one community.
      HOME_SERVER_IDS: e.fixture.guild.id,
    }),
    { log },
  );
  emulator = running.emulator;
});

afterAll(() => running?.stop());

const idOf = (file: string): string =>
  running.footnote
    .index()!
    .articles()
    .find((a) => a.file === file)!.id;
const indexedFiles = (): string[] =>
  running.footnote
    .index()!
    .articles()
    .map((a) => a.file);
const guild = () => ({ guildId: emulator.fixture.guild.id });

/** Sends /remove and resolves with its first reply (the confirmation, or a refusal). */
function remove(user: APIUser, articleId: string, where: { guildId?: string } = guild()) {
  const options = [{ name: 'article', type: ApplicationCommandOptionType.String as const, value: articleId }];
  const sent = emulator.sendSlashCommand({ name: 'remove', user, options, ...where });
  return emulator.waitForInteractionReply(sent.id);
}

/** Clicks a button of the confirmation and resolves with the message's content once `done` matches it. */
async function click(shown: InteractionReply, customId: string, user: APIUser, done: RegExp): Promise<string> {
  const clicked = emulator.clickButton({ messageId: shown.message.id, customId, user });
  // The click's own callback (7) or a later edit through its webhook, both named by its token.
  const edited = await emulator.waitForRequest(
    (r) => r.method !== 'GET' && r.path.includes(clicked.token) && done.test(JSON.stringify(r.body)),
  );
  expect(edited.status).toBeLessThan(400);
  const body = edited.body as { content?: string; data?: { content?: string; components?: unknown[] } };
  const content = body.content ?? body.data?.content ?? '';
  expect(content).toMatch(done);
  return content;
}

async function ask(question: string): Promise<string> {
  const options = [{ name: 'question', type: ApplicationCommandOptionType.String as const, value: question }];
  const reply = await emulator.waitForInteractionReply(
    emulator.sendSlashCommand({ name: 'ask', user: emulator.fixture.users.admin, options, ...guild() }).id,
  );
  return JSON.stringify([reply.content, reply.embeds]);
}

describe('/remove', () => {
  it('has /articles show the ids to those who may remove, and to no one else', async () => {
    const { admin, owner, regular } = emulator.fixture.users;
    const lines = async (user: APIUser, where: { guildId?: string }) => {
      const sent = emulator.sendSlashCommand({ name: 'articles', user, ...where });
      return (await emulator.waitForInteractionReply(sent.id)).embeds[0]!.description!.split('\n');
    };
    // Manage Server holders where they hold it; ADMIN_USER_IDS anywhere, a DM too.
    for (const [user, where] of [
      [admin, guild()],
      [owner, {}],
    ] as const) {
      const shown = await lines(user, where);
      expect(shown.find((line) => line.includes('The Quince Orchard'))).toMatch(
        new RegExp(`^\\*\\*The Quince Orchard\\*\\* · 1 passage · id \`${idOf('orchard.md')}\`$`),
      );
      expect(shown.find((line) => line.includes('The Night Ferry'))).toContain(`· id \`${idOf('harbour/ferry.md')}\``);
    }
    for (const where of [guild(), {}]) {
      const shown = await lines(regular, where);
      expect(shown.find((line) => line.includes('The Quince Orchard'))).toBe('**The Quince Orchard** · 1 passage');
      for (const line of shown) expect(line).not.toContain(' · id ');
    }
  });

  it('autocompletes the indexed articles by title', async () => {
    const sent = emulator.sendAutocomplete({
      name: 'remove',
      options: [{ name: 'article', type: ApplicationCommandOptionType.String, value: 'lighth', focused: true }],
      user: emulator.fixture.users.admin,
      ...guild(),
    });
    const callback = await emulator.waitForRequest((r) => r.path.startsWith(`/interactions/${sent.id}/`));
    expect(callback.body).toMatchObject({
      data: { choices: [{ name: 'The Lighthouse Keeper', value: idOf('lighthouse.md') }] },
    });
  });

  it('shows the title first; Remove moves the file to the removed folder and the index and /ask forget it', async () => {
    const admin = emulator.fixture.users.admin;
    const id = idOf('lighthouse.md');
    expect(await ask('Where does the keeper log every ship?')).toContain('The Lighthouse Keeper');

    const shown = await remove(admin, id);
    expect(shown.flags & MessageFlags.Ephemeral).toBe(MessageFlags.Ephemeral);
    expect(shown.content).toContain('The Lighthouse Keeper');
    expect(shown.content).toContain('lighthouse.md');
    expect(shown.content).toContain('Its file moves to the removed folder, and is deleted 90 days later.');
    expect(shown.components).toMatchObject([
      {
        type: ComponentType.ActionRow,
        components: [
          { custom_id: REMOVE_BUTTON, label: 'Remove', style: ButtonStyle.Danger },
          { custom_id: CANCEL_BUTTON, label: 'Cancel' },
        ],
      },
    ]);
    // Nothing happens before the click.
    expect(fs.existsSync(path.join(articles, 'lighthouse.md'))).toBe(true);

    const done = await click(shown, REMOVE_BUTTON, admin, /Removed/);
    expect(done).toContain('The Lighthouse Keeper');
    expect(done).toContain('its file is kept in the removed folder for 90 days. Articles in the index: 3.');
    const message = (await emulator.waitForInteractionReply(shown.message.interaction_metadata!.id)).message;
    expect(message.components).toEqual([]);
    for (const text of [shown.content, done]) expectNothingForOperators(text, [articles, removed, ROOT]);

    expect(fs.existsSync(path.join(articles, 'lighthouse.md'))).toBe(false);
    expect(fs.readFileSync(path.join(removed, 'lighthouse.md'), 'utf8')).toBe(LIGHTHOUSE);
    expect(running.footnote.index()!.article(id)).toBeNull();
    expect(indexedFiles()).not.toContain('lighthouse.md');
    expect(await ask('Where does the keeper log every ship?')).not.toContain('Lighthouse');
    expect(audit()).toContainEqual(
      expect.objectContaining({
        userId: admin.id,
        where: emulator.fixture.guild.id,
        articleId: id,
        file: 'lighthouse.md',
        movedTo: 'lighthouse.md',
        result: 'removed',
      }),
    );
  });

  it('never overwrites a file of the same name in the removed folder', async () => {
    const owner = emulator.fixture.users.owner;
    // The owner is in ADMIN_USER_IDS, which works in a DM too.
    const shown = await remove(owner, idOf('harbour/ferry.md'), {});
    expect(shown.content).toContain('The Night Ferry');
    await click(shown, REMOVE_BUTTON, owner, /Removed/);
    expect(fs.readFileSync(path.join(removed, 'harbour/ferry.md'), 'utf8')).toBe(TAKEN);
    expect(fs.readFileSync(path.join(removed, 'harbour/ferry-2.md'), 'utf8')).toBe(FERRY);
    expect(indexedFiles()).not.toContain('harbour/ferry.md');
    expect(audit()).toContainEqual(
      expect.objectContaining({ userId: owner.id, where: 'DM', movedTo: path.join('harbour', 'ferry-2.md') }),
    );
  });

  it('changes nothing on Cancel, and only the person who asked can click', async () => {
    const { admin, owner } = emulator.fixture.users;
    const id = idOf('orchard.md');
    const shown = await remove(admin, id);
    // Someone else's click is not the asker's answer: it is ignored.
    const other = emulator.clickButton({ messageId: shown.message.id, customId: REMOVE_BUTTON, user: owner });
    const content = await click(shown, CANCEL_BUTTON, admin, /Cancelled/);
    expect(content).toContain('The Quince Orchard');
    expect(emulator.interaction(other.id)?.callback).toBeUndefined();
    expect(fs.readFileSync(path.join(articles, 'orchard.md'), 'utf8')).toBe(ORCHARD);
    expect(fs.existsSync(path.join(removed, 'orchard.md'))).toBe(false);
    expect(indexedFiles()).toContain('orchard.md');
    expect(audit()).toContainEqual(expect.objectContaining({ articleId: id, result: 'cancelled' }));
  });

  it('refuses someone who may not, with an audit line, and nothing moves', async () => {
    const regular = emulator.fixture.users.regular;
    const id = idOf('orchard.md');
    for (const where of [guild(), {}]) {
      const refused = await remove(regular, id, where);
      expect(refused.content).toBe(REMOVE_REFUSED);
      expect(refused.components).toEqual([]);
    }
    expect(fs.existsSync(path.join(articles, 'orchard.md'))).toBe(true);
    expect(indexedFiles()).toContain('orchard.md');
    expect(audit().filter((line) => line.userId === regular.id)).toEqual([
      expect.objectContaining({ where: emulator.fixture.guild.id, articleId: id, result: 'refused' }),
      expect.objectContaining({ where: 'DM', articleId: id, result: 'refused' }),
    ]);
  });

  it('says plainly that an unknown article id is not indexed, and changes nothing', async () => {
    const before = fs.readdirSync(articles).sort();
    const reply = await remove(emulator.fixture.users.admin, 'no-such-article');
    expect(reply.content).toBe('No indexed article has the id “no-such-article”. Nothing was changed.');
    expect(reply.flags & MessageFlags.Ephemeral).toBe(MessageFlags.Ephemeral);
    expect(reply.components).toEqual([]);
    expect(fs.readdirSync(articles).sort()).toEqual(before);
  });
});

import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { ApplicationCommandOptionType, MessageFlags } from 'discord.js';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { Footnote } from '../../src/library/footnote.js';
import { askInServer, expectNothingForOperators, startBot, type RunningBot } from '../support/bot.js';
import { logRecord, silentLog, tempDir, testConfig } from '../support/setup.js';

const running: RunningBot[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((r) => r.stop()));
});

const QUESTION = {
  name: 'question',
  type: ApplicationCommandOptionType.String as const,
  value: 'Is Jack Ma open to working with Apple?',
};

describe('errors on Discord know who reads them', () => {
  it('tells a user only that something failed, with an error id, when the model cannot be loaded; the operator message is in the log', async () => {
    const indexDir = tempDir('footnote-index-');
    const builder = new Footnote(testConfig({ INDEX_DIR: indexDir }), silentLog);
    await builder.reindex();
    await builder.close();
    // A directory with no model in it: configuration is valid, loading fails.
    const missingModel = path.join(tempDir(), 'no-model-here');
    fs.mkdirSync(missingModel);
    const lines: string[] = [];
    const log = pino({ level: 'info' }, { write: (line: string) => void lines.push(line) });
    const bot = await startBot(
      () => ({ INDEX_DIR: indexDir, RETRIEVAL_MODE: 'dense', EMBEDDING_MODEL: missingModel }),
      { log, reindex: false },
    );
    running.push(bot);
    const { emulator } = bot;

    const slash = emulator.sendSlashCommand({
      name: 'ask',
      guildId: emulator.fixture.guild.id,
      options: [QUESTION],
    });
    const reply = await emulator.waitForInteractionReply(slash.id);
    type Body = { message_reference?: { message_id: string } } | undefined;
    const messageReply = async (message: { id: string }) =>
      JSON.stringify(
        (await emulator.waitForRequest((r) => (r.body as Body)?.message_reference?.message_id === message.id)).body,
      );
    const dm = await messageReply(emulator.sendMessage({ content: 'Is Jack Ma open to working with Apple?' }));
    const me = emulator.fixture.users.bot;
    const content = `<@${me.id}> Is Jack Ma open to working with Apple?`;
    const mention = await messageReply(
      emulator.sendMessage({ content, guildId: emulator.fixture.guild.id, mentions: [me] }),
    );

    for (const text of [JSON.stringify(reply), dm, mention]) {
      expect(text).toMatch(/error id `[0-9a-f]{8}`/);
      expectNothingForOperators(text, [missingModel, indexDir]);
    }
    // The operator gets the whole story, under the id the user was given.
    const id = /error id `([0-9a-f]{8})`/.exec(reply.content)![1];
    const entry = lines.map(logRecord).find((l) => l.errorId === id);
    expect(entry?.err?.message).toContain(missingModel);
    expect(entry?.err?.message).toContain('EMBEDDING_MODEL');
  });

  it('shows a user their own mistake plainly, without paths or variables', async () => {
    const bot = await startBot(() => ({ RETRIEVAL_MODE: 'lexical' }));
    running.push(bot);
    const { emulator, footnote } = bot;
    const slash = emulator.sendSlashCommand({
      name: 'ask',
      guildId: emulator.fixture.guild.id,
      options: [QUESTION, { name: 'article', type: ApplicationCommandOptionType.String, value: 'no-such-article' }],
    });
    const reply = await emulator.waitForInteractionReply(slash.id);
    expect(reply.content).toBe('No indexed article has the id "no-such-article".');
    expectNothingForOperators(JSON.stringify(reply), [footnote.config.articlesDir, footnote.config.indexDir]);
  });

  it('shows a user mistake that repeats a long input shortened to fit a message, instead of no reply at all', async () => {
    const bot = await startBot(() => ({ RETRIEVAL_MODE: 'lexical' }));
    running.push(bot);
    const { emulator } = bot;
    const id = 'x'.repeat(2100);
    const slash = emulator.sendSlashCommand({
      name: 'ask',
      guildId: emulator.fixture.guild.id,
      options: [QUESTION, { name: 'article', type: ApplicationCommandOptionType.String, value: id }],
    });
    const reply = await emulator.waitForInteractionReply(slash.id);
    expect(reply.content.length).toBeLessThanOrEqual(2000);
    expect(reply.content).toMatch(/^No indexed article has the id "x+…$/);
  });

  it('answers while the answer log cannot be read or written, and a vote it cannot record gets a private apology', async () => {
    const answersDb = path.join(tempDir('footnote-answers-'), 'answers.db');
    const bot = await startBot(() => ({ RETRIEVAL_MODE: 'lexical', ANSWERS_DB: answersDb }));
    running.push(bot);
    const { emulator } = bot;
    const answered = await askInServer(emulator, 'Who does Ma respect at Apple?');
    // The log's tables gone from under the bot, as a damaged or replaced file would leave it.
    const db = new Database(answersDb);
    db.exec('DROP TABLE votes; DROP TABLE thread_answers; DROP TABLE answers;');
    db.close();

    // Every question first reads the log for the thread it may be in.
    const again = await askInServer(emulator, 'Who does Ma respect at Apple?');
    expect(again.content).toContain('tremendous respect for Apple CEO Tim Cook');

    const buttons = (answered.components[0] as { components: { custom_id: string; label: string }[] }).components;
    const click = emulator.clickButton({
      messageId: answered.message.id,
      customId: buttons.find((b) => b.label === '👍')!.custom_id,
      user: emulator.fixture.users.regular,
    });
    const callback = await emulator.waitForRequest((r) => r.path.startsWith(`/interactions/${click.id}/`));
    const data = (callback.body as { data: { content: string; flags: number } }).data;
    expect(data.content).toMatch(/error id `[0-9a-f]{8}`/);
    expect(data.flags & MessageFlags.Ephemeral).toBe(MessageFlags.Ephemeral);
    expectNothingForOperators(data.content, [answersDb]);
  });
});

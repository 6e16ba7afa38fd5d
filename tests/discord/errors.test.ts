import fs from 'node:fs';
import path from 'node:path';
import { ApplicationCommandOptionType } from 'discord.js';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { Footnote } from '../../src/footnote.js';
import { expectNothingForOperators, startBot, type RunningBot } from '../support/bot.js';
import { silentLog, tempDir, testConfig } from '../support/setup.js';

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
    const entry = lines.map((l) => JSON.parse(l)).find((l) => l.errorId === id);
    expect(entry.err.message).toContain(missingModel);
    expect(entry.err.message).toContain('EMBEDDING_MODEL');
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
});

import { ApplicationCommandOptionType, MessageFlags } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IN_THE_THREAD } from '../../src/discord/buttons/follow-up.js';
import { NOT_A_QUESTION } from '../../src/core/answer/compose.js';
import type { DiscordEmulator, InteractionReply } from '../../scripts/discord-emulator.js';
import { askInServer, restartBot, startBot, type RunningBot } from '../support/bot.js';

// Follow-ups in threads through the real client and the emulator: the button opens a thread on
// the answer, and a question there is read with the thread's earlier turns, so it gets a
// different and right answer than the same words asked cold.

let running: RunningBot;
let emulator: DiscordEmulator;

beforeAll(async () => {
  running = await startBot();
  emulator = running.emulator;
});

afterAll(() => running?.stop());

const ask = (question: string, channelId?: string): Promise<InteractionReply> =>
  askInServer(emulator, question, { channelId });

const buttons = (reply: InteractionReply) =>
  (reply.components[0] as { components: { custom_id: string; label: string }[] } | undefined)?.components ?? [];

describe('follow-ups in threads', () => {
  let threadId = '';
  let clicked = { messageId: '', customId: '' };

  it('opens a thread on an answer when asked, and says where to ask', async () => {
    const answer = await ask('Who does Jack Ma have tremendous respect for?');
    expect(answer.content).toContain('tremendous respect for Apple CEO Tim Cook');
    const followUp = buttons(answer).find((b) => b.label === 'Ask a follow-up')!;
    clicked = { messageId: answer.message.id, customId: followUp.custom_id };
    const click = emulator.clickButton({ ...clicked, user: emulator.fixture.users.regular });
    const created = await emulator.waitForRequest((r) => r.method === 'POST' && r.path.endsWith('/threads'));
    expect(created.status).toBe(201);
    threadId = (created.response as { id: string }).id;
    const callback = await emulator.waitForRequest((r) => r.path.startsWith(`/interactions/${click.id}/`));
    const data = (callback.body as { data: { content: string; flags: number } }).data;
    expect(data.content).toBe(`${IN_THE_THREAD} <#${threadId}>`);
    expect(data.flags & MessageFlags.Ephemeral).toBe(MessageFlags.Ephemeral);
  });

  it('finds the thread the first click opened when the client has not seen it (after a restart)', async () => {
    // The new bot's cache holds no thread.
    await restartBot(running);
    const click = emulator.clickButton({ ...clicked, user: emulator.fixture.users.regular });
    const callback = await emulator.waitForRequest((r) => r.path.startsWith(`/interactions/${click.id}/`));
    expect((callback.body as { data: { content: string } }).data.content).toBe(`${IN_THE_THREAD} <#${threadId}>`);
  });

  it('reads a follow-up with the turn before it: "When did he say that?" gets the quote, cold it gets nothing', async () => {
    const cold = await ask('When did he say that?');
    expect(cold.content).toContain(NOT_A_QUESTION.slice(0, 40));
    const inThread = await ask('When did he say that?', threadId);
    expect(inThread.content).toMatch(
      /^> Ma told a Wall Street Journal Digital Live conference on Monday that he has tremendous respect for Apple CEO Tim Cook\. \[1\]/,
    );
    // In the thread there is no second thread to open.
    expect(buttons(inThread).map((b) => b.label)).toEqual(['👍', '👎']);
  });

  it('answers a mention in the thread in the thread, with the same context', async () => {
    const before = emulator.requests.length;
    emulator.sendMessage({
      guildId: emulator.fixture.guild.id,
      channelId: threadId,
      content: `<@${emulator.fixture.users.bot.id}> and where did he say it?`,
    });
    const reply = await emulator.waitForRequest(
      (r) => r.method === 'POST' && r.path === `/channels/${threadId}/messages`,
    );
    expect(emulator.requests.indexOf(reply)).toBeGreaterThanOrEqual(before);
    expect((reply.body as { content: string }).content).toContain('Wall Street Journal Digital Live conference');
  });
});

describe('follow-up threads with MESSAGE_CONTENT', () => {
  it('takes every message in a follow-up thread as a question only when the intent is on', async () => {
    const plainIn = async (bot: RunningBot, channelId: string, content: string) => {
      const before = bot.emulator.requests.length;
      bot.emulator.sendMessage({ guildId: bot.emulator.fixture.guild.id, channelId, content });
      // A reply, if any, comes before the bot answers the next interaction: ask something after it.
      const options = [
        { name: 'question', type: ApplicationCommandOptionType.String as const, value: 'What is Alipay?' },
      ];
      const sent = bot.emulator.sendSlashCommand({ name: 'ask', options, guildId: bot.emulator.fixture.guild.id });
      await bot.emulator.waitForInteractionReply(sent.id);
      return bot.emulator.requests
        .slice(before)
        .filter((r) => r.method === 'POST' && r.path === `/channels/${channelId}/messages`);
    };
    const openThread = async (bot: RunningBot): Promise<string> => {
      const options = [
        {
          name: 'question',
          type: ApplicationCommandOptionType.String as const,
          value: 'Who does Jack Ma have tremendous respect for?',
        },
      ];
      const sent = bot.emulator.sendSlashCommand({ name: 'ask', options, guildId: bot.emulator.fixture.guild.id });
      const answer = await bot.emulator.waitForInteractionReply(sent.id);
      const followUp = buttons(answer).find((b) => b.label === 'Ask a follow-up')!;
      const click = bot.emulator.clickButton({
        messageId: answer.message.id,
        customId: followUp.custom_id,
        user: bot.emulator.fixture.users.regular,
      });
      const created = await bot.emulator.waitForRequest(
        (r) =>
          r.method === 'POST' &&
          r.path === `/channels/${bot.emulator.fixture.channel.id}/messages/${answer.message.id}/threads`,
      );
      // The click is answered once the thread is recorded as a follow-up thread.
      await bot.emulator.waitForRequest((r) => r.path.startsWith(`/interactions/${click.id}/`));
      return (created.response as { id: string }).id;
    };

    // Off (the default): a plain message in the thread is not for the bot, and Discord blanks it anyway.
    expect(await plainIn(running, await openThread(running), 'When did he say that?')).toEqual([]);

    const withIntent = await startBot(() => ({ MESSAGE_CONTENT: 'true' }));
    try {
      const thread = await openThread(withIntent);
      withIntent.emulator.sendMessage({
        guildId: withIntent.emulator.fixture.guild.id,
        channelId: thread,
        content: 'When did he say that?',
      });
      const reply = await withIntent.emulator.waitForRequest(
        (r) => r.method === 'POST' && r.path === `/channels/${thread}/messages`,
      );
      expect((reply.body as { content: string }).content).toContain('conference on Monday');
      // Outside follow-up threads, plain messages are still not questions.
      expect(await plainIn(withIntent, withIntent.emulator.fixture.channel.id, 'When did he say that?')).toEqual([]);
    } finally {
      await withIntent.stop();
    }
  });
});

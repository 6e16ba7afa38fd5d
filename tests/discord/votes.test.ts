import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { MessageFlags } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NOT_HERE } from '../../src/discord/buttons/follow-up.js';
import { TOO_OLD } from '../../src/discord/buttons/votes.js';
import { FOLLOW_UP_PREFIX, VOTE_PREFIX } from '../../src/discord/render.js';
import { AnswerLog } from '../../src/library/feedback/answer-log.js';
import type { DiscordEmulator, InteractionReply } from '../../scripts/discord-emulator.js';
import { askInServer, restartBot, startBot, type RunningBot } from '../support/bot.js';
import { tempDir } from '../support/setup.js';

// 👍/👎 through the real client and the emulator: one vote per person per answer, changeable,
// acknowledged privately, kept across a restart, stored without the voter's id, and only where the answer was given.

let running: RunningBot;
let emulator: DiscordEmulator;
const answersDb = path.join(tempDir('footnote-answers-'), 'answers.db');

beforeAll(async () => {
  running = await startBot(() => ({ ANSWERS_DB: answersDb }));
  emulator = running.emulator;
});

afterAll(() => running?.stop());

const ask = (question: string): Promise<InteractionReply> => askInServer(emulator, question);

/** Clicks a vote button and returns the private acknowledgement. */
async function vote(reply: InteractionReply, label: '👍' | '👎', user = emulator.fixture.users.regular) {
  const buttons = (reply.components[0] as { components: { custom_id: string; label: string }[] }).components;
  const button = buttons.find((b) => b.label === label)!;
  const click = emulator.clickButton({ messageId: reply.message.id, customId: button.custom_id, user });
  const callback = await emulator.waitForRequest((r) => r.path.startsWith(`/interactions/${click.id}/`));
  return (callback.body as { data: { content: string; flags: number } }).data;
}

const votesStored = () => {
  const db = new Database(answersDb, { readonly: true });
  try {
    return db
      .prepare(
        'SELECT a.question, a.user_hash, v.user_hash AS voter, v.vote FROM votes v JOIN answers a ON a.id = v.answer_id',
      )
      .all() as {
      question: string;
      user_hash: string;
      voter: string;
      vote: number;
    }[];
  } finally {
    db.close();
  }
};

describe('votes on answers', () => {
  it('takes one vote per person, which they may change, and tells only them', async () => {
    const reply = await ask('Is Jack Ma open to working with Apple?');
    const first = await vote(reply, '👍');
    expect(first.content).toBe('Thanks for the 👍. Only you can see this.');
    expect(first.flags & MessageFlags.Ephemeral).toBe(MessageFlags.Ephemeral);
    expect((await vote(reply, '👍')).content).toBe('You had already voted 👍.');
    expect((await vote(reply, '👎')).content).toBe('Your vote is now 👎.');
    await vote(reply, '👍', emulator.fixture.users.admin);
    const stored = votesStored().filter((v) => v.question === 'Is Jack Ma open to working with Apple?');
    expect(stored.map((v) => v.vote).sort()).toEqual([-1, 1]);
    // Nobody's id is stored, only salted hashes.
    const ids = Object.values(emulator.fixture.users).map((u) => u.id);
    for (const row of stored) for (const id of ids) expect(JSON.stringify(row)).not.toContain(id);
  });

  it('counts a vote in a DM on the answer given in that DM', async () => {
    const dm = emulator.sendMessage({ content: 'Is Jack Ma open to working with Apple?' });
    const sent = await emulator.waitForRequest(
      (r) => r.method === 'POST' && r.path === `/channels/${dm.channel_id}/messages`,
    );
    const message = sent.response as InteractionReply['message'];
    const up = (message.components![0] as { components: { custom_id: string; label: string }[] }).components[0]!;
    const click = emulator.clickButton({ messageId: message.id, customId: up.custom_id });
    const callback = await emulator.waitForRequest((r) => r.path.startsWith(`/interactions/${click.id}/`));
    expect((callback.body as { data: { content: string } }).data.content).toBe(
      'Thanks for the 👍. Only you can see this.',
    );
  });

  it('refuses a vote or a follow-up in this server on another server’s answer, and tells nothing of it', async () => {
    // The emulator has one server: the other server's answer is written to the bot's log as the bot would
    // write it there, and its id put on buttons of a message the bot posts here.
    const other = new AnswerLog(answersDb, 90);
    const answerId = other.record({
      question: 'What does the other server ask?',
      found: true,
      citations: [],
      mode: 'lexical',
      generation: null,
      userId: emulator.fixture.users.regular.id,
      where: { guildId: '987654321098765432', channelId: '987654321098765433' },
      private: false,
    });
    other.close();
    const channel = await running.bot.client.channels.fetch(emulator.fixture.channel.id);
    if (!channel?.isSendable()) throw new Error('the fixture channel is not sendable');
    const ids = [`${VOTE_PREFIX}-1:${answerId}`, `${FOLLOW_UP_PREFIX}${answerId}`];
    const posted = await channel.send({
      content: 'An answer from elsewhere',
      components: [
        { type: 1, components: ids.map((custom_id) => ({ type: 2, style: 2, custom_id, label: custom_id })) },
      ],
    });
    const replies: string[] = [];
    for (const customId of ids) {
      const click = emulator.clickButton({ messageId: posted.id, customId });
      const callback = await emulator.waitForRequest((r) => r.path.startsWith(`/interactions/${click.id}/`));
      replies.push((callback.body as { data: { content: string } }).data.content);
    }
    expect(replies).toEqual([TOO_OLD, NOT_HERE]);
    expect(votesStored().filter((v) => v.question === 'What does the other server ask?')).toEqual([]);
    expect(
      emulator.requests.some(
        (r) => r.path === `/channels/${emulator.fixture.channel.id}/messages/${posted.id}/threads`,
      ),
    ).toBe(false);
  });

  it('counts a vote on an answer given before a restart', async () => {
    const reply = await ask('Who does Ma respect at Apple?');
    await restartBot(running);
    expect((await vote(reply, '👎')).content).toBe('Thanks for the 👎. Only you can see this.');
    expect(votesStored().some((v) => v.question === 'Who does Ma respect at Apple?' && v.vote === -1)).toBe(true);
  });
});

describe('the answer log', () => {
  it('forgets answers and their votes after RETAIN_DAYS', () => {
    const file = path.join(tempDir(), 'answers.db');
    let now = Date.UTC(2026, 0, 1);
    const log = new AnswerLog(file, 90, { now: () => now });
    const where = { guildId: '1', channelId: '2' };
    const entry = { question: 'q', found: true, citations: [], mode: 'lexical', generation: null, userId: '1' };
    const old = log.record({ ...entry, where, private: false });
    expect(log.vote(old, '2', 1, where)).toBeNull();
    // Two days on, well within RETAIN_DAYS=90, it is still there and still takes votes.
    now += 2 * 24 * 60 * 60_000;
    log.record({ ...entry, where, private: false });
    expect(log.vote(old, '3', 1, where)).toBeNull();
    expect(log.since(0)).toHaveLength(2);
    now += 89 * 24 * 60 * 60_000;
    log.record({ ...entry, where, private: false });
    expect(log.vote(old, '2', -1, where)).toBeUndefined();
    expect(log.since(0)).toHaveLength(2);
    log.close();
    expect(fs.existsSync(file)).toBe(true);
  });

  it('leaves the pruning to shard 0 in the other shards of a sharded bot (prunes: false)', () => {
    const file = path.join(tempDir(), 'answers.db');
    let now = Date.UTC(2026, 0, 1);
    const where = { guildId: '1', channelId: '2' };
    const entry = { question: 'q', found: true, citations: [], mode: 'lexical', generation: null, userId: '1' };
    const shard1 = new AnswerLog(file, 90, { now: () => now, prunes: false });
    shard1.record({ ...entry, where, private: false });
    now += 91 * 24 * 60 * 60_000;
    shard1.record({ ...entry, where, private: false });
    expect(shard1.since(0)).toHaveLength(2);
    const shard0 = new AnswerLog(file, 90, { now: () => now });
    shard0.record({ ...entry, where, private: false });
    expect(shard1.since(0)).toHaveLength(2);
    shard0.close();
    shard1.close();
  });
});

import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { MessageFlags } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPORT_REFUSED } from '../../src/discord/preconditions.js';
import { AnswerLog } from '../../src/library/feedback/answer-log.js';
import { groupQuestions } from '../../src/library/feedback/question-report.js';
import type { DiscordEmulator, InteractionReply } from '../../scripts/discord-emulator.js';
import { askInServer, startBot, type RunningBot } from '../support/bot.js';
import { ROOT, tempDir, testEnv } from '../support/setup.js';

// /report through the real client and the emulator, after questions asked there, and `npm run report`.

let running: RunningBot;
let emulator: DiscordEmulator;

beforeAll(async () => {
  running = await startBot();
  emulator = running.emulator;
});

afterAll(() => running?.stop());

const ask = (question: string, user = emulator.fixture.users.regular): Promise<InteractionReply> =>
  askInServer(emulator, question, { user });

async function report(user = emulator.fixture.users.admin): Promise<InteractionReply> {
  const sent = emulator.sendSlashCommand({ name: 'report', user, guildId: emulator.fixture.guild.id });
  return emulator.waitForInteractionReply(sent.id);
}

describe('/report', () => {
  it('lists what was answered "not found", what was voted down and what was asked most, without users', async () => {
    await ask('What is the boiling point of mercury in kelvin?');
    await ask('what is the boiling point of mercury, in Kelvin');
    const answered = await ask('Is Jack Ma open to working with Apple?');
    await ask('Is Jack Ma open to working with Apple?', emulator.fixture.users.admin);
    await ask('Is Jack Ma open to working with Apple?', emulator.fixture.users.owner);
    const down = (answered.components[0] as { components: { custom_id: string; label: string }[] }).components.find(
      (b) => b.label === '👎',
    )!;
    const click = emulator.clickButton({
      messageId: answered.message.id,
      customId: down.custom_id,
      user: emulator.fixture.users.regular,
    });
    await emulator.waitForRequest((r) => r.path.startsWith(`/interactions/${click.id}/`));

    const shown = await report();
    expect(shown.flags & MessageFlags.Ephemeral).toBe(MessageFlags.Ephemeral);
    const lines = shown.content.split('\n');
    expect(lines[0]).toMatch(/^Since .* UTC: 5 answers\.$/);
    expect(shown.content).toContain('Answered "not found":\n  2× What is the boiling point of mercury in kelvin?');
    expect(shown.content).toContain(
      'Voted down:\n  -1 (1 votes) Is Jack Ma open to working with Apple? (cited alibaba-jack-ma-open-to-apple-payments.txt)',
    );
    expect(shown.content).toContain(
      'Most asked:\n  3× Is Jack Ma open to working with Apple?\n  2× What is the boiling point of mercury in kelvin?',
    );
    for (const user of Object.values(emulator.fixture.users)) expect(shown.content).not.toContain(user.id);
  });

  it('is refused to people who may not see it', async () => {
    expect((await report(emulator.fixture.users.regular)).content).toBe(REPORT_REFUSED);
  });
});

describe('npm run report', () => {
  it('prints the same report, as JSON too, and exits 2 on a bad period', () => {
    const file = path.join(tempDir(), 'answers.db');
    const log = new AnswerLog(file, 90);
    for (const question of ['Who founded Alipay?', 'who founded alipay', 'Is Ma open to Apple?']) {
      log.record({
        question,
        found: !/alipay/i.test(question),
        citations: [],
        mode: 'lexical',
        generation: null,
        userId: '1',
      });
    }
    log.close();
    const env = { ...testEnv({ ANSWERS_DB: file }), PATH: process.env.PATH!, HOME: process.env.HOME ?? ROOT };
    const run = (args: string[]) =>
      spawnSync('npm', ['run', '-s', 'report', '--', ...args], { cwd: ROOT, env, encoding: 'utf8' });
    const json = run(['--json', '--since', '1d']);
    expect(json.status, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({
      answers: 3,
      notFound: [{ question: 'Who founded Alipay?', count: 2 }],
      votedDown: [],
      mostAsked: [
        { question: 'Who founded Alipay?', count: 2 },
        { question: 'Is Ma open to Apple?', count: 1 },
      ],
    });
    expect(run([]).stdout).toContain('Answered "not found":\n  2× Who founded Alipay?');
    const bad = run(['--since', 'last week']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--since must be a number of days or hours, like 7d or 24h/);
  });
});

describe('grouping questions', () => {
  it('joins wordings that differ in case, stop words, order and word endings', () => {
    expect(
      groupQuestions([
        'Who founded Alipay?',
        'who founded alipay',
        'Alipay: who was its founder?',
        'When was Alipay founded?',
      ]),
    ).toEqual([
      { question: 'Who founded Alipay?', count: 2 },
      { question: 'Alipay: who was its founder?', count: 1 },
      { question: 'When was Alipay founded?', count: 1 },
    ]);
  });
});

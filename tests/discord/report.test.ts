import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { ApplicationCommandOptionType, MessageFlags } from 'discord.js';
import { REPORT_IN_A_SERVER } from '../../src/discord/handlers/report-handler.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPORT_REFUSED } from '../../src/discord/preconditions.js';
import { AnswerLog } from '../../src/library/feedback/answer-log.js';
import { groupQuestions } from '../../src/library/feedback/question-report.js';
import type { DiscordEmulator, InteractionReply } from '../../scripts/discord-emulator.js';
import { askInServer, startBot, type RunningBot } from '../support/bot.js';
import { ROOT, tempDir, testEnv } from '../support/setup.js';

// /report through the real client and the emulator, after questions asked there, and `npm run report`: a
// server's admins see its questions but for private ones' words, the operator sees every question.

let running: RunningBot;
let emulator: DiscordEmulator;

const answersDb = path.join(tempDir('footnote-answers-'), 'answers.db');

beforeAll(async () => {
  running = await startBot((e) => ({ ANSWERS_DB: answersDb, ADMIN_USER_IDS: e.fixture.users.owner.id }));
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

// The emulator has one server: a question from another server is written to the bot's log as the bot
// would write it there (tests/library/feedback/answer-log.test.ts holds two servers' reports side by side).
const OTHER_SERVER = '987654321098765432';
const WHERE_ASKED = [
  { how: 'publicly in the server', question: 'Which soup did the council serve on Tuesday?', inReport: true },
  { how: 'privately in the server', question: 'Is my landlord allowed to read my mail?', inReport: false },
  { how: 'in a direct message', question: 'What should I tell my doctor about the rash?', inReport: false },
  { how: 'in another server', question: 'When does the other server plan its raid?', inReport: false },
] as const;

async function askWhere(how: (typeof WHERE_ASKED)[number]['how'], question: string): Promise<void> {
  const options = [{ name: 'question', type: ApplicationCommandOptionType.String as const, value: question }];
  // Not the regular user, whom the questions before have brought near the rate limit.
  const user = emulator.fixture.users.owner;
  if (how === 'publicly in the server') await ask(question, user);
  else if (how === 'privately in the server') {
    const privately = [
      ...options,
      { name: 'private', type: ApplicationCommandOptionType.Boolean as const, value: true },
    ];
    const sent = emulator.sendSlashCommand({
      name: 'ask',
      options: privately,
      guildId: emulator.fixture.guild.id,
      user: emulator.fixture.users.admin,
    });
    await emulator.waitForInteractionReply(sent.id);
  } else if (how === 'in a direct message') {
    await emulator.waitForInteractionReply(emulator.sendSlashCommand({ name: 'ask', options, user }).id);
  } else {
    const log = new AnswerLog(answersDb, 90);
    const where = { guildId: OTHER_SERVER, channelId: '987654321098765433' };
    log.record({
      question,
      found: false,
      citations: [],
      mode: 'lexical',
      generation: null,
      userId: '1',
      where,
      private: false,
    });
    log.close();
  }
}

const npmReport = (args: string[]) =>
  spawnSync('npm', ['run', '-s', 'report', '--', ...args], {
    cwd: ROOT,
    env: { ...testEnv({ ANSWERS_DB: answersDb }), PATH: process.env.PATH!, HOME: process.env.HOME ?? ROOT },
    encoding: 'utf8',
  });

describe('who sees which questions', () => {
  beforeAll(async () => {
    for (const { how, question } of WHERE_ASKED) await askWhere(how, question);
  });

  it.each(WHERE_ASKED)("a question asked $how: in the server's /report $inReport, in npm run report", async (row) => {
    const shown = (await report()).content;
    expect(shown.includes(row.question)).toBe(row.inReport);
    const everything = npmReport([]);
    expect(everything.status, everything.stderr).toBe(0);
    expect(everything.stdout).toContain(row.question);
  });

  it("counts the private question in the server's /report, without its words", async () => {
    expect((await report()).content.split('\n')[0]).toMatch(/: 7 answers, 1 of them private \(counted, not shown\)\.$/);
  });

  it('labels each place for the operator, and --server shows that server alone', () => {
    const everything = npmReport([]).stdout;
    expect(everything).toContain(`Server ${emulator.fixture.guild.id}: 7 answers (1 private).`);
    expect(everything).toContain(`Server ${OTHER_SERVER}: 1 answer (0 private).`);
    expect(everything).toContain('Direct messages: 1 answer (1 private).');
    const one = npmReport(['--server', emulator.fixture.guild.id]);
    expect(one.status, one.stderr).toBe(0);
    expect(one.stdout).toContain(WHERE_ASKED[1].question);
    expect(one.stdout).not.toContain(WHERE_ASKED[2].question);
    expect(one.stdout).not.toContain(WHERE_ASKED[3].question);
    const bad = npmReport(['--server', 'the big one']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--server must be a Discord server id/);
  });

  it('in a direct message, sends even an admin to a server', async () => {
    const sent = emulator.sendSlashCommand({ name: 'report', user: emulator.fixture.users.owner });
    expect((await emulator.waitForInteractionReply(sent.id)).content).toBe(REPORT_IN_A_SERVER);
  });
});

describe('npm run report', () => {
  it('prints the same report, as JSON too, and exits 2 on a bad period', () => {
    const file = path.join(tempDir(), 'answers.db');
    const log = new AnswerLog(file, 90);
    const where = { guildId: '123', channelId: '456' };
    for (const question of ['Who founded Alipay?', 'who founded alipay', 'Is Ma open to Apple?']) {
      log.record({
        question,
        found: !/alipay/i.test(question),
        citations: [],
        mode: 'lexical',
        generation: null,
        userId: '1',
        where,
        private: false,
      });
    }
    log.close();
    const env = { ...testEnv({ ANSWERS_DB: file }), PATH: process.env.PATH!, HOME: process.env.HOME ?? ROOT };
    const run = (args: string[]) =>
      spawnSync('npm', ['run', '-s', 'report', '--', ...args], { cwd: ROOT, env, encoding: 'utf8' });
    const json = run(['--json', '--since', '1d']);
    expect(json.status, json.stderr).toBe(0);
    const place = {
      answers: 3,
      private: 0,
      notFound: [{ question: 'Who founded Alipay?', count: 2 }],
      votedDown: [],
      mostAsked: [
        { question: 'Who founded Alipay?', count: 2 },
        { question: 'Is Ma open to Apple?', count: 1 },
      ],
    };
    expect(JSON.parse(json.stdout)).toMatchObject({ ...place, places: [{ where: 'server', server: '123', ...place }] });
    expect(run([]).stdout).toContain(
      'Server 123: 3 answers (0 private).\n\n  Answered "not found":\n    2× Who founded Alipay?',
    );
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
        'Alipay: who founded it?',
        'Alipay: who was its founder?',
        'When was Alipay founded?',
      ]),
    ).toEqual([
      { question: 'Who founded Alipay?', count: 3 },
      { question: 'Alipay: who was its founder?', count: 1 },
      { question: 'When was Alipay founded?', count: 1 },
    ]);
  });
});

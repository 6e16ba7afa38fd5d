import fs from 'node:fs';
import path from 'node:path';
import { once } from 'node:events';
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REINDEX_RUNNING } from '../../src/discord/preconditions.js';
import { IndexLockedError } from '../../src/store/lock.js';
import { askInServer, startBot, type RunningBot } from '../support/bot.js';
import { CORAL, ROOT, articlesCopy, tempDir, testEnv } from '../support/setup.js';

// The operator works in a terminal while the bot runs: these are the folders both use.
const folders = {
  ARTICLES_DIR: articlesCopy(),
  INDEX_DIR: tempDir('footnote-index-'),
  REMOVED_DIR: path.join(tempDir('footnote-removed-'), 'removed'),
};
const CORAL_QUESTION = 'How much of the reef had bleaching hit?';
const HARBOUR = [
  '---',
  'title: The harbour dredging starts in spring',
  'date: 2024-02-02',
  'source: Port Gazette',
  '---',
  '',
  'The port authority said the dredging of the outer harbour will start in April and last eleven weeks.',
].join('\n');

let running: RunningBot;

beforeAll(async () => {
  running = await startBot((e) => ({ ...folders, HOME_SERVER_IDS: e.fixture.guild.id }));
});
afterAll(() => running?.stop());

/** An npm command in its own process, as the operator runs it beside the bot; its exit code and output. */
function npm(...args: string[]): Promise<{ status: number | null; output: string }> {
  const child = spawn('npm', ['run', '-s', ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH!, HOME: process.env.HOME ?? ROOT, ...testEnv(folders) },
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve) => child.on('close', (status) => resolve({ status, output })));
}

const ask = async (question: string): Promise<string> => (await askInServer(running.emulator, question)).content;

/** /reindex in the fixture server (whose library is the home library) by its owner, and the reply. */
async function reindex(): Promise<string> {
  const { emulator } = running;
  const sent = emulator.sendSlashCommand({
    name: 'reindex',
    guildId: emulator.fixture.guild.id,
    user: emulator.fixture.users.owner,
  });
  return (await emulator.waitForInteractionReply(sent.id)).content;
}

// Another process (a second shard, npm run index) holding the build lock of INDEX_DIR until it is killed.
const HOLD_LOCK = `
import { lockIndex } from ${JSON.stringify(path.join(ROOT, 'src/store/lock.ts'))};
lockIndex(process.argv[1]);
process.stdout.write('locked\\n');
setInterval(() => {}, 60_000);
`;

describe('a running bot and the operator’s terminal', () => {
  it('answers from what npm run index built in another process, and /reindex reports what is live', async () => {
    expect(await ask(CORAL_QUESTION)).not.toContain('Bleaching had hit half of the reef');
    fs.writeFileSync(path.join(folders.ARTICLES_DIR, 'coral.txt'), CORAL);

    const built = await npm('index');
    expect(built.status, built.output).toBe(0);
    expect(await ask(CORAL_QUESTION)).toContain('Bleaching had hit half of the reef');

    const reply = await reindex();
    expect(reply).toContain('The index was already up to date');
    expect(reply).toContain('Articles: 2 (0 new');
  });

  it('answers from what npm run add added, and no longer from what npm run remove took out', async () => {
    const file = path.join(tempDir(), 'harbour.md');
    fs.writeFileSync(file, HARBOUR);
    const added = await npm('add', '--', file);
    expect(added.status, added.output).toBe(0);
    expect(await ask('When will the dredging of the outer harbour start?')).toContain('will start in April');

    const coral = running.footnote.articles().find((a) => a.file === 'coral.txt');
    expect(coral).toBeDefined();
    const removed = await npm('remove', '--', coral!.id);
    expect(removed.status, removed.output).toBe(0);
    expect(await ask(CORAL_QUESTION)).not.toContain('Bleaching had hit half of the reef');
    expect(running.footnote.articles().map((a) => a.file)).not.toContain('coral.txt');
  });

  it('refuses a reindex while another process holds the build lock, and takes over the lock it left when killed', async () => {
    const holder = spawn(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', HOLD_LOCK, folders.INDEX_DIR],
      {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    const lock = path.join(folders.INDEX_DIR, 'build.lock');
    try {
      const [said] = (await once(holder.stdout, 'data')) as [Buffer];
      expect(said.toString()).toBe('locked\n');
      expect(await reindex()).toBe(REINDEX_RUNNING);
      const failure = await running.footnote.reindex().catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(IndexLockedError);
      expect(failure).toMatchObject({ code: 'index.locked', details: { owner: { pid: holder.pid } } });
      expect(JSON.parse(fs.readFileSync(lock, 'utf8'))).toMatchObject({ pid: holder.pid });
    } finally {
      holder.kill('SIGKILL');
      await once(holder, 'exit');
    }
    // Its lock is left behind, its owner gone: the next reindex takes it over.
    expect(fs.existsSync(lock)).toBe(true);
    expect(await reindex()).toMatch(/^\*\*(Reindex complete|The index was already up to date)\.\*\*/);
  });
});

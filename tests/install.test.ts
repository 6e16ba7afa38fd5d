import fs from 'node:fs';
import path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { ApplicationCommandOptionType } from 'discord.js';
import { describe, expect, it } from 'vitest';
import { DiscordEmulator } from '../scripts/discord-emulator.js';
import { ROOT, tempDir, testEnv } from './support/setup.js';

/**
 * A production install: the project's own files, and node_modules without the dev dependencies.
 * `npm prune --omit=dev` over a hard-linked copy of this checkout's node_modules leaves the tree
 * `npm install --omit=dev` makes, without the network.
 */
function productionInstall(): string {
  const dir = tempDir('footnote-production-');
  for (const file of ['package.json', 'package-lock.json', '.npmrc', 'tsconfig.json', 'tsconfig.build.json']) {
    fs.copyFileSync(path.join(ROOT, file), path.join(dir, file));
  }
  for (const folder of ['src', 'commands', 'data/articles']) {
    fs.cpSync(path.join(ROOT, folder), path.join(dir, folder), { recursive: true });
  }
  // The real folder: a symlinked node_modules (a git worktree's) would be copied as the link, and
  // the removal below would then delete the checkout's own record.
  const modules = fs.realpathSync(path.join(ROOT, 'node_modules'));
  const linked = spawnSync('cp', ['-al', modules, path.join(dir, 'node_modules')]);
  expect(linked.status, String(linked.stderr)).toBe(0);
  // npm rewrites its record of the tree; a hard link would let it rewrite this checkout's too.
  // Without a record npm reads the tree from the folders.
  const record = path.join(dir, 'node_modules/.package-lock.json');
  fs.rmSync(record, { force: true });
  if (fs.existsSync(path.join(modules, '.package-lock.json'))) {
    fs.copyFileSync(path.join(modules, '.package-lock.json'), record);
  }
  const pruned = npm(dir, ['prune', '--omit=dev', '--offline', '--no-audit', '--no-fund']);
  expect(pruned.status, pruned.stderr).toBe(0);
  // What `npm install` runs last: the project's prepare script (the build).
  const built = npm(dir, ['run', '-s', 'prepare']);
  expect(built.status, built.stderr).toBe(0);
  return dir;
}

function npm(cwd: string, args: string[], env: Record<string, string> = {}) {
  return spawnSync('npm', args, {
    cwd,
    env: { PATH: process.env.PATH!, HOME: process.env.HOME ?? cwd, ...env },
    encoding: 'utf8',
    timeout: 180_000,
  });
}

describe('npm install --omit=dev', () => {
  it('leaves npm run index, npm run ask and npm start working without any dev dependency', async () => {
    const dir = productionInstall();
    // The lock file marks what only the dev dependencies need: none of it may be left.
    const lock = JSON.parse(fs.readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { dev?: boolean }>;
    };
    const devOnly = Object.entries(lock.packages)
      .filter(([, entry]) => entry.dev)
      .map(([where]) => where);
    expect(devOnly).toContain('node_modules/vitest');
    expect(devOnly.filter((where) => fs.existsSync(path.join(dir, where)))).toEqual([]);

    const env = testEnv({ ARTICLES_DIR: path.join(dir, 'data/articles') });
    const indexed = npm(dir, ['run', '-s', 'index'], env);
    expect(indexed.status, indexed.stderr).toBe(0);
    expect(indexed.stdout).toMatch(/^Indexed 1 article/);
    const asked = npm(dir, ['run', '-s', 'ask', '--', '--json', 'Is Jack Ma open to working with Apple?'], env);
    expect(asked.status, asked.stderr).toBe(0);
    expect(JSON.parse(asked.stdout)).toMatchObject({ found: true, retrieval: { mode: 'hybrid' } });

    const discord = await DiscordEmulator.start();
    try {
      const bot = spawn('npm', ['start'], {
        cwd: dir,
        env: {
          PATH: process.env.PATH!,
          HOME: process.env.HOME ?? dir,
          ...env,
          LOG_LEVEL: 'info',
          DISCORD_TOKEN: discord.token,
          DISCORD_CLIENT_ID: discord.applicationId,
          DISCORD_API_BASE: discord.apiBase,
        },
      });
      let output = '';
      const exited = new Promise<number | null>((resolve) => bot.on('close', resolve));
      await new Promise<void>((resolve, reject) => {
        const read = (chunk: Buffer): void => {
          output += chunk.toString();
          if (/connected to Discord/.test(output)) resolve();
        };
        bot.stdout.on('data', read);
        bot.stderr.on('data', read);
        void exited.then(() => reject(new Error(`npm start exited before connecting:\n${output}`)));
      });
      const question = {
        name: 'question',
        type: ApplicationCommandOptionType.String as const,
        value: 'Is Jack Ma open to working with Apple?',
      };
      const reply = await discord.waitForInteractionReply(
        discord.sendSlashCommand({ name: 'ask', options: [question] }).id,
      );
      expect(reply.content).toContain('open to working with Apple Inc on mobile payments');
      bot.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      await discord.close();
    }
  }, 300_000);
});

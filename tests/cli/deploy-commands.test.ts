import { spawn } from 'node:child_process';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadCommands } from '../../src/discord/load-commands.js';
import { DiscordEmulator } from '../../scripts/discord-emulator.js';
import { ROOT, testEnv } from '../support/setup.js';

let emulator: DiscordEmulator;

// A fresh emulator each: what one test registers is no other test's starting point.
beforeEach(async () => {
  emulator = await DiscordEmulator.start();
});

afterEach(() => emulator.close());

/**
 * `npm run -s deploy-commands -- …args` as an operator runs it, against the emulator, with `env` on top
 * (DISCORD_GUILD_ID: the fixture server unless `env` says otherwise; '' unsets it). Asynchronous: the
 * emulator answering it runs in this process.
 */
function deploy(
  args: string[] = [],
  env: Record<string, string> = {},
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const child = spawn('npm', ['run', '-s', 'deploy-commands', '--', ...args], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH!,
      HOME: process.env.HOME ?? ROOT,
      ...testEnv(),
      DISCORD_TOKEN: emulator.token,
      DISCORD_CLIENT_ID: emulator.applicationId,
      DISCORD_GUILD_ID: emulator.fixture.guild.id,
      DISCORD_API_BASE: emulator.apiBase,
      ...env,
    },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.on('close', (status) => resolve({ status, stdout, stderr })));
}

describe('npm run deploy-commands', () => {
  it('registers exactly the definitions in commands/', async () => {
    const commands = await loadCommands();
    const result = await deploy();
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toContain('Registered 9 slash commands');
    expect(result.stdout).not.toContain(emulator.token);
    const registered = emulator.commands(emulator.fixture.guild.id);
    expect(registered.map((c) => c.name).sort()).toEqual([...commands.keys()].sort());
    for (const command of registered) {
      expect(command).toMatchObject(JSON.parse(JSON.stringify(commands.get(command.name)!.data.toJSON())));
    }
    const reindex = registered.find((c) => c.name === 'reindex')!;
    expect(reindex.default_member_permissions).toBe(String(1 << 5));
    expect(reindex.contexts).toEqual([0]);
    expect(registered.find((c) => c.name === 'ask')!.contexts).toEqual([0, 1]);
    for (const name of ['remove', 'add', 'feeds', 'report']) {
      const command = registered.find((c) => c.name === name)!;
      expect(command.default_member_permissions).toBe(String(1 << 5));
      expect(command.contexts).toEqual([0, 1]);
    }
    expect(registered.find((c) => c.name === 'add')!.options?.map((o) => [o.name, o.type, o.required])).toEqual([
      ['url', 3, false],
      ['file', 11, false],
    ]);
  });

  it('says, after registering to a server, that the commands work only there and not in DMs', async () => {
    const id = emulator.fixture.guild.id;
    const result = await deploy();
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout.split('\n')).toEqual([
      expect.stringMatching(new RegExp(`^Registered 9 slash commands to server ${id} \\(available now\\): /`)),
      `They work only in server ${id}, not in DMs. For DMs, register them globally (unset DISCORD_GUILD_ID, ` +
        `run npm run deploy-commands), then remove this server's copies: ` +
        `npm run deploy-commands -- --clear-server ${id}`,
      '',
    ]);
    expect(emulator.commands()).toEqual([]);
  });

  it('registers globally without DISCORD_GUILD_ID, and says servers registered before show them twice', async () => {
    const result = await deploy([], { DISCORD_GUILD_ID: '' });
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^Registered 9 slash commands globally \(may take up to an hour to appear\): \//);
    expect(result.stdout).toContain(
      'If you registered them to one server before (DISCORD_GUILD_ID), each shows twice there until that ' +
        "server's copies are removed: npm run deploy-commands -- --clear-server ID\n",
    );
    expect(emulator.commands()).toHaveLength(9);
    expect(emulator.commands(emulator.fixture.guild.id)).toEqual([]);
  });

  it("--clear-server removes the server's commands, leaves the global ones, and says how many it removed", async () => {
    const id = emulator.fixture.guild.id;
    expect((await deploy()).status).toBe(0);
    expect((await deploy([], { DISCORD_GUILD_ID: '' })).status).toBe(0);
    const global = emulator.commands();
    expect(emulator.commands(id)).toHaveLength(9);

    const result = await deploy(['--clear-server', id], { DISCORD_GUILD_ID: '' });
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toBe(
      `Removed 9 slash commands from server ${id}; the 9 slash commands registered globally are unchanged.\n`,
    );
    expect(emulator.commands(id)).toEqual([]);
    expect(emulator.commands()).toEqual(global);

    // Again: nothing left to remove, and still nothing changed globally.
    const again = await deploy(['--clear-server', id]);
    expect(again.stdout).toMatch(new RegExp(`^Removed 0 slash commands from server ${id}; the 9 `));
    expect(emulator.commands()).toEqual(global);
  });

  it('--clear-server says so when no global commands are left to serve the server', async () => {
    const id = emulator.fixture.guild.id;
    expect((await deploy()).status).toBe(0);
    const result = await deploy(['--clear-server', id]);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toBe(
      `Removed 9 slash commands from server ${id}; none are registered globally, so none work there now: ` +
        'npm run deploy-commands with DISCORD_GUILD_ID unset registers them.\n',
    );
    expect(emulator.commands(id)).toEqual([]);
  });

  it('exits 2 naming --clear-server for an id that is not a server id, and changes nothing', async () => {
    expect((await deploy()).status).toBe(0);
    const registered = emulator.commands(emulator.fixture.guild.id);
    const requests = emulator.requests.length;
    for (const bad of ['my-server', `${emulator.fixture.guild.id}/../..`]) {
      const result = await deploy(['--clear-server', bad]);
      expect(result.status).toBe(2);
      expect(result.stderr).toContain(
        `--clear-server must be a Discord server id: digits only, 15 to 21 of them (Discord ids have 17 to 20) (got "${bad}")`,
      );
      expect(result.stderr).toContain('usage: npm run deploy-commands -- [--clear-server ID]');
      expect(result.stdout).toBe('');
    }
    const missing = await deploy(['--clear-server']);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('--clear-server');
    expect(emulator.requests).toHaveLength(requests);
    expect(emulator.commands(emulator.fixture.guild.id)).toEqual(registered);
  });

  it('exits 2 naming --clear-server for a server the bot is not in, and removes nothing', async () => {
    expect((await deploy()).status).toBe(0);
    const registered = emulator.commands(emulator.fixture.guild.id);
    const result = await deploy(['--clear-server', '1100000000000000999']);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(
      '--clear-server: Discord refused access to server 1100000000000000999 (Missing Access): ' +
        'the bot is not in that server; check the id. Nothing was removed.\n',
    );
    expect(emulator.requests.filter((r) => r.method === 'PUT')).toHaveLength(1);
    expect(emulator.commands(emulator.fixture.guild.id)).toEqual(registered);
  });

  it('exits 2 naming DISCORD_GUILD_ID when the bot is not in that server', async () => {
    const result = await deploy([], { DISCORD_GUILD_ID: '1100000000000000999' });
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(
      /^DISCORD_GUILD_ID: Discord refused access to server 1100000000000000999 \(Missing Access\): the bot is not in that server; invite it there, fix the id, or unset it to register globally \(see \.env\.example\)/,
    );
    expect(emulator.commands()).toEqual([]);
  });

  it('exits 2 naming an unknown flag, and prints its usage for --help', async () => {
    const unknown = await deploy(['--guild', '1100000000000000001']);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain("Unknown option '--guild'");
    expect(unknown.stderr).toContain('usage: npm run deploy-commands -- [--clear-server ID]');
    const help = await deploy(['--help'], { DISCORD_TOKEN: '' });
    expect(help.status, help.stderr).toBe(0);
    expect(help.stdout).toMatch(
      /^usage: npm run deploy-commands -- \[--clear-server ID\] {3}\(to DISCORD_GUILD_ID when set/,
    );
    expect(emulator.requests).toEqual([]);
  });

  it('exits 2 naming the variable when the token is missing', async () => {
    const result = await deploy([], { DISCORD_TOKEN: '' });
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/DISCORD_TOKEN: is not set.*\.env\.example/);
  });
});

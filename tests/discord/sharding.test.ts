import { GatewayIntentBits } from 'discord.js';
import { describe, expect, it } from 'vitest';
import { DiscordEmulator } from '../../scripts/discord-emulator.js';
import { npm, npmStart } from '../support/npm-start.js';
import { logRecord } from '../support/setup.js';

// `npm start` with DISCORD_SHARDS: discord.js's ShardingManager in the npm start process, one process per shard,
// against the emulator over loopback.

/** The process ids that logged in `output`: the manager's and every shard's. */
const pidsIn = (output: string): number[] => [
  ...new Set(
    output
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => logRecord(line).pid as number),
  ),
];
const running = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('npm start with DISCORD_SHARDS', () => {
  it('refuses SHARDS, which discord.js reads itself, naming DISCORD_SHARDS', async () => {
    const result = await npm(['start'], { SHARDS: 'auto', DISCORD_TOKEN: 'x.y.z', DISCORD_CLIENT_ID: '1'.repeat(18) });
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/SHARDS: discord.js reads this name itself; .* set DISCORD_SHARDS=auto/);
  });

  it('exits 2 naming DISCORD_TOKEN when Discord refuses the token, before starting any shard', async () => {
    const own = await DiscordEmulator.start();
    try {
      const result = await npm(['start'], {
        DISCORD_SHARDS: 'auto',
        DISCORD_TOKEN: 'not-the-token',
        DISCORD_CLIENT_ID: own.applicationId,
        DISCORD_API_BASE: own.apiBase,
      });
      expect(result.status).toBe(2);
      expect(result.stderr).toMatch(/DISCORD_TOKEN: Discord did not accept this token/);
      expect(result.stdout + result.stderr).not.toMatch(/starting \d+ shard/);
      expect(own.gatewayLog.filter((e) => e.type === 'identify')).toEqual([]);
    } finally {
      await own.close();
    }
  });

  it('stops every shard and exits 2 when a shard stops on a setting to fix, leaving no process', async () => {
    const own = await DiscordEmulator.start({ disallowedIntents: GatewayIntentBits.MessageContent });
    try {
      const bot = await npmStart(own, { DISCORD_SHARDS: '1', MESSAGE_CONTENT: 'true' }, /starting 1 shard/);
      expect(await bot.exited).toBe(2);
      expect(bot.output.text).toMatch(/MESSAGE_CONTENT: Discord refused the Message Content intent/);
      expect(bot.output.text).toMatch(/a shard stopped on a setting to fix: stopping every shard/);
      expect(bot.output.text).not.toMatch(/shard exited: starting it again/);
      expect(pidsIn(bot.output.text).filter(running)).toEqual([]);
    } finally {
      await own.close();
    }
  });
});

// The sharded bot's memory and start time (`npm run bench -- --shards N --servers K`): npm start's compiled code with
// DISCORD_SHARDS against the emulator, in K servers shaped like real ones, spread over N shards.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import type { Config } from '../src/config.js';
import { Footnote } from '../src/library/footnote.js';
import type { Logger } from '../src/log.js';
import { botEnv } from './bench-burst.js';
import { DiscordEmulator } from './discord-emulator.js';
import { processUsage } from './process-usage.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const START = path.join(ROOT, 'dist/src/cli/start.js');
// A community server as the issue describes it: 50 channels, 30 roles, 100 members and 50 emojis (#general,
// @everyone and Admin are made with every server).
export const REALISTIC_SERVER = { extraChannels: 49, extraRoles: 28, members: 100, emojis: 50 };

export interface ShardsOptions {
  shards: number;
  servers: number;
  /** Seconds to wait once every shard is ready and has loaded the model, before memory is read. */
  settleSeconds: number;
  /** Another manager to start instead of npm start's (to compare sharding libraries); it must log the same lines. */
  entry: string | null;
}

export interface ShardsResult {
  shards: number;
  servers: number;
  /** From the manager's start to its "every shard is ready". */
  readyMs: number;
  /** Each process's resident memory: the manager first, then the bot processes. */
  processes: { pid: number; rssMb: number }[];
  totalRssMb: number;
}

export async function shardsBench(
  options: ShardsOptions,
  config: Config,
  log: Logger,
  note: (message: string) => void,
): Promise<ShardsResult> {
  // Built here first, as a bot restarted on its data finds it: the memory read is the steady state, not a build's.
  note('building the home index');
  const home = new Footnote(config, log);
  await home.ensureIndex('hybrid');
  await home.close();
  // Discord's own rule: 2,500 servers a shard at most.
  const emulator = await DiscordEmulator.start({ shards: options.shards });
  note(`making ${options.servers} servers (${JSON.stringify(REALISTIC_SERVER)})`);
  for (let i = 1; i < options.servers; i++) emulator.addGuild(REALISTIC_SERVER);
  const manager = startManager(emulator, config, options);
  let output = '';
  const exited = new Promise<void>((resolve) => manager.once('close', () => resolve()));
  manager.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  manager.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  try {
    const readyMs = await waitFor(() => {
      const line = /^.*"every shard is ready".*$/m.exec(output)?.[0];
      return line ? (JSON.parse(line) as { readyMs: number }).readyMs : undefined;
    }, exited);
    note(`every shard ready in ${readyMs} ms; waiting for every process to load the model`);
    const bots = (): number[] => descendants(manager.pid!).filter((pid) => isNode(pid));
    await waitFor(
      () => (output.match(/the embedding model is loaded/g)?.length ?? 0) >= bots().length || undefined,
      exited,
    );
    note(`settling ${options.settleSeconds} s`);
    await delay(options.settleSeconds * 1000);
    const processes = [manager.pid!, ...bots()].map((pid) => ({ pid, rssMb: round(processUsage(pid)?.rssMb ?? 0) }));
    return {
      shards: options.shards,
      servers: options.servers,
      readyMs,
      processes,
      totalRssMb: round(processes.reduce((sum, p) => sum + p.rssMb, 0)),
    };
  } finally {
    manager.kill('SIGTERM');
    await exited;
    await emulator.close();
  }
}

function startManager(emulator: DiscordEmulator, config: Config, options: ShardsOptions) {
  const env = {
    ...botEnv(emulator, config),
    DISCORD_SHARDS: String(options.shards),
    // For a comparison manager outside the repository: where Footnote's compiled code is.
    FOOTNOTE_ROOT: ROOT,
  };
  return spawn(process.execPath, [options.entry ?? START], { cwd: ROOT, env });
}

/** Polls `value` every 250 ms until it is defined; rejects if the manager exits first. */
async function waitFor<T>(value: () => T | undefined, exited: Promise<void>): Promise<T> {
  let gone = false;
  void exited.then(() => (gone = true));
  for (;;) {
    const found = value();
    if (found !== undefined) return found;
    if (gone) throw new Error('the manager exited before it was ready');
    await delay(250);
  }
}

/** Every process below `pid` (children, theirs, …), from /proc. */
function descendants(pid: number): number[] {
  const parents = new Map<number, number>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      parents.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // Gone meanwhile.
    }
  }
  const below = (parent: number): number[] =>
    [...parents].filter(([, p]) => p === parent).flatMap(([child]) => [child, ...below(child)]);
  return below(pid);
}

function isNode(pid: number): boolean {
  try {
    return fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'node';
  } catch {
    return false;
  }
}

const round = (n: number): number => Math.round(n * 10) / 10;

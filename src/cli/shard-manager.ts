// npm start with DISCORD_SHARDS: discord.js's ShardingManager runs one process per shard (shard-process.ts). This
// module decides how many, starts them at the pace Discord allows, starts again one that dies, and stops them all.
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { setTimeout as delay } from 'node:timers/promises';
import { ShardingManager, type Shard } from 'discord.js';
import { MOST_SHARDS, discordCredentials, type Config } from '../config.js';
import { ConfigError, UsageError } from '../core/errors.js';
import { gatewayPlan } from '../discord/gateway-bot.js';
import type { Logger } from '../log.js';

const SHARD_FILE = fileURLToPath(new URL('./shard-process.js', import.meta.url));
// Discord lets each of max_concurrency buckets identify once per 5 s; consecutive shards are in different buckets,
// so starting one every 5.5 s / max_concurrency keeps every bucket within it (discord.js waits 5.5 s for 1).
const IDENTIFY_GAP_MS = 5_500;
// How long a shard may take to connect and receive its servers (discord.js waits up to 15 s for missing ones).
const READY_MS = 120_000;
// A shard that dies again within a minute of starting waits twice as long before the next start, up to a minute.
const RESTART_WINDOW_MS = 60_000;
const FIRST_RESTART_MS = 1_000;
const LAST_RESTART_MS = 60_000;
// A shard stops within its drain (30 s, client.ts) and closing its files; one still running after this is killed.
const STOP_MS = 45_000;
// The exit code a shard stops with when the operator must fix a setting (bad token, intents, DISCORD_SHARDS).
const CONFIG_EXIT = 2;

/** Runs every shard until SIGTERM or SIGINT (then exits 0), or until one stops on a setting to fix (thrown, exit 2). */
export async function runShards(config: Config, log: Logger): Promise<void> {
  const { token } = discordCredentials(config);
  const plan = await gatewayPlan(config.discord.apiBase, token);
  const setting = config.discord.shards;
  const count = setting === 'auto' || setting === null ? plan.recommended : setting;
  if (count > MOST_SHARDS)
    throw new ConfigError(
      'DISCORD_SHARDS',
      `Discord recommends ${count} shards, more than the ${MOST_SHARDS} one machine runs: ` +
        'run them on several hosts (README, "Running at scale")',
    );
  if (count < plan.recommended)
    log.warn({ shards: count, recommended: plan.recommended }, 'fewer shards than Discord recommends (DISCORD_SHARDS)');
  if (plan.remaining < count)
    log.warn(
      { remaining: plan.remaining, resetAfterMs: plan.resetAfterMs },
      'Discord allows few more connections today: restarts may be refused until the count resets',
    );
  const manager = new ShardingManager(SHARD_FILE, { totalShards: count, token, respawn: false, mode: 'process' });
  const fleet = new Fleet(manager, log);
  const stop = (signal: string): void => void fleet.stop(signal).then((code) => process.exit(code));
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  await fleet.start(count, Math.ceil(IDENTIFY_GAP_MS / Math.max(1, plan.maxConcurrency)));
  await fleet.failed;
}

/** The shards of one manager: started in turn, watched, and stopped together. */
class Fleet {
  private stopping: Promise<number> | null = null;
  private started = 0;
  private readonly ready = new Set<number>();
  private fail: (error: Error) => void = () => {};
  /** Rejects when a shard stops on a setting the operator must fix, once every other shard has stopped. */
  readonly failed = new Promise<never>((_, reject) => (this.fail = reject));

  constructor(
    private readonly manager: ShardingManager,
    private readonly log: Logger,
  ) {
    // Awaited once every shard has started: a failure during the start must not count as unhandled meanwhile.
    this.failed.catch(() => undefined);
  }

  /** Starts the shards in order, `gapMs` apart, each once the one before is connected (or has taken READY_MS). */
  async start(count: number, gapMs: number): Promise<void> {
    this.started = performance.now();
    this.log.info({ shards: count }, `starting ${count} shard${count === 1 ? '' : 's'}`);
    for (let id = 0; id < count && !this.stopping; id++) {
      const shard = this.manager.createShard(id);
      this.watch(shard);
      await Promise.all([this.spawn(shard), id + 1 < count ? delay(gapMs) : null]);
    }
  }

  /** Stops every shard (SIGTERM, then SIGKILL after STOP_MS); resolves with the exit code for the manager. */
  stop(reason: string): Promise<number> {
    this.stopping ??= (async () => {
      this.log.info({ reason }, 'stopping every shard');
      const running = [...this.manager.shards.values()].flatMap((shard) => (shard.process ? [shard.process] : []));
      const killed = await Promise.all(running.map((child) => stopChild(child)));
      if (killed.some(Boolean)) this.log.error('a shard did not stop in time and was killed');
      return killed.some(Boolean) ? 1 : 0;
    })();
    return this.stopping;
  }

  private async spawn(shard: Shard): Promise<void> {
    try {
      await shard.spawn(READY_MS);
    } catch (error) {
      // A shard that died while starting is handled by its `death` listener; one slow to connect carries on.
      if (!this.stopping && shard.process)
        this.log.warn({ shard: shard.id, err: error }, 'shard not connected yet: starting the next one');
    }
  }

  /** Logs each shard's readiness, and starts a shard again when it dies, unless a setting is at fault. */
  private watch(shard: Shard): void {
    let spawnedAt = performance.now();
    let wait = FIRST_RESTART_MS;
    shard.on('spawn', () => (spawnedAt = performance.now()));
    shard.on('ready', () => {
      this.log.info({ shard: shard.id }, 'shard connected');
      if (this.ready.has(shard.id)) return;
      this.ready.add(shard.id);
      const readyMs = Math.round(performance.now() - this.started);
      if (this.ready.size === this.manager.totalShards)
        this.log.info({ shards: this.ready.size, readyMs }, 'every shard is ready');
    });
    shard.on('death', (child) => {
      if (this.stopping) return;
      const { exitCode: code, signalCode: signal } = child as ChildProcess;
      if (code === CONFIG_EXIT) {
        this.log.error({ shard: shard.id, code }, 'a shard stopped on a setting to fix: stopping every shard');
        const error = new UsageError(
          `shard ${shard.id} stopped on its configuration (the error above says what to fix)`,
        );
        void this.stop('configuration').then(() => this.fail(error));
        return;
      }
      if (performance.now() - spawnedAt >= RESTART_WINDOW_MS) wait = FIRST_RESTART_MS;
      const restartInMs = wait;
      wait = Math.min(wait * 2, LAST_RESTART_MS);
      this.log.error({ shard: shard.id, code, signal, restartInMs }, 'shard exited: starting it again');
      void delay(restartInMs).then(() => (this.stopping ? undefined : this.spawn(shard)));
    });
  }
}

/** Sends SIGTERM and waits for the exit; true when the child had to be killed after STOP_MS. */
async function stopChild(child: ChildProcess): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return false;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const inTime = await Promise.race([exited.then(() => true), delay(STOP_MS, false)]);
  if (inTime) return false;
  child.kill('SIGKILL');
  await exited;
  return true;
}

/** The requests the bot is handling, so that stopping answers them first: no question is acknowledged, then dropped. */
import { setTimeout as delay } from 'node:timers/promises';

export class InFlight {
  private readonly running = new Set<Promise<unknown>>();
  private closed = false;

  /** True once the bot has begun to stop: new requests get the restart notice instead of an answer. */
  get stopping(): boolean {
    return this.closed;
  }

  /** Keeps `work` until it settles (it handles its own failures). */
  track(work: Promise<unknown>): void {
    const settled = work.then(
      () => undefined,
      () => undefined,
    );
    this.running.add(settled);
    void settled.then(() => this.running.delete(settled));
  }

  /**
   * Takes no new work, and resolves when all begun has settled, or after `deadlineMs` with how many are still
   * running (0 when all were answered).
   */
  async close(deadlineMs: number): Promise<number> {
    this.closed = true;
    const timeout = new AbortController();
    const allDone = (async () => {
      while (this.running.size) await Promise.all(this.running);
    })();
    await Promise.race([allDone, delay(deadlineMs, undefined, { signal: timeout.signal }).catch(() => undefined)]);
    timeout.abort();
    return this.running.size;
  }
}

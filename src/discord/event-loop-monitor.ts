/** Measures how long the event loop waited while the bot was connected, and logs it when the bot stops. */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { Logger } from '../log.js';

/** The gateway's heartbeats need the loop to stay responsive: this says whether it did. */
export class EventLoopMonitor {
  private readonly delay = monitorEventLoopDelay({ resolution: 10 });

  constructor(private readonly log: Logger) {}

  /** From the moment the bot is connected: the wait to connect is not the bot's. */
  start(): void {
    this.delay.enable();
  }

  stop(): void {
    const { delay } = this;
    delay.disable();
    if (!delay.count) return;
    const ms = (ns: number): number => Number((ns / 1e6).toFixed(1));
    const eventLoopDelayMs = { max: ms(delay.max), p99: ms(delay.percentile(99)), mean: ms(delay.mean) };
    this.log.info({ eventLoopDelayMs }, 'event-loop delay while connected');
  }
}

import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/errors.js';
import type { CommandContext } from '../../src/discord/command-types.js';
import { WorkQueue, QueueFullError, configuredLimits, type Limits } from '../../src/discord/limits.js';
import { roomToAdd, withinAddRate } from '../../src/discord/preconditions.js';
import type { Request } from '../../src/discord/request.js';
import { tempDir, testConfig } from '../support/setup.js';

// The limits as a bot assembles them: the budgets in ANSWERS_DB (tests/library/user-limits.test.ts tests them across
// processes), the queues in this process.

const opened: Limits[] = [];
afterEach(() => {
  for (const limits of opened.splice(0)) limits.close();
});

describe('WorkQueue', () => {
  it('runs a bounded number at once, queues a bounded number, and refuses the rest', async () => {
    const queue = new WorkQueue(1, 1);
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const order: string[] = [];
    const first = queue.run(async () => {
      await held;
      order.push('first');
    });
    const second = queue.run(async () => {
      order.push('second');
    });
    expect(queue.full).toBe(true);
    await expect(queue.run(async () => undefined)).rejects.toBeInstanceOf(QueueFullError);
    release();
    await Promise.all([first, second]);
    expect(order).toEqual(['first', 'second']);
    expect(queue.pending).toBe(0);
  });
});

describe('the limits on adding', () => {
  const request = { userId: 'u1' } as Request;
  const contextWith = (env: Record<string, string>): CommandContext => {
    const limits = configuredLimits(testConfig(env));
    opened.push(limits);
    return { limits } as CommandContext;
  };

  it('gives each user RATE_LIMIT_ADDS adds per window, then says when to come back', () => {
    const context = contextWith({ RATE_LIMIT_ADDS: '1' });
    expect(withinAddRate(request, context)).toBeNull();
    expect(withinAddRate(request, context)).toMatch(/^You’ve added as much as one person may for now/);
    expect(withinAddRate({ userId: 'u2' } as Request, context)).toBeNull();
  });

  it('counts the adds of one user in one budget for two bots on one ANSWERS_DB, as two shards are', () => {
    const answersDb = path.join(tempDir('footnote-answers-'), 'answers.db');
    const [first, second] = [
      contextWith({ RATE_LIMIT_ADDS: '2', ANSWERS_DB: answersDb }),
      contextWith({ RATE_LIMIT_ADDS: '2', ANSWERS_DB: answersDb }),
    ];
    expect(withinAddRate(request, first)).toBeNull();
    expect(withinAddRate(request, second)).toBeNull();
    expect(withinAddRate(request, first)).toMatch(/^You’ve added as much as one person may for now/);
    expect(withinAddRate(request, second)).toMatch(/^You’ve added as much as one person may for now/);
  });

  it('runs MAX_CONCURRENT_ADDS adds at once and refuses more once the line behind them is full', async () => {
    const context = contextWith({ MAX_CONCURRENT_ADDS: '1' });
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const running = [context.limits.addQueue.run(() => held)];
    expect(roomToAdd(request, context)).toBeNull();
    for (let i = 0; i < 10; i++) running.push(context.limits.addQueue.run(() => Promise.resolve()));
    expect(roomToAdd(request, context)).toMatch(/^I’m adding other articles right now/);
    release();
    await Promise.all(running);
    expect(roomToAdd(request, context)).toBeNull();
  });
});

describe('configuredLimits', () => {
  it('refuses an ANSWERS_DB it cannot open with a ConfigError naming it', () => {
    const file = path.join(tempDir('footnote-answers-'), 'notes.txt');
    fs.writeFileSync(file, 'Not a database at all, only some notes. '.repeat(50));
    const config = testConfig({ ANSWERS_DB: file });
    expect(() => configuredLimits(config)).toThrow(ConfigError);
    expect(() => configuredLimits(config)).toThrow(/^ANSWERS_DB: .*notes\.txt cannot be opened \(SQLITE_NOTADB\)/);
  });

  it('closes the file it opened', () => {
    const config = testConfig({ RATE_LIMIT_QUESTIONS: '1' });
    const limits = configuredLimits(config);
    expect(limits.rate.take('u1')).toEqual({ ok: true });
    limits.close();
    expect(() => limits.rate.take('u1')).toThrow(/not open/);
    // Its last connection closed, SQLite folded its log back into the file.
    expect(fs.existsSync(`${config.answersDb}-wal`)).toBe(false);
  });
});

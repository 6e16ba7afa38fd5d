import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { ModelLoadError } from '../../src/core/errors.js';
import { ModelHost } from '../../src/models/host.js';
import { ROOT, silentLog, tempDir, testEnv } from '../support/setup.js';

afterEach(() => vi.useRealTimers());

describe('a model that cannot be loaded', () => {
  /** The seconds a host waits before each new try, over `failures` failed loads in a row. */
  async function waits(firstWait: number, failures: number): Promise<number[]> {
    const model = path.join(tempDir(), 'not-yet-downloaded');
    fs.mkdirSync(model);
    const env = testEnv({ EMBEDDING_MODEL: model, MODEL_RETRY_SECONDS: String(firstWait) });
    const host = new ModelHost(loadConfig(env, ROOT), silentLog);
    // Only Date is faked: loading reads files for real.
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      const seconds: number[] = [];
      for (let failure = 0; failure < failures; failure++) {
        await expect(host.embedder()).rejects.toBeInstanceOf(ModelLoadError);
        let waited = 0;
        while (host.failedRecently) {
          vi.advanceTimersByTime(1000);
          waited += 1;
        }
        seconds.push(waited);
      }
      expect(host.degraded).toMatch(/not-yet-downloaded/);
      return seconds;
    } finally {
      await host.close();
    }
  }

  it('is tried again after MODEL_RETRY_SECONDS, the wait doubling with each failure in a row', async () => {
    expect(await waits(10, 4)).toEqual([10, 20, 40, 80]);
  });

  it('is tried at least every 15 minutes', async () => {
    expect(await waits(600, 3)).toEqual([600, 900, 900]);
  });
});

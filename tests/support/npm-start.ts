import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import type { DiscordEmulator } from '../../scripts/discord-emulator.js';
import { ROOT, testEnv } from './setup.js';

/** An npm command run to its end, with what it printed. */
export function npm(
  args: string[],
  env: Record<string, string>,
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const child = spawn('npm', args, {
    cwd: ROOT,
    env: { PATH: process.env.PATH!, HOME: process.env.HOME ?? ROOT, ...testEnv(), ...env },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.on('close', (status) => resolve({ status, stdout, stderr })));
}

export interface StartedBot {
  child: ChildProcessWithoutNullStreams;
  /** Everything it printed so far, stdout and stderr together. */
  output: { text: string };
  /** Its exit code. */
  exited: Promise<number | null>;
  /** Resolves once its output says `pattern`; rejects if it exits first. */
  logged: (pattern: RegExp) => Promise<void>;
}

/** `npm start` against `own` (the emulator), once its output says `ready` (by default: connected). */
export async function npmStart(
  own: DiscordEmulator,
  env: Record<string, string> = {},
  ready = /connected to Discord/,
): Promise<StartedBot> {
  const child = spawn('npm', ['start'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH!,
      HOME: process.env.HOME ?? ROOT,
      ...testEnv({ LOG_LEVEL: 'info', ...env }),
      DISCORD_TOKEN: own.token,
      DISCORD_CLIENT_ID: own.applicationId,
      DISCORD_API_BASE: own.apiBase,
    },
  });
  const output = { text: '' };
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  const logged = (pattern: RegExp): Promise<void> => {
    const seen = new Promise<void>((resolve) => {
      const read = (): void => {
        if (!pattern.test(output.text)) return;
        child.stdout.off('data', read);
        child.stderr.off('data', read);
        resolve();
      };
      child.stdout.on('data', read);
      child.stderr.on('data', read);
      read();
    });
    return Promise.race([seen, exited.then(() => Promise.reject(new Error(`npm start exited:\n${output.text}`)))]);
  };
  const append = (chunk: Buffer): void => void (output.text += chunk.toString());
  child.stdout.on('data', append);
  child.stderr.on('data', append);
  await logged(ready);
  return { child, output, exited, logged };
}

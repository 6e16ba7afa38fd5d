import { ApplicationCommandOptionType } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Bot } from '../../src/discord/client.js';
import { startBot, type RunningBot } from '../support/bot.js';
import type { DiscordEmulator, GatewayLogEntry } from '../../scripts/discord-emulator.js';

// The gateway faults Discord really produces, one after another on the same bot: after each the
// bot must get its session back (resumed, or a new one identified) and answer the next /ask.

let emulator: DiscordEmulator;
let bot: Bot;
let running: RunningBot;

beforeAll(async () => {
  // Short heartbeats, so a missed ACK is noticed within a second or two rather than 41 s.
  running = await startBot(() => ({ RATE_LIMIT_QUESTIONS: '1000' }), { emulator: { heartbeatIntervalMs: 500 } });
  ({ emulator, bot } = running);
});

afterAll(() => running?.stop());

/** The connection the bot is on now: the last one it opened. */
function currentConnection(): number {
  return emulator.gatewayLog.findLast((e) => e.type === 'connect')!.connection;
}

const identifies = () => emulator.gatewayLog.filter((e) => e.type === 'identify').length;

/** A gateway event of `type` on a connection opened after `connection`. */
function laterEvent<T extends GatewayLogEntry['type']>(type: T, connection: number, timeoutMs?: number) {
  return emulator.waitForGateway((e) => e.type === type && e.connection > connection, timeoutMs) as Promise<
    Extract<GatewayLogEntry, { type: T }>
  >;
}

/** The bot answers /ask: what every fault must leave working. */
async function expectAnswers(): Promise<void> {
  const interaction = emulator.sendSlashCommand({
    name: 'ask',
    options: [
      { name: 'question', type: ApplicationCommandOptionType.String, value: 'Is Jack Ma open to working with Apple?' },
    ],
    guildId: emulator.fixture.guild.id,
  });
  const reply = await emulator.waitForInteractionReply(interaction.id);
  expect(reply.content).toContain('open to working with Apple Inc on mobile payments');
}

describe('the bot recovers from gateway faults', () => {
  it('answers before any fault', async () => {
    await expectAnswers();
  });

  it('an abrupt close (no close frame): resumes on a new connection', async () => {
    const dropped = currentConnection();
    const sessions = identifies();
    await emulator.dropConnection();
    const resumed = await laterEvent('resume', dropped);
    expect(resumed.sessionId).toBe(emulator.gatewayLog.findLast((e) => e.type === 'identify')!.sessionId);
    await expectAnswers();
    expect(identifies()).toBe(sessions);
  });

  it('op 7 Reconnect: closes the connection itself and resumes on a new one', async () => {
    const old = currentConnection();
    const sessions = identifies();
    emulator.sendReconnect();
    await laterEvent('resume', old);
    // discord.js closes with a code that keeps the session resumable (not 1000/1001).
    const closed = await emulator.waitForGateway((e) => e.type === 'close' && e.connection === old);
    expect(closed).toMatchObject({ initiator: 'client' });
    expect([1000, 1001]).not.toContain((closed as { code: number }).code);
    await expectAnswers();
    expect(identifies()).toBe(sessions);
  });

  it('op 9 Invalid Session, resumable: resumes the session', async () => {
    const connection = currentConnection();
    const from = emulator.gatewayLog.length;
    const sessions = identifies();
    emulator.sendInvalidSession(true);
    // @discordjs/ws sends RESUME right away, on the same connection.
    await emulator.waitForGateway((e) => e.type === 'resume' && emulator.gatewayLog.indexOf(e) >= from);
    expect(currentConnection()).toBe(connection);
    await expectAnswers();
    expect(identifies()).toBe(sessions);
  });

  it(
    'op 9 Invalid Session, not resumable: identifies a new session on a new connection',
    { timeout: 30_000 },
    async () => {
      const old = currentConnection();
      const sessions = identifies();
      const oldSession = emulator.gatewayLog.findLast((e) => e.type === 'identify')!.sessionId;
      emulator.sendInvalidSession(false);
      // discord.js waits out its identify throttle (about 5 s) before identifying again.
      const identified = await laterEvent('identify', old, 20_000);
      expect(identified.sessionId).not.toBe(oldSession);
      await expectAnswers();
      expect(identifies()).toBe(sessions + 1);
    },
  );

  it('missed heartbeat ACKs: closes the zombie connection and resumes', { timeout: 30_000 }, async () => {
    const zombie = currentConnection();
    const sessions = identifies();
    emulator.stopAcking();
    // The next beat after an unanswered one finds no ACK: @discordjs/ws closes and resumes.
    const closed = await emulator.waitForGateway((e) => e.type === 'close' && e.connection === zombie);
    // Answer heartbeats again before the new connection's first beat (up to one interval later).
    emulator.resumeAcking();
    expect(closed).toMatchObject({ initiator: 'client' });
    expect(emulator.gatewayLog.some((e) => e.type === 'heartbeat' && e.connection === zombie && !e.acked)).toBe(true);
    await laterEvent('resume', zombie);
    await expectAnswers();
    expect(identifies()).toBe(sessions);
  });

  it('keeps one live connection and has had no REST request rejected', () => {
    expect(bot.client.isReady()).toBe(true);
    const closed = new Set(emulator.gatewayLog.filter((e) => e.type === 'close').map((e) => e.connection));
    const open = new Set(
      emulator.gatewayLog.filter((e) => e.type === 'connect' && !closed.has(e.connection)).map((e) => e.connection),
    );
    expect(open.size).toBe(1);
    expect(emulator.requests.filter((r) => r.status >= 400).map((r) => `${r.method} ${r.path} → ${r.status}`)).toEqual(
      [],
    );
  });
});

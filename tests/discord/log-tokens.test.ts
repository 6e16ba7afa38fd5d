import { ApplicationCommandOptionType, DiscordAPIError, RateLimitError } from 'discord.js';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../../src/log.js';
import { startBot, type RunningBot } from '../support/bot.js';

// An interaction's token answers for it for 15 minutes, and a Discord error logged through `err` carries its
// request's URL, which holds that token: the log keeps the URL, without the token.

const lines: string[] = [];
const log = createLogger('debug', { pretty: false, destination: { write: (line: string) => void lines.push(line) } });

let running: RunningBot | undefined;
afterAll(() => running?.stop());

describe('the log', () => {
  it('holds no interaction token after Discord refuses an interaction’s callback', async () => {
    // Every callback is answered 10062 Unknown interaction, as Discord does once its 3 seconds are past.
    running = await startBot(() => ({ RETRIEVAL_MODE: 'lexical' }), {
      log,
      emulator: { interactionCallbackDeadlineMs: -1 },
    });
    const { emulator } = running;
    const options = [
      { name: 'question', type: ApplicationCommandOptionType.String as const, value: 'Who is Jack Ma?' },
    ];
    const sent = emulator.sendSlashCommand({ name: 'ask', options, guildId: emulator.fixture.guild.id });
    // The bot tries the deferral, then the apology: both refused, both logged.
    await vi.waitFor(() => expect(lines.join('\n')).toContain('could not send the failure reply'), { timeout: 10_000 });
    const refused = emulator.requests.filter((r) => r.path === `/interactions/${sent.id}/${sent.token}/callback`);
    expect(refused.map((r) => r.status)).toEqual([404, 404]);
    const logged = lines.join('\n');
    expect(logged).not.toContain(sent.token);
    // What failed is still there: the route, with the interaction's id.
    expect(logged).toContain(`/interactions/${sent.id}/:token/callback`);
  });

  it('holds no token of a webhook route, nor of the rate-limit error’s major parameter', () => {
    const token = `aW50ZXJhY3Rpb246${'x'.repeat(60)}`;
    const url = `https://discord.com/api/v10/webhooks/1100000000000000001/${token}/messages/@original`;
    const apiError = new DiscordAPIError({ code: 50027, message: 'Invalid Webhook Token' }, 50027, 401, 'PATCH', url, {
      body: { content: 'x' },
    });
    const limited = new RateLimitError({
      ...{ timeToReset: 1000, limit: 5, method: 'POST', hash: 'Global(POST:/webhooks/:id/:token)', url },
      ...{ route: '/webhooks/:id/:token', majorParameter: `1100000000000000001/${token}`, global: false },
      ...{ retryAfter: 1000, sublimitTimeout: 0, scope: 'user' as const },
    });
    lines.length = 0;
    log.error({ err: apiError }, 'edit failed');
    log.warn({ err: limited }, 'rate limited');
    log.error(new Error('wrapped', { cause: apiError }));
    expect(lines).toHaveLength(3);
    const logged = lines.join('\n');
    expect(logged).not.toContain(token);
    expect(logged).toContain('/webhooks/1100000000000000001/:token/messages/@original');
    expect(logged).toContain('"majorParameter":"1100000000000000001/:token"');
  });
});

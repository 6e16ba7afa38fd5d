/**
 * What Discord says about connecting this bot (`GET /gateway/bot`): how many shards it recommends, and how many
 * shards may identify at once. Asked under DISCORD_API_BASE, not discord.com as discord.js's own
 * fetchRecommendedShardCount does, so that a test's emulator is asked too.
 */
import { DiscordAPIError, REST, Routes, type RESTGetAPIGatewayBotResult } from 'discord.js';
import { tokenRefused } from './login-errors.js';

export interface GatewayPlan {
  /** The shards Discord recommends: one per 1,000 servers, rounded up. */
  recommended: number;
  /** Shards whose `id % maxConcurrency` differ may identify within the same 5 seconds. */
  maxConcurrency: number;
  /** Identifies left before Discord resets the token (it does at 0), and when the count starts again. */
  remaining: number;
  resetAfterMs: number;
}

export async function gatewayPlan(apiBase: string, token: string): Promise<GatewayPlan> {
  const rest = new REST({ api: apiBase }).setToken(token);
  try {
    const { shards, session_start_limit: limit } = (await rest.get(Routes.gatewayBot())) as RESTGetAPIGatewayBotResult;
    return {
      recommended: shards,
      maxConcurrency: limit.max_concurrency,
      remaining: limit.remaining,
      resetAfterMs: limit.reset_after,
    };
  } catch (error) {
    throw error instanceof DiscordAPIError && error.status === 401 ? tokenRefused() : error;
  } finally {
    rest.clearHashSweeper();
    rest.clearHandlerSweeper();
  }
}

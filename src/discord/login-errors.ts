/** Turns a login Discord refused because of the operator's set-up into the variable to fix (npm start exits 2). */
import { DiscordjsErrorCodes, GatewayCloseCodes } from 'discord.js';
import { ConfigError } from '../core/errors.js';

/** Remembers the gateway's last close code, which says why a login failed, and explains the failure with it. */
export class LoginErrors {
  private lastCloseCode: number | null = null;

  /** Every disconnect: a refused login shows only here (4014: an intent the portal has not granted). */
  closed(code: number): void {
    this.lastCloseCode = code;
  }

  /** A ConfigError naming the variable when the set-up is at fault; otherwise the error as it was. */
  explain(error: unknown): unknown {
    if ((error as { code?: unknown }).code === DiscordjsErrorCodes.TokenInvalid) return tokenRefused();
    if (this.lastCloseCode === GatewayCloseCodes.DisallowedIntents) {
      return new ConfigError(
        'MESSAGE_CONTENT',
        'Discord refused the Message Content intent: turn it on in the developer portal ' +
          '(Bot > Privileged Gateway Intents), or set MESSAGE_CONTENT=false',
      );
    }
    if (this.lastCloseCode === GatewayCloseCodes.ShardingRequired) {
      return new ConfigError(
        'DISCORD_SHARDS',
        'Discord requires sharding: a connection may hold at most 2,500 servers. ' +
          'Set DISCORD_SHARDS=auto (or more shards than now)',
      );
    }
    return error;
  }
}

/** The words for a token Discord refused, whichever request it refused. */
export function tokenRefused(): ConfigError {
  return new ConfigError(
    'DISCORD_TOKEN',
    'Discord did not accept this token. Copy the bot token from the developer portal (Bot > Reset Token)',
  );
}

/**
 * `npm run bench -- --burst --hostile N`: what an attacker's questions cost the others. N hostile questions (one long
 * word, random Unicode, many short words, at the longest Discord lets through each way) arrive with the ordinary
 * burst, from users of their own; the bench compares the ordinary questions' latency and the bot's event-loop delay
 * with a burst that has none.
 */
import { ApplicationCommandOptionType, type APIUser } from 'discord.js';
import type { DiscordEmulator } from './discord-emulator.js';
import { mulberry32 } from './random.js';

export interface HostileQuestion {
  text: string;
  /** `/ask` takes 500 characters (its option's limit); a DM up to Discord's 2,000 (the bot reads the first 1,000). */
  via: 'ask' | 'dm';
}

// The longest question each way can carry: /ask's option limit (commands/ask.ts) and a message's (Discord's).
const ASK_LENGTH = 500;
const DM_LENGTH = 2000;
// Hostile questions one attacker sends: the default per-user limit (RATE_LIMIT_QUESTIONS), so none is refused early.
const PER_ATTACKER = 5;

/** The kinds of text that once cost the most work per character: one long word, random Unicode, many short words. */
function hostileText(kind: number, length: number, random: () => number): string {
  if (kind === 0) return 'a'.repeat(length);
  if (kind === 1) {
    // Letters, marks and symbols from across the planes, and surrogate pairs: what a tokenizer splits most.
    const points = Array.from({ length }, () => 0x20 + Math.floor(random() * 0x2ffd0));
    return String.fromCodePoint(...points.filter((p) => p < 0xd800 || p > 0xdfff)).slice(0, length);
  }
  const words = Array.from({ length: Math.ceil(length / 3) }, (_, i) => String.fromCharCode(97 + (i % 26)).repeat(2));
  return words.join(' ').slice(0, length);
}

export function hostileQuestions(count: number, seed: number): HostileQuestion[] {
  const random = mulberry32(seed);
  return Array.from({ length: count }, (_, i) => {
    const via = i % 2 === 0 ? 'ask' : 'dm';
    return { text: hostileText(Math.floor(i / 2) % 3, via === 'ask' ? ASK_LENGTH : DM_LENGTH, random), via };
  });
}

/** The attackers: users of their own, PER_ATTACKER questions each. */
export function attackers(count: number): APIUser[] {
  return Array.from({ length: Math.ceil(count / PER_ATTACKER) }, (_, i) => ({
    id: String(1_400_000_000_000_000_000n + BigInt(i)),
    username: `attacker-${i}`,
    discriminator: '0',
    global_name: `Attacker ${i}`,
    avatar: null,
  }));
}

/**
 * Sends every hostile question at once; resolves when each has had its reply (an answer, "not found" or a refusal)
 * or, for a DM that gets none, when the wait ends.
 */
export async function sendHostile(
  emulator: DiscordEmulator,
  questions: HostileQuestion[],
  users: APIUser[],
  guildId: string,
): Promise<void> {
  const replies = questions.map((q, i) => {
    const user = users[Math.floor(i / PER_ATTACKER)]!;
    if (q.via === 'ask') {
      const options = [{ name: 'question', type: ApplicationCommandOptionType.String as const, value: q.text }];
      const sent = emulator.sendSlashCommand({ name: 'ask', user, guildId, options });
      return emulator.waitForInteractionReply(sent.id, 300_000).then(() => undefined);
    }
    const sent = emulator.sendMessage({ content: q.text, author: user });
    type Body = { message_reference?: { message_id: string } } | undefined;
    return emulator
      .waitForRequest(
        (r) => r.method === 'POST' && (r.body as Body)?.message_reference?.message_id === sent.id,
        300_000,
      )
      .then(
        () => undefined,
        () => undefined,
      );
  });
  await Promise.all(replies);
}

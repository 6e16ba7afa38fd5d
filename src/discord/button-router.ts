/** Hands a button click to the module in `buttons/` whose custom-id prefix it carries. */
import { MessageFlags, type ButtonInteraction } from 'discord.js';
import * as followUp from './buttons/follow-up.js';
import * as removeConfirmation from './buttons/remove-confirmation.js';
import * as share from './buttons/share.js';
import * as votes from './buttons/votes.js';
import type { CommandContext } from './command-types.js';
import { failureReply } from './flow.js';

/** The shape of each module in `buttons/`: the prefix of the custom ids it answers, and `execute`. */
export interface Button {
  prefix: string;
  /** What a click does, for the log line when it fails ("could not …"). */
  action: string;
  execute(interaction: ButtonInteraction, context: CommandContext): Promise<void>;
}

// Every module in buttons/ (tests/discord/button-router.test.ts checks that none is left out).
export const BUTTONS: readonly Button[] = [share, followUp, votes, removeConfirmation];

/** The button module for a custom id, if any: a button from elsewhere is not the bot's to answer. */
export function buttonFor(customId: string): Button | undefined {
  return BUTTONS.find((b) => customId.startsWith(b.prefix));
}

export async function routeButton(interaction: ButtonInteraction, context: CommandContext): Promise<void> {
  const button = buttonFor(interaction.customId);
  if (!button) return;
  // Who clicked, where: as every interaction's and message's log lines say (audit lines rely on it).
  const log = context.log.child({
    interactionId: interaction.id,
    button: button.prefix,
    userId: interaction.user.id,
    guildId: interaction.guildId,
  });
  try {
    await button.execute(interaction, { ...context, log });
  } catch (error) {
    log.warn({ err: error }, `could not ${button.action}`);
    // Unanswered, the click would show "This interaction failed" and nothing the user can act on.
    if (interaction.replied || interaction.deferred) return;
    const reply = failureReply(error, log);
    await interaction.reply({ content: reply.content, flags: MessageFlags.Ephemeral }).catch(() => undefined);
  }
}

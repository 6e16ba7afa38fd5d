/**
 * 👍 and 👎 on an answer: one vote per person per answer, changeable, acknowledged only to the voter;
 * counted only where the answer was given (its server, or its DM), so no server votes on another's.
 */
import { MessageFlags, type ButtonInteraction } from 'discord.js';
import type { Vote } from '../../library/feedback/answer-log.js';
import type { CommandContext } from '../command-types.js';
import { VOTE_PREFIX } from '../render.js';

export const TOO_OLD = 'That answer is too old to vote on.';
const SHOWN: Record<Vote, string> = { 1: '👍', [-1]: '👎' };

export const prefix = VOTE_PREFIX;
export const action = 'record the vote';

export async function execute(interaction: ButtonInteraction, { answers, log }: CommandContext): Promise<void> {
  const match = new RegExp(`^${VOTE_PREFIX}(1|-1):(\\d+)$`).exec(interaction.customId);
  if (!match) return;
  const vote = Number(match[1]) as Vote;
  const answerId = Number(match[2]);
  // An answer from elsewhere reads as one not in the log: the voter learns nothing about another server.
  const where = { guildId: interaction.guildId, channelId: interaction.channelId };
  const previous = answers.vote(answerId, interaction.user.id, vote, where);
  const content =
    previous === undefined
      ? TOO_OLD
      : previous === null
        ? `Thanks for the ${SHOWN[vote]}. Only you can see this.`
        : previous === vote
          ? `You had already voted ${SHOWN[vote]}.`
          : `Your vote is now ${SHOWN[vote]}.`;
  // Who voted is never logged: the log is for what was voted.
  log.info({ answerId, vote, changed: previous !== null && previous !== undefined && previous !== vote }, 'vote');
  await interaction.reply({ content, flags: MessageFlags.Ephemeral });
}

/** "Share with the channel" on a private answer: the asker's click posts it for everyone, saying who shared it. */
import { MessageFlags, type ButtonInteraction } from 'discord.js';
import type { CommandContext } from '../command-types.js';
import { SHARE_BUTTON, renderShared } from '../render.js';

export const NOT_YOURS = 'Only the person who asked can share this answer.';

export const prefix = SHARE_BUTTON;
export const action = 'share the answer';

export async function execute(interaction: ButtonInteraction, { log }: CommandContext): Promise<void> {
  const asker = interaction.message.interactionMetadata?.user.id;
  if (asker && asker !== interaction.user.id) {
    await interaction.reply({ content: NOT_YOURS, flags: MessageFlags.Ephemeral });
    return;
  }
  // Only the asker sees a private answer, so only they can click its button. It goes once: the
  // button leaves the private copy, and the channel gets the answer (mentions never ping).
  const rows = interaction.message.components.map((row) => {
    const json = row.toJSON() as { type: number; components?: { custom_id?: string }[] };
    return { ...json, components: (json.components ?? []).filter((c) => c.custom_id !== SHARE_BUTTON) };
  });
  await interaction.update({ components: rows.filter((r) => r.components.length) });
  await interaction.followUp({ content: renderShared(interaction.message.content, interaction.user.id) });
  log.info({ userId: interaction.user.id, messageId: interaction.message.id }, 'answer shared');
}

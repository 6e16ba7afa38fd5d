/** Remove and Cancel on /remove's confirmation: routed here so that no other module claims them. */
import type { ButtonInteraction } from 'discord.js';
import type { CommandContext } from '../command-types.js';

// REMOVE_BUTTON and CANCEL_BUTTON (handlers/remove-handler.ts) both start with it.
export const prefix = 'remove:';
export const action = 'confirm the removal';

/**
 * Nothing to do: the click belongs to the /remove handler that awaits it on its own message
 * (awaitMessageComponent), and a reply here would make that handler's update of it fail.
 */
export async function execute(_interaction: ButtonInteraction, _context: CommandContext): Promise<void> {}

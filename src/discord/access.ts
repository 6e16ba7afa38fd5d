import { PermissionFlagsBits, type PermissionsBitField } from 'discord.js';
import type { Precondition } from './command.js';

export const REINDEX_REFUSED = 'Only members with the Manage Server permission, or the bot’s admins, can reindex. Nothing was changed.';

/** Who may rebuild the index: Manage Server holders where they hold it, and ADMIN_USER_IDS anywhere. */
export function mayReindex(userId: string, permissions: Readonly<PermissionsBitField> | null, adminUserIds: string[]): boolean {
  return adminUserIds.includes(userId) || permissions?.has(PermissionFlagsBits.ManageGuild) === true;
}

/**
 * Discord hides /reindex from members without Manage Server (default_member_permissions), but
 * server owners can override that per role or channel, so the bot checks again itself.
 */
export const requireReindexPermission: Precondition = (interaction, { config }) =>
  mayReindex(interaction.user.id, interaction.inCachedGuild() || interaction.inGuild() ? interaction.memberPermissions : null, config.discord.adminUserIds)
    ? null
    : REINDEX_REFUSED;

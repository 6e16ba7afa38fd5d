import { PermissionFlagsBits, type PermissionsBitField } from 'discord.js';
import type { Logger } from '../log.js';
import type { Precondition } from './command-types.js';

export const REINDEX_REFUSED = 'Only members with the Manage Server permission, or the bot’s admins, can reindex. Nothing was changed.';

/** Who may rebuild the index: Manage Server holders where they hold it, and ADMIN_USER_IDS anywhere. */
export function mayReindex(userId: string, permissions: Readonly<PermissionsBitField> | null, adminUserIds: string[]): boolean {
  return adminUserIds.includes(userId) || permissions?.has(PermissionFlagsBits.ManageGuild) === true;
}

/**
 * Discord hides /reindex from members without Manage Server (default_member_permissions), but
 * server owners can override that per role or channel, so the bot checks again itself.
 */
export const requireReindexPermission: Precondition = (interaction, { config, log }) => {
  const permissions = interaction.inGuild() ? interaction.memberPermissions : null;
  if (mayReindex(interaction.user.id, permissions, config.discord.adminUserIds)) return null;
  auditRefusal(log, interaction.user.id, interaction.guildId ?? 'DM');
  return REINDEX_REFUSED;
};

/** A refused reindex is part of the audit trail too (reindex.ts writes the others). */
export function auditRefusal(log: Logger, userId: string, where: string): void {
  log.info({ audit: 'reindex', userId, where, result: 'refused' }, 'reindex refused');
}

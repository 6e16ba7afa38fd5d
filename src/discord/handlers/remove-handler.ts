/**
 * Removing an article for someone on Discord from the library of the place they ask in (a server's own; the home
 * library in a DM or a HOME_SERVER_IDS server): who may, a private confirmation showing its title
 * and file (Remove or Cancel, for the person asking only), then the move to the removed folder,
 * the reindex that takes it out of the index, and one audit line (who, where, what, result).
 */
import {
  ActionRowBuilder,
  ButtonBuilder,
  ButtonStyle,
  ComponentType,
  MessageFlags,
  type ButtonInteraction,
  type ChatInputCommandInteraction,
} from 'discord.js';
import { UserError } from '../../core/errors.js';
import type { Removal } from '../../library/footnote.js';
import type { Logger } from '../../log.js';
import type { CommandContext } from '../command-types.js';
import { runFlow } from '../flow.js';
import { findArticle } from '../library-view.js';
import { inline } from '../markdown.js';
import { REINDEX_RUNNING, mayRemove, noReindexRunning } from '../preconditions.js';
import { fromInteraction } from '../request.js';

/** How long the buttons wait for a click; after that they go and nothing changes. */
export const CONFIRM_MS = 60_000;
export const REMOVE_BUTTON = 'remove:confirm';
export const CANCEL_BUTTON = 'remove:cancel';

export function removeArticle(
  interaction: ChatInputCommandInteraction,
  articleId: string,
  context: CommandContext,
): Promise<void> {
  const request = fromInteraction(interaction);
  return runFlow(request, context, [mayRemove(articleId), noReindexRunning], async () => {
    const found = await findArticle(context.libraries, request.guildId, articleId);
    // A server's admins change their own library only: a shared article stays, whoever asks there.
    if (found && 'shared' in found) throw new UserError('article.shared', { id: found.shared.id });
    const article = found?.own;
    if (!article) {
      // The remove's own answer: what it looked for, and that it changed nothing.
      context.log.info({ code: 'article.unknown', articleId }, 'request rejected');
      const id = inline(articleId, 100);
      await request.reply({ content: `No indexed article has the id “${id}”. Nothing was changed.`, embeds: [] });
      return;
    }
    const audit = context.log.child({
      audit: 'remove',
      where: request.guildId ?? 'DM',
      articleId: article.id,
      file: article.file,
    });
    // Only the name under the articles folder is shown: the server's paths are for the log.
    const named = `**${inline(article.title, 300)}** (${inline(article.file, 300)})`;
    const click = await confirmed(interaction, named, context.config.retainDays, audit);
    if (click) await removeConfirmed(click, article.id, named, audit, context);
  });
}

/** Asks the person to confirm with Remove or Cancel: their Remove click, or null (cancelled, or no click in time). */
async function confirmed(
  interaction: ChatInputCommandInteraction,
  named: string,
  keptDays: number,
  audit: Logger,
): Promise<ButtonInteraction | null> {
  const buttons = new ActionRowBuilder<ButtonBuilder>().addComponents(
    new ButtonBuilder().setCustomId(REMOVE_BUTTON).setLabel('Remove').setStyle(ButtonStyle.Danger),
    new ButtonBuilder().setCustomId(CANCEL_BUTTON).setLabel('Cancel').setStyle(ButtonStyle.Secondary),
  );
  const kept = `Its file moves to the removed folder, and is deleted ${keptDays} days later.`;
  const response = await interaction.reply({
    content: `Remove ${named} from the index? ${kept}`,
    components: [buttons],
    flags: MessageFlags.Ephemeral,
    withResponse: true,
  });
  const message = response.resource?.message;
  if (!message) throw new Error('Discord did not return the confirmation message');
  let click: ButtonInteraction;
  try {
    click = await message.awaitMessageComponent({
      componentType: ComponentType.Button,
      filter: (i) => i.user.id === interaction.user.id,
      time: CONFIRM_MS,
    });
  } catch {
    // The collector rejects when its time is up (or the message is gone).
    audit.info({ result: 'timed out' }, 'remove not confirmed');
    await interaction.editReply({ content: `No answer within a minute: ${named} stays.`, components: [] });
    return null;
  }
  if (click.customId === CANCEL_BUTTON) {
    audit.info({ result: 'cancelled' }, 'remove cancelled');
    await click.update({ content: `Cancelled: ${named} stays.`, components: [] });
    return null;
  }
  return click;
}

/** Removes the article once confirmed (src/library/footnote.ts: remove), telling the person how it went. */
async function removeConfirmed(
  click: ButtonInteraction,
  articleId: string,
  named: string,
  audit: Logger,
  { libraries, config }: CommandContext,
): Promise<void> {
  const { guildId } = click;
  // A reindex may have started while the buttons waited: the library refuses then, and nothing moves.
  if (libraries.reindexing(guildId)) {
    audit.info({ result: 'reindex running' }, 'remove not done');
    await click.update({ content: `${REINDEX_RUNNING} Nothing was removed.`, components: [] });
    return;
  }
  await click.update({ content: `Removing ${named}…`, components: [] });
  let removal: Removal;
  try {
    // The library the article was found in: the one the place changes, there since it was found.
    removal = (await libraries.withLibrary(guildId, (library) => library.remove(articleId)))!;
  } catch (error) {
    audit.warn({ result: 'failed', err: error }, 'remove failed');
    throw error;
  }
  const { movedTo, summary } = removal;
  if (!summary) {
    audit.info({ result: 'moved, reindex already running', movedTo }, 'article file moved');
    const content = `Moved ${named} to the removed folder, but a reindex was already running:`;
    await click.editReply({ content: `${content} until the next one, it may still be quoted.` });
    return;
  }
  audit.info({ result: 'removed', movedTo, articles: summary.articles }, 'article removed');
  const kept = `its file is kept in the removed folder for ${config.retainDays} days`;
  const content = `Removed ${named} from the index; ${kept}.`;
  await click.editReply({ content: `${content} Articles in the index: ${summary.articles}.` });
}

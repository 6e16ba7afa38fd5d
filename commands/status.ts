// /status: the index, the model and the uptime, for the person asking.
import path from 'node:path';
import { InteractionContextType, MessageFlags, SlashCommandBuilder, escapeMarkdown } from 'discord.js';
import type { Command } from '../src/discord/command-types.js';

export const data = new SlashCommandBuilder()
  .setName('status')
  .setDescription('The index, the model and the uptime.')
  .setContexts(InteractionContextType.Guild, InteractionContextType.BotDM);

export const execute: Command['execute'] = async (interaction, { footnote, startedAt }) => {
  const manifest = footnote.index()?.manifest;
  const lines = manifest
    ? [
        `Articles: ${manifest.counts.articles}`,
        `Passages: ${manifest.counts.passages}`,
        manifest.model
          ? `Model: ${escapeMarkdown(modelName(manifest.model.id))} ` +
            `(${manifest.model.dtype}, ${manifest.model.dims} dimensions)`
          : 'Model: none (the index was built without it: lexical search only)',
        `Retrieval: ${retrievalMode(footnote.config.retrievalMode, footnote.degraded, manifest.model !== null)}`,
        `Index built: <t:${Math.floor(Date.parse(manifest.builtAt) / 1000)}:f>`,
      ]
    : ['No index yet: an admin can run `/reindex`.'];
  if (footnote.reindexing) lines.push('A reindex is running.');
  lines.push(`Uptime: ${formatDuration(Date.now() - startedAt.getTime())}`);
  await interaction.reply({ content: lines.join('\n'), flags: MessageFlags.Ephemeral });
};

/** A local model directory is shown by its name, not its path on the server. */
function modelName(id: string): string {
  return path.isAbsolute(id) ? `${path.basename(id)} (local)` : id;
}

function retrievalMode(setting: string, degraded: string | null, hasVectors: boolean): string {
  if (setting !== 'auto') return setting;
  if (degraded) return 'lexical (the embedding model cannot be loaded; the bot’s log says why)';
  return hasVectors ? 'hybrid' : 'lexical (the index has no vectors yet; an admin can run /reindex)';
}

function formatDuration(ms: number): string {
  const s = Math.floor(ms / 1000);
  const parts = [
    [Math.floor(s / 86400), 'd'],
    [Math.floor((s % 86400) / 3600), 'h'],
    [Math.floor((s % 3600) / 60), 'm'],
    [s % 60, 's'],
  ] as const;
  return parts
    .filter(([n], i) => n > 0 || i === 3)
    .map(([n, u]) => `${n}${u}`)
    .join(' ');
}

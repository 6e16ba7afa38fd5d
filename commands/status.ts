// /status: the index, the model and the uptime, for the person asking: of each library seen where it is asked.
import path from 'node:path';
import { InteractionContextType, MessageFlags, SlashCommandBuilder, escapeMarkdown } from 'discord.js';
import type { Command } from '../src/discord/command-types.js';
import type { LibraryStatus } from '../src/library/footnote.js';

export const data = new SlashCommandBuilder()
  .setName('status')
  .setDescription('The index, the model and the uptime.')
  .setContexts(InteractionContextType.Guild, InteractionContextType.BotDM);

export const execute: Command['execute'] = async (interaction, { libraries, startedAt }) => {
  const serverId = interaction.guildId;
  const lines: string[] = [];
  if (serverId === null || libraries.isHome(serverId)) lines.push(...describe(libraries.home.status(), true));
  else {
    // A server sees its own library and the shared one, never another server's.
    const own = await libraries.withLibrary(serverId, (library) => Promise.resolve(library.status()));
    lines.push('**This server’s library**');
    lines.push(...(own ? describe(own, true) : ['No articles of its own yet: an admin can add one with `/add`.']));
    if (libraries.config.sharedLibrary) lines.push('**Shared library**', ...describe(libraries.home.status(), false));
  }
  lines.push(`Uptime: ${formatDuration(Date.now() - startedAt.getTime())}`);
  await interaction.reply({ content: lines.join('\n'), flags: MessageFlags.Ephemeral });
};

/** One library's index, model and mode; `own`: the library the people asking there may rebuild. */
function describe(status: LibraryStatus, own: boolean): string[] {
  const { index } = status;
  const lines = index
    ? [
        `Articles: ${index.counts.articles}`,
        `Passages: ${index.counts.passages}`,
        index.model
          ? `Model: ${escapeMarkdown(modelName(index.model.id))} (${index.model.dtype}, ${index.model.dims} dimensions)`
          : 'Model: none (the index was built without it: lexical search only)',
        `Retrieval: ${retrievalMode(status)}`,
        `Index built: <t:${Math.floor(Date.parse(index.builtAt) / 1000)}:f>`,
      ]
    : [own ? 'No index yet: an admin can run `/reindex`.' : 'No index yet.'];
  if (status.reindexing) lines.push('A reindex is running.');
  return lines;
}

/** A local model directory is shown by its name, not its path on the server. */
function modelName(id: string): string {
  return path.isAbsolute(id) ? `${path.basename(id)} (local)` : id;
}

function retrievalMode({ mode, lexicalBecause }: LibraryStatus): string {
  if (lexicalBecause === 'model-unavailable')
    return 'lexical (the embedding model cannot be loaded: it is tried again on its own; the bot’s log says why)';
  if (lexicalBecause === 'no-vectors') return 'lexical (the index has no vectors yet; an admin can run /reindex)';
  return mode;
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

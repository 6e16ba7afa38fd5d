// Autocomplete for an `article:` option: the articles seen where it is typed whose title or id holds what was typed.
import type { AutocompleteInteraction } from 'discord.js';
import type { CommandContext } from './command-types.js';
import { visibleArticles } from './library-view.js';

/** The articles a question may be restricted to there: the place's own and the shared ones. */
export function respondWithArticles(interaction: AutocompleteInteraction, context: CommandContext): Promise<void> {
  return respondWith(interaction, context, { shared: true });
}

/** The articles that may be removed there: the library's own, never a shared one. */
export function respondWithOwnArticles(interaction: AutocompleteInteraction, context: CommandContext): Promise<void> {
  return respondWith(interaction, context, { shared: false });
}

async function respondWith(
  interaction: AutocompleteInteraction,
  { libraries }: CommandContext,
  offer: { shared: boolean },
): Promise<void> {
  const typed = interaction.options.getFocused().toLowerCase();
  const seen = await visibleArticles(libraries, interaction.guildId);
  const articles = seen.flatMap((s) => (offer.shared || !s.shared ? [s.article] : []));
  const matches = articles.filter((a) => a.title.toLowerCase().includes(typed) || a.id.toLowerCase().includes(typed));
  // Choices: at most 25, name and value at most 100 characters each; ids longer than that
  // cannot be offered.
  await interaction.respond(
    matches
      .filter((a) => a.id.length <= 100)
      .slice(0, 25)
      .map((a) => ({ name: a.title.length > 100 ? `${a.title.slice(0, 99)}…` : a.title, value: a.id })),
  );
}

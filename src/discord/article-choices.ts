// Autocomplete for an `article:` option: the indexed articles whose title or id holds what was typed.
import type { AutocompleteInteraction } from 'discord.js';
import type { CommandContext } from './command-types.js';

export async function respondWithArticles(
  interaction: AutocompleteInteraction,
  { footnote }: CommandContext,
): Promise<void> {
  const typed = interaction.options.getFocused().toLowerCase();
  const articles = footnote.articles();
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

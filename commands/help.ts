// /help: what the bot does and how to ask it, with every loaded command's own description.
import {
  ApplicationCommandOptionType,
  InteractionContextType,
  MessageFlags,
  SlashCommandBuilder,
  type APIApplicationCommandOption,
} from 'discord.js';
import type { Command } from '../src/discord/command-types.js';
import { LIMITS, shorten } from '../src/discord/render.js';

export const data = new SlashCommandBuilder()
  .setName('help')
  .setDescription('What I do and how to ask.')
  .setContexts(InteractionContextType.Guild, InteractionContextType.BotDM);

export const execute: Command['execute'] = async (interaction, { commands, config }) => {
  await interaction.reply({
    content: helpText(commands, config.discord.messageContent),
    flags: MessageFlags.Ephemeral,
  });
};

/**
 * The commands are listed from their own definitions (name, options, description), so that a
 * command added to commands/ is in /help without anyone remembering to write it here.
 */
export function helpText(commands: ReadonlyMap<string, Command>, everyMessageInThreads: boolean): string {
  const definitions = [...commands.values()].map((c) => c.data.toJSON());
  // Discord hides the commands with default member permissions from members without them.
  const admin = (d: (typeof definitions)[number]): boolean => d.default_member_permissions != null;
  const lines = [
    '**Footnote** answers questions about a collection of articles, and backs every answer with quotes.',
    '',
    ...definitions.filter((d) => !admin(d)).flatMap(commandLines),
    '• Send me a direct message, or mention me in a channel, to ask the same way as `/ask`.',
    '• Under an answer in a server channel, **Ask a follow-up** opens a thread: what is asked there ' +
      (everyMessageInThreads ? '(any message, or `/ask`)' : '(with `/ask` or by mentioning me)') +
      ' is read with the questions before it. 👍 and 👎 under an answer tell the admins how it did.',
    '',
    'For admins (Manage Server), on this server’s own articles:',
    ...definitions.filter(admin).flatMap(commandLines),
    '• In a direct message, for the bot’s operators: `reindex`, `add` and a link, or an article file sent alone.',
    '',
    'Every answer is made of sentences quoted word for word from the articles, numbered [1], [2]…, ' +
      'each with its article, source, date and paragraph (¶). ' +
      'I never write text of my own: when the articles do not answer a question, I say so.',
  ];
  // Far within Discord's limit today; tests/discord/bot.test.ts fails if a command no longer fits.
  return shorten(lines.join('\n'), LIMITS.content);
}

/** `/name option: [optional:]` and the description; a command with subcommands gets a line for each. */
function commandLines(definition: {
  name: string;
  description: string;
  options?: APIApplicationCommandOption[];
}): string[] {
  const options = definition.options ?? [];
  const subcommands = options.filter((o) => o.type === ApplicationCommandOptionType.Subcommand);
  if (!subcommands.length) return [`• ${usage(definition.name, options)} — ${definition.description}`];
  return [
    `• \`/${definition.name}\` — ${definition.description}`,
    ...subcommands.map((s) => `  ◦ ${usage(`${definition.name} ${s.name}`, s.options ?? [])} — ${s.description}`),
  ];
}

function usage(name: string, options: readonly APIApplicationCommandOption[]): string {
  const shown = options.map((o) => ('required' in o && o.required ? `${o.name}:` : `[${o.name}:]`));
  return `\`/${[name, ...shown].join(' ')}\``;
}

/** interactionCreate: a slash command, its autocomplete or a button click, handed to its module. */
import {
  Events,
  MessageFlags,
  type AutocompleteInteraction,
  type ChatInputCommandInteraction,
  type Interaction,
} from 'discord.js';
import { routeButton } from '../button-router.js';
import type { CommandContext } from '../command-types.js';
import { replyWithFailure } from '../flow.js';
import type { EventContext } from '../load-events.js';
import { fromInteraction } from '../request.js';

export const name = Events.InteractionCreate;

// While the bot stops, what it would start now could not be finished: the person is told to ask again, once it is back.
export const RESTARTING = 'I’m restarting — please try again in a minute.';

export async function execute({ context, inFlight }: EventContext, interaction: Interaction): Promise<void> {
  if (inFlight.stopping) return refuseWhileStopping(interaction);
  if (interaction.isAutocomplete()) await autocomplete(interaction, context);
  else if (interaction.isButton()) await routeButton(interaction, context);
  else if (interaction.isChatInputCommand()) await runCommand(interaction, context);
}

async function refuseWhileStopping(interaction: Interaction): Promise<void> {
  if (interaction.isAutocomplete()) await interaction.respond([]).catch(() => undefined);
  else if (interaction.isRepliable())
    await interaction.reply({ content: RESTARTING, flags: MessageFlags.Ephemeral }).catch(() => undefined);
}

async function runCommand(interaction: ChatInputCommandInteraction, context: CommandContext): Promise<void> {
  const started = performance.now();
  const { id: interactionId, commandName, user, guildId } = interaction;
  const log = context.log.child({ interactionId, command: commandName, userId: user.id, guildId });
  const command = context.commands.get(commandName);
  try {
    if (!command) throw new Error(`no handler for /${commandName}; run npm run deploy-commands`);
    await command.execute(interaction, { ...context, log });
    log.info({ latencyMs: Math.round(performance.now() - started) }, 'command answered');
  } catch (error) {
    // The commands that go through runFlow (flow.ts) reply to their own failures; this is for the others.
    await replyWithFailure(fromInteraction(interaction), error, log);
  }
}

async function autocomplete(interaction: AutocompleteInteraction, context: CommandContext): Promise<void> {
  try {
    await context.commands.get(interaction.commandName)?.autocomplete?.(interaction, context);
  } catch (error) {
    context.log.warn({ err: error, interactionId: interaction.id }, 'autocomplete failed');
    if (!interaction.responded) await interaction.respond([]).catch(() => undefined);
  }
}

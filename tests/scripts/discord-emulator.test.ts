import { once } from 'node:events';
import {
  ActionRowBuilder,
  ApplicationCommandOptionType,
  ButtonBuilder,
  ButtonStyle,
  Client,
  ComponentType,
  DiscordAPIError,
  Events,
  GatewayIntentBits,
  GatewayOpcodes,
  InteractionContextType,
  InteractionResponseType,
  InteractionType,
  MessageFlags,
  Partials,
  PermissionFlagsBits,
  PermissionsBitField,
  REST,
  Routes,
  SlashCommandBuilder,
  type APIApplicationCommand,
  type APIEmoji,
  type APIGuildMember,
  type APIMessage,
  type APIUser,
  type ChatInputCommandInteraction,
  type GatewayGuildCreateDispatchData,
  type GatewayReadyDispatchData,
  type Guild,
  type GuildMemberFlags,
  type Interaction,
  type Message,
  type RESTGetAPIGatewayBotResult,
} from 'discord.js';
import WebSocket from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { DiscordEmulator, type DiscordEmulatorOptions, type GatewayLogEntry } from '../../scripts/discord-emulator.js';

const TIMEOUT_MS = 10_000;

let emulator: DiscordEmulator | undefined;
let clients: Client[] = [];

afterEach(async () => {
  await Promise.all(clients.map((each) => each.destroy()));
  await emulator?.close();
  clients = [];
  emulator = undefined;
});

async function startEmulator(options?: DiscordEmulatorOptions): Promise<DiscordEmulator> {
  emulator = await DiscordEmulator.start(options);
  return emulator;
}

/** The real discord.js client, logged in to a fresh emulator and ready (guilds received). */
async function startBot(
  options?: DiscordEmulatorOptions,
  intents?: GatewayIntentBits[],
): Promise<{ emulator: DiscordEmulator; client: Client<true> }> {
  const started = await startEmulator(options);
  return { emulator: started, client: await logIn(started, intents) };
}

/** The real discord.js client, logged in to `started` and ready (guilds received); with `shard`, as that one
 * shard of a sharded bot, as each process of discord.js's ShardingManager is. */
async function logIn(
  started: DiscordEmulator,
  intents = [GatewayIntentBits.Guilds, GatewayIntentBits.DirectMessages],
  shard?: { id: number; count: number },
): Promise<Client<true>> {
  const bot = new Client({
    intents,
    partials: [Partials.Channel],
    rest: { api: started.apiBase },
    ...(shard ? { shards: [shard.id], shardCount: shard.count } : {}),
  });
  clients.push(bot);
  const ready = once(bot, Events.ClientReady, { signal: AbortSignal.timeout(TIMEOUT_MS) });
  await bot.login(started.token);
  await ready;
  return bot as Client<true>;
}

const restFor = (started: DiscordEmulator, token = started.token) => new REST({ api: started.apiBase }).setToken(token);

/** Runs `handler` on the next chat-input command; settles with its outcome. */
function onNextCommand<T>(bot: Client, handler: (interaction: ChatInputCommandInteraction) => Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const listener = (interaction: Interaction) => {
      if (!interaction.isChatInputCommand()) return;
      bot.off(Events.InteractionCreate, listener);
      handler(interaction).then(resolve, reject);
    };
    bot.on(Events.InteractionCreate, listener);
  });
}

const askOptions = (question: string) => [
  { name: 'question', type: ApplicationCommandOptionType.String as const, value: question },
];

const entries = <T extends GatewayLogEntry['type']>(log: GatewayLogEntry[], type: T) =>
  log.filter((entry): entry is Extract<GatewayLogEntry, { type: T }> => entry.type === type);

/** A raw gateway client: collects payloads and the close code. */
async function connectRaw(started: DiscordEmulator, query = '?v=10&encoding=json') {
  const socket = new WebSocket(`${started.gatewayUrl}${query}`);
  type Payload = { op: number; t?: string; d: unknown };
  const payloads: Payload[] = [];
  // Listening before 'open': HELLO can arrive in the same chunk as the upgrade response.
  // A Buffer: the socket's binaryType stays ws's default, 'nodebuffer'.
  socket.on('message', (data) => payloads.push(JSON.parse((data as Buffer).toString()) as Payload));
  const closed = new Promise<number>((resolve) => socket.once('close', resolve));
  const closedWith = new Promise<string>((resolve) =>
    socket.once('close', (code, reason) => resolve(`${code} ${reason.toString()}`)),
  );
  await once(socket, 'open', { signal: AbortSignal.timeout(TIMEOUT_MS) });
  /** Resolves once the payloads received so far satisfy `done`. */
  const until = async (done: (received: Payload[]) => boolean) => {
    const signal = AbortSignal.timeout(TIMEOUT_MS);
    while (!done(payloads)) await once(socket, 'message', { signal });
    return payloads;
  };
  const next = async (op: number) =>
    (await until((received) => received.some((p) => p.op === op))).find((p) => p.op === op)!;
  return { socket, closed, closedWith, next, until, send: (payload: object) => socket.send(JSON.stringify(payload)) };
}

/** Asks the bot a question in the guild and resolves with the reply it edited in after deferring. */
async function askAndAwaitReply(started: DiscordEmulator, bot: Client, text: string): Promise<string> {
  const handled = onNextCommand(bot, async (interaction) => {
    await interaction.deferReply();
    await interaction.editReply(text);
  });
  const sent = started.sendSlashCommand({ name: 'ask', options: askOptions(text), guildId: started.fixture.guild.id });
  await handled;
  return (await started.waitForInteractionReply(sent.id)).content;
}

describe('DiscordEmulator with the real discord.js client', () => {
  it('serves GET /gateway/bot, answers IDENTIFY with READY and GUILD_CREATE, and the client caches the fixture', async () => {
    const { emulator, client } = await startBot();
    const { guild, channel, roles, users } = emulator.fixture;

    expect(emulator.requests[0]).toMatchObject({
      method: 'GET',
      path: '/gateway/bot',
      status: 200,
      response: { shards: 1, session_start_limit: { max_concurrency: 1 } },
    });
    const [connect] = entries(emulator.gatewayLog, 'connect');
    expect(connect?.query).toEqual({ v: '10', encoding: 'json' });
    const identifies = entries(emulator.gatewayLog, 'identify');
    expect(identifies).toHaveLength(1);
    expect(identifies[0]).toMatchObject({
      shard: [0, 1],
      intents: GatewayIntentBits.Guilds | GatewayIntentBits.DirectMessages,
      data: {
        compress: false,
        shard: [0, 1],
        properties: { browser: '@discordjs/ws 1.2.3', device: '@discordjs/ws 1.2.3' },
      },
    });

    expect(client.user.id).toBe(users.bot.id);
    expect(client.application.id).toBe(emulator.applicationId);
    const cached = client.guilds.cache.get(guild.id);
    expect(cached?.name).toBe(guild.name);
    expect(cached?.ownerId).toBe(users.owner.id);
    expect(cached?.channels.cache.get(channel.id)?.isTextBased()).toBe(true);
    expect(cached?.roles.cache.get(roles.admin.id)?.permissions.has(PermissionFlagsBits.ManageGuild)).toBe(true);
    expect(cached?.members.cache.get(users.admin.id)?.permissions.has(PermissionFlagsBits.ManageGuild)).toBe(true);
    expect(cached?.members.cache.get(users.regular.id)?.permissions.has(PermissionFlagsBits.ManageGuild)).toBe(false);
  });

  it('delivers a guild slash command; deferReply then editReply reach the emulator in order', async () => {
    const { emulator, client } = await startBot();
    const { guild, users } = emulator.fixture;
    const handled = onNextCommand(client, async (interaction) => {
      await interaction.deferReply();
      await interaction.editReply('hi');
      return interaction;
    });

    const sent = emulator.sendSlashCommand({
      name: 'ask',
      options: askOptions('Who?'),
      user: users.admin,
      guildId: guild.id,
    });
    const interaction = await handled;
    expect(interaction.id).toBe(sent.id);
    expect(interaction.options.getString('question')).toBe('Who?');
    expect(interaction.inGuild()).toBe(true);
    expect(interaction.context).toBe(InteractionContextType.Guild);
    expect(interaction.memberPermissions?.has(PermissionFlagsBits.ManageGuild)).toBe(true);

    const reply = await emulator.waitForInteractionReply(sent.id);
    expect(reply).toMatchObject({ content: 'hi', embeds: [], flags: 0 });
    const callback = await emulator.waitForRequest((r) => r.path === `/interactions/${sent.id}/${sent.token}/callback`);
    expect(callback).toMatchObject({
      method: 'POST',
      query: { with_response: 'false' },
      body: { type: InteractionResponseType.DeferredChannelMessageWithSource },
      status: 204,
    });
    const edit = await emulator.waitForRequest(
      (r) => r.method === 'PATCH' && r.path === `/webhooks/${emulator.applicationId}/${sent.token}/messages/@original`,
    );
    expect(edit).toMatchObject({ body: { content: 'hi' }, status: 200 });
    expect(emulator.requests.indexOf(callback)).toBeLessThan(emulator.requests.indexOf(edit));
  });

  it("delivers a slash command in the bot DM; a type 4 reply with_response=true gets Discord's callback body", async () => {
    const { emulator, client } = await startBot();
    const handled = onNextCommand(client, async (interaction) => {
      const response = await interaction.reply({
        content: 'hello <@1>',
        allowedMentions: { parse: [] },
        flags: MessageFlags.Ephemeral,
        withResponse: true,
      });
      return { interaction, response };
    });

    const sent = emulator.sendSlashCommand({ name: 'ask', options: askOptions('Where?') });
    const { interaction, response } = await handled;
    expect(interaction.inGuild()).toBe(false);
    expect(interaction.context).toBe(InteractionContextType.BotDM);
    expect(interaction.channel?.isDMBased()).toBe(true);
    expect(interaction.user.id).toBe(emulator.fixture.users.regular.id);
    // discord.js parsed the emulator's { interaction, resource } body into its own structures.
    expect(response.interaction.id).toBe(sent.id);
    expect(response.resource?.message?.content).toBe('hello <@1>');
    expect(response.interaction.responseMessageEphemeral).toBe(true);

    const reply = await emulator.waitForInteractionReply(sent.id);
    expect(reply).toMatchObject({
      content: 'hello <@1>',
      flags: MessageFlags.Ephemeral,
      allowed_mentions: { parse: [] },
    });
    expect(emulator.interaction(sent.id)?.callback?.type).toBe(InteractionResponseType.ChannelMessageWithSource);
  });

  it('resolves a deferred reply with the first follow-up, as Discord does', async () => {
    const { emulator, client } = await startBot();
    const handled = onNextCommand(client, async (interaction) => {
      await interaction.deferReply({ flags: MessageFlags.Ephemeral });
      await interaction.followUp('done');
    });

    const sent = emulator.sendSlashCommand({
      name: 'ask',
      options: askOptions('Follow?'),
      guildId: emulator.fixture.guild.id,
    });
    await handled;
    const reply = await emulator.waitForInteractionReply(sent.id);
    expect(reply).toMatchObject({ content: 'done', flags: MessageFlags.Ephemeral });
    expect(emulator.interaction(sent.id)?.followups).toEqual([]);
  });

  it('answers autocomplete with the choices the bot sent', async () => {
    const { emulator, client } = await startBot();
    client.on(Events.InteractionCreate, (interaction) => {
      if (!interaction.isAutocomplete()) return;
      const typed = interaction.options.getFocused();
      void interaction.respond([{ name: `${typed} one`, value: `${typed}-1` }]);
    });

    const sent = emulator.sendAutocomplete({
      name: 'ask',
      options: [{ name: 'article', type: ApplicationCommandOptionType.String, value: 'ali', focused: true }],
    });
    const callback = await emulator.waitForRequest((r) => r.path.startsWith(`/interactions/${sent.id}/`));
    expect(callback).toMatchObject({
      status: 204,
      body: {
        type: InteractionResponseType.ApplicationCommandAutocompleteResult,
        data: { choices: [{ name: 'ali one', value: 'ali-1' }] },
      },
    });
  });

  it('delivers button clicks on a message; update (7) and deferUpdate (6) + editReply edit that message', async () => {
    const { emulator, client } = await startBot();
    const row = new ActionRowBuilder<ButtonBuilder>().addComponents(
      new ButtonBuilder().setCustomId('yes').setLabel('Yes').setStyle(ButtonStyle.Danger),
      new ButtonBuilder().setCustomId('no').setLabel('No').setStyle(ButtonStyle.Secondary),
    );
    // The discord.js guide's confirmation: reply with buttons, await one click, answer it.
    const handled = onNextCommand(client, async (interaction) => {
      const response = await interaction.reply({
        content: 'Sure?',
        components: [row],
        flags: MessageFlags.Ephemeral,
        withResponse: true,
      });
      const message = response.resource!.message!;
      const first = await message.awaitMessageComponent({ componentType: ComponentType.Button, time: TIMEOUT_MS });
      await first.update({ content: `Clicked ${first.customId}`, components: [row] });
      const second = await message.awaitMessageComponent({ componentType: ComponentType.Button, time: TIMEOUT_MS });
      await second.deferUpdate();
      await second.editReply({ content: `Then ${second.customId}`, components: [] });
      await second.followUp({ content: 'And a follow-up', flags: MessageFlags.Ephemeral });
      return { first, second };
    });

    const sent = emulator.sendSlashCommand({
      name: 'ask',
      options: askOptions('Sure?'),
      guildId: emulator.fixture.guild.id,
    });
    const shown = await emulator.waitForInteractionReply(sent.id);
    expect(shown.components).toHaveLength(1);
    expect(() => emulator.clickButton({ messageId: shown.message.id, customId: 'maybe' })).toThrow(/no button maybe/);

    const click = emulator.clickButton({ messageId: shown.message.id, customId: 'yes' });
    expect(click).toMatchObject({
      type: InteractionType.MessageComponent,
      data: { custom_id: 'yes', component_type: ComponentType.Button },
      message: { id: shown.message.id },
      guild_id: emulator.fixture.guild.id,
    });
    const updated = await emulator.waitForInteractionReply(click.id);
    expect(emulator.interaction(click.id)?.callback?.type).toBe(InteractionResponseType.UpdateMessage);
    expect(updated.message).toMatchObject({
      id: shown.message.id,
      content: 'Clicked yes',
      flags: MessageFlags.Ephemeral,
    });

    const again = emulator.clickButton({ messageId: shown.message.id, customId: 'no' });
    const { first, second } = await handled;
    expect(first.user.id).toBe(emulator.fixture.users.regular.id);
    expect(second.customId).toBe('no');
    expect(emulator.interaction(again.id)?.callback?.type).toBe(InteractionResponseType.DeferredMessageUpdate);
    const record = emulator.interaction(again.id)!;
    expect(record.original).toMatchObject({ id: shown.message.id, content: 'Then no', components: [] });
    expect(record.followups).toMatchObject([{ content: 'And a follow-up', flags: MessageFlags.Ephemeral }]);
    // The slash command's own reply is the same message, edited.
    expect((await emulator.waitForInteractionReply(sent.id)).content).toBe('Then no');
  });

  it('refuses an update (7) in answer to a slash command: only a component has a message to update', async () => {
    const { emulator, client } = await startBot();
    const handled = onNextCommand(client, (interaction) =>
      client.rest.post(Routes.interactionCallback(interaction.id, interaction.token), {
        body: { type: InteractionResponseType.UpdateMessage, data: { content: 'updated' } },
        auth: false,
      }),
    );
    emulator.sendSlashCommand({ name: 'ask', options: askOptions('Update?'), guildId: emulator.fixture.guild.id });
    const error = await handled.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DiscordAPIError);
    expect((error as DiscordAPIError).code).toBe(50035);
  });

  it('delivers a DM as messageCreate on a partial channel, and message.reply posts to it', async () => {
    const { emulator, client } = await startBot();
    const received = once(client, Events.MessageCreate, { signal: AbortSignal.timeout(TIMEOUT_MS) }) as Promise<
      [Message]
    >;

    const sent = emulator.sendMessage({ content: 'hello bot' });
    const [message] = await received;
    expect(message.content).toBe('hello bot');
    expect(message.channel.isDMBased()).toBe(true);
    await message.reply('hello human');

    const post = await emulator.waitForRequest(
      (r) => r.method === 'POST' && r.path === `/channels/${sent.channel_id}/messages`,
    );
    expect(post).toMatchObject({
      status: 200,
      body: { content: 'hello human', message_reference: { message_id: sent.id } },
      response: { type: 19, referenced_message: { id: sent.id } },
    });
  });

  it('does not deliver guild messages without the GuildMessages intent', async () => {
    const { emulator } = await startBot();
    expect(emulator.sendMessage({ content: 'hello', guildId: emulator.fixture.guild.id })).toBeDefined();
    expect(entries(emulator.gatewayLog, 'filtered')).toEqual([
      expect.objectContaining({ t: 'MESSAGE_CREATE', missingIntent: 'GuildMessages' }),
    ]);
  });

  it('rejects a reply over 2000 characters: discord.js throws DiscordAPIError 50035 and the log keeps the rejection', async () => {
    const { emulator, client } = await startBot();
    const failed = onNextCommand(client, (interaction) => interaction.reply('x'.repeat(2001))).then(
      () => undefined,
      (error: unknown) => error,
    );

    const sent = emulator.sendSlashCommand({
      name: 'ask',
      options: askOptions('Long?'),
      guildId: emulator.fixture.guild.id,
    });
    const error = await failed;
    expect(error).toBeInstanceOf(DiscordAPIError);
    expect(error).toMatchObject({
      code: 50035,
      status: 400,
      rawError: { errors: { data: { content: { _errors: [{ code: 'BASE_TYPE_MAX_LENGTH' }] } } } },
    });
    const rejected = await emulator.waitForRequest((r) => r.status === 400);
    expect(rejected.path).toBe(`/interactions/${sent.id}/${sent.token}/callback`);
    expect(emulator.interaction(sent.id)?.callback).toBeUndefined();
  });

  it('resumes after dropConnection(4000), replaying what was dispatched meanwhile, without re-identifying', async () => {
    const { emulator, client } = await startBot();
    const resumed = once(client, Events.ShardResume, { signal: AbortSignal.timeout(TIMEOUT_MS) });

    await emulator.dropConnection(4000);
    // Dispatched while the client is disconnected: buffered and replayed on RESUME.
    expect(await askAndAwaitReply(emulator, client, 'after the drop')).toBe('after the drop');
    await resumed;

    const [identify, ...reidentified] = entries(emulator.gatewayLog, 'identify');
    expect(reidentified).toEqual([]);
    expect(entries(emulator.gatewayLog, 'close')[0]).toMatchObject({ code: 4000, initiator: 'server' });
    expect(entries(emulator.gatewayLog, 'resume')).toEqual([
      expect.objectContaining({ sessionId: identify?.sessionId, replayed: 1, connection: 2 }),
    ]);
  });

  it('resumes after the TCP connection is destroyed', async () => {
    const { emulator, client } = await startBot();
    await emulator.dropConnection();
    await emulator.waitForGateway((e) => e.type === 'resume');
    expect(entries(emulator.gatewayLog, 'close')[0]).toMatchObject({ code: 1006, initiator: 'server' });
    expect(entries(emulator.gatewayLog, 'identify')).toHaveLength(1);
    expect(await askAndAwaitReply(emulator, client, 'after the reset')).toBe('after the reset');
  });

  it('resumes when told to reconnect (op 7)', async () => {
    const { emulator, client } = await startBot();
    emulator.sendReconnect();
    await emulator.waitForGateway((e) => e.type === 'resume');
    expect(entries(emulator.gatewayLog, 'close')[0]).toMatchObject({ code: 4200, initiator: 'client' });
    expect(entries(emulator.gatewayLog, 'identify')).toHaveLength(1);
    expect(await askAndAwaitReply(emulator, client, 'after op 7')).toBe('after op 7');
  });

  it('re-identifies after a non-resumable invalid session', async () => {
    const { emulator, client } = await startBot();
    emulator.sendInvalidSession(false);
    // @discordjs/ws spaces identifies at least 5 s apart (plus up to 1.5 s of jitter).
    const second = await emulator.waitForGateway((e) => e.type === 'identify' && e.connection === 2, 15_000);
    const [first] = entries(emulator.gatewayLog, 'identify');
    expect(second).not.toMatchObject({ sessionId: first?.sessionId });
    expect(entries(emulator.gatewayLog, 'close')[0]).toMatchObject({ code: 1000, initiator: 'client' });
    expect(await askAndAwaitReply(emulator, client, 'after op 9')).toBe('after op 9');
  });

  it('ends the session when the client closes with 1000, so it can no longer be resumed', async () => {
    const { emulator, client } = await startBot();
    const [identify] = entries(emulator.gatewayLog, 'identify');
    await client.destroy();
    expect(await emulator.waitForGateway((e) => e.type === 'close')).toMatchObject({ code: 1000, initiator: 'client' });
    expect(() => emulator.sendMessage({ content: 'anyone?' })).toThrow(/no gateway session/);

    const gateway = await connectRaw(emulator);
    gateway.send({ op: GatewayOpcodes.Resume, d: { token: emulator.token, session_id: identify?.sessionId, seq: 2 } });
    expect(await gateway.next(GatewayOpcodes.InvalidSession)).toEqual({ op: GatewayOpcodes.InvalidSession, d: false });
    gateway.socket.close();
  });

  it('resumes on the same connection after a resumable invalid session', async () => {
    const { emulator, client } = await startBot();
    emulator.sendInvalidSession(true);
    expect(await emulator.waitForGateway((e) => e.type === 'resume')).toMatchObject({ connection: 1 });
    expect(await askAndAwaitReply(emulator, client, 'after op 9 true')).toBe('after op 9 true');
  });

  it('recovers from unacknowledged heartbeats by closing and resuming', async () => {
    const { emulator, client } = await startBot({ heartbeatIntervalMs: 500 });
    emulator.stopAcking();
    const zombie = await emulator.waitForGateway((e) => e.type === 'close');
    expect(zombie).toMatchObject({ code: 4200, initiator: 'client' });
    expect(entries(emulator.gatewayLog, 'heartbeat').some((h) => !h.acked)).toBe(true);
    emulator.resumeAcking();
    await emulator.waitForGateway((e) => e.type === 'resume');
    expect(entries(emulator.gatewayLog, 'identify')).toHaveLength(1);
    expect(await askAndAwaitReply(emulator, client, 'after the zombie')).toBe('after the zombie');
  });
});

describe('DiscordEmulator REST', () => {
  it('stores bulk-overwritten commands, keeps their ids, and serves them back', async () => {
    const started = await startEmulator();
    const rest = restFor(started);
    const ask = new SlashCommandBuilder()
      .setName('ask')
      .setDescription('Ask the articles a question')
      .addStringOption((o) => o.setName('question').setDescription('Your question').setRequired(true));

    const stored = (await rest.put(Routes.applicationCommands(started.applicationId), {
      body: [ask.toJSON()],
    })) as APIApplicationCommand[];
    expect(stored).toEqual([
      expect.objectContaining({
        id: expect.any(String),
        application_id: started.applicationId,
        name: 'ask',
        type: 1,
        version: expect.any(String),
      }),
    ]);
    expect(started.commands()).toEqual(stored);
    expect(await rest.get(Routes.applicationCommands(started.applicationId))).toEqual(stored);

    const again = (await rest.put(Routes.applicationCommands(started.applicationId), {
      body: [ask.toJSON()],
    })) as APIApplicationCommand[];
    expect(again[0]?.id).toBe(stored[0]?.id);

    const guildId = started.fixture.guild.id;
    await rest.put(Routes.applicationGuildCommands(started.applicationId, guildId), { body: [ask.toJSON()] });
    expect(started.commands(guildId)).toEqual([expect.objectContaining({ name: 'ask', guild_id: guildId })]);

    const invalid = rest.put(Routes.applicationCommands(started.applicationId), {
      body: [{ name: 'Ask Me', description: '' }],
    });
    await expect(invalid).rejects.toMatchObject({
      code: 50035,
      rawError: { errors: { 0: { name: { _errors: [{ code: 'APPLICATION_COMMAND_INVALID_NAME' }] } } } },
    });
  });

  it('requires the bot token, and logs unknown routes as 404', async () => {
    const started = await startEmulator();
    await expect(restFor(started, 'not-the-token').get(Routes.user('@me'))).rejects.toMatchObject({ status: 401 });
    expect(await restFor(started).get(Routes.user('@me'))).toMatchObject({
      id: started.fixture.users.bot.id,
      bot: true,
    });
    await expect(restFor(started).get(Routes.currentApplication())).rejects.toMatchObject({ status: 404, code: 0 });
    expect(started.requests.map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual([
      'GET /users/@me 401',
      'GET /users/@me 200',
      'GET /applications/@me 404',
    ]);
  });

  it('opens stable DM channels, accepts typing, multipart messages and edits', async () => {
    const started = await startEmulator();
    const rest = restFor(started);
    const recipient = started.fixture.users.regular.id;
    const dm = (await rest.post(Routes.userChannels(), { body: { recipient_id: recipient } })) as {
      id: string;
      type: number;
    };
    expect(dm.type).toBe(1);
    expect(await rest.post(Routes.userChannels(), { body: { recipient_id: recipient } })).toMatchObject({ id: dm.id });
    await rest.post(Routes.channelTyping(dm.id));

    const posted = (await rest.post(Routes.channelMessages(dm.id), {
      body: { content: 'see attached' },
      files: [{ name: 'quote.txt', data: Buffer.from('hello') }],
    })) as APIMessage;
    expect(posted).toMatchObject({
      content: 'see attached',
      author: { id: started.fixture.users.bot.id },
      attachments: [{ filename: 'quote.txt', size: 5 }],
    });
    expect(started.requests.at(-1)).toMatchObject({
      body: { content: 'see attached' },
      files: [{ name: 'quote.txt', size: 5 }],
    });

    const edited = await rest.patch(Routes.channelMessage(dm.id, posted.id), { body: { content: 'edited' } });
    expect(edited).toMatchObject({ id: posted.id, content: 'edited', edited_timestamp: expect.any(String) });
    expect(started.requests.map((r) => r.status)).toEqual([200, 200, 204, 200, 200]);
  });

  it('refuses the bot’s messages in a channel it was told to, with 403 Missing Access, and stores none', async () => {
    const started = await startEmulator();
    const rest = restFor(started);
    const other = started.addGuild();
    started.refuseMessagesIn(started.fixture.channel.id);
    await expect(
      rest.post(Routes.channelMessages(started.fixture.channel.id), { body: { content: 'refused' } }),
    ).rejects.toMatchObject({ status: 403, code: 50001, message: 'Missing Access' });
    await rest.post(Routes.channelMessages(other.channel.id), { body: { content: 'posted' } });
    expect(started.guildMessages(started.fixture.guild.id)).toEqual([]);
    expect(started.guildMessages(other.id).map((m) => m.content)).toEqual(['posted']);
  });

  describe('validates messages like Discord', () => {
    const field = { name: 'n', value: 'v' };
    const embed = (overrides: object) => ({ title: 't', ...overrides });
    const cases: [string, object, string[], string][] = [
      ['content over 2000', { content: 'x'.repeat(2001) }, ['content'], 'BASE_TYPE_MAX_LENGTH'],
      [
        'more than 10 embeds',
        { embeds: Array.from({ length: 11 }, () => embed({})) },
        ['embeds'],
        'BASE_TYPE_MAX_LENGTH',
      ],
      [
        'title over 256',
        { embeds: [embed({ title: 'x'.repeat(257) })] },
        ['embeds', '0', 'title'],
        'BASE_TYPE_MAX_LENGTH',
      ],
      [
        'description over 4096',
        { embeds: [embed({ description: 'x'.repeat(4097) })] },
        ['embeds', '0', 'description'],
        'BASE_TYPE_MAX_LENGTH',
      ],
      [
        'more than 25 fields',
        { embeds: [embed({ fields: Array.from({ length: 26 }, () => field) })] },
        ['embeds', '0', 'fields'],
        'BASE_TYPE_MAX_LENGTH',
      ],
      [
        'field name over 256',
        { embeds: [embed({ fields: [{ name: 'x'.repeat(257), value: 'v' }] })] },
        ['embeds', '0', 'fields', '0', 'name'],
        'BASE_TYPE_MAX_LENGTH',
      ],
      [
        'field value over 1024',
        { embeds: [embed({ fields: [{ name: 'n', value: 'x'.repeat(1025) }] })] },
        ['embeds', '0', 'fields', '0', 'value'],
        'BASE_TYPE_MAX_LENGTH',
      ],
      [
        'empty field value',
        { embeds: [embed({ fields: [{ name: 'n', value: '' }] })] },
        ['embeds', '0', 'fields', '0', 'value'],
        'BASE_TYPE_REQUIRED',
      ],
      [
        'footer over 2048',
        { embeds: [embed({ footer: { text: 'x'.repeat(2049) } })] },
        ['embeds', '0', 'footer', 'text'],
        'BASE_TYPE_MAX_LENGTH',
      ],
      [
        'author name over 256',
        { embeds: [embed({ author: { name: 'x'.repeat(257) } })] },
        ['embeds', '0', 'author', 'name'],
        'BASE_TYPE_MAX_LENGTH',
      ],
      [
        'embeds over 6000 in total',
        { embeds: [embed({ description: 'x'.repeat(3000) }), embed({ description: 'x'.repeat(3000) })] },
        ['embeds'],
        'MAX_EMBED_SIZE_EXCEEDED',
      ],
    ];

    it.each(cases)('rejects %s with 50035', async (_name, body, path, code) => {
      const started = await startEmulator();
      const error = await restFor(started)
        .post(Routes.channelMessages(started.fixture.channel.id), { body })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DiscordAPIError);
      const { rawError } = error as DiscordAPIError;
      expect(rawError).toMatchObject({ code: 50035, message: 'Invalid Form Body' });
      const node = path.reduce<unknown>(
        (tree, key) => (tree as Record<string, unknown>)[key],
        (rawError as { errors: unknown }).errors,
      );
      expect(node).toMatchObject({ _errors: [{ code }] });
      expect(started.requests).toEqual([expect.objectContaining({ status: 400, response: rawError })]);
    });

    it('accepts the limits themselves', async () => {
      const started = await startEmulator();
      const body = {
        content: 'x'.repeat(2000),
        embeds: [
          embed({
            title: 'x'.repeat(256),
            description: 'x'.repeat(4096),
            fields: Array.from({ length: 25 }, () => field),
          }),
        ],
      };
      await expect(
        restFor(started).post(Routes.channelMessages(started.fixture.channel.id), { body }),
      ).resolves.toMatchObject({
        content: body.content,
        embeds: [{ type: 'rich', title: body.embeds[0]?.title }],
      });
    });

    it('rejects an empty message with 50006', async () => {
      const started = await startEmulator();
      await expect(
        restFor(started).post(Routes.channelMessages(started.fixture.channel.id), { body: { content: '  ' } }),
      ).rejects.toMatchObject({
        status: 400,
        code: 50006,
      });
    });
  });
});

describe('DiscordEmulator with several guilds', () => {
  const focused = [{ name: 'question', type: ApplicationCommandOptionType.String as const, value: 'W', focused: true }];

  it('sends an added guild to a connected client with GUILD_CREATE; the client caches both', async () => {
    const { emulator, client } = await startBot();
    const created = once(client, Events.GuildCreate, { signal: AbortSignal.timeout(TIMEOUT_MS) }) as Promise<[Guild]>;
    const hostile = emulator.addGuild({ name: 'Hostile' });
    const [guild] = await created;

    expect(guild.id).toBe(hostile.id);
    expect(hostile.id).not.toBe(emulator.fixture.guild.id);
    expect([...client.guilds.cache.keys()]).toEqual([emulator.fixture.guild.id, hostile.id]);
    expect(guild.name).toBe('Hostile');
    expect(guild.ownerId).toBe(hostile.owner.id);
    expect(hostile.owner.id).not.toBe(emulator.fixture.users.owner.id);
    expect(guild.channels.cache.get(hostile.channel.id)?.isTextBased()).toBe(true);
    expect(guild.channels.cache.has(emulator.fixture.channel.id)).toBe(false);
    expect(guild.roles.everyone.id).toBe(hostile.id);
    expect(guild.roles.cache.get(hostile.roles.admin.id)?.permissions.has(PermissionFlagsBits.ManageGuild)).toBe(true);
    expect(guild.members.me?.id).toBe(emulator.fixture.users.bot.id);
  });

  it('gives an added guild the extra channels, roles, members and emojis asked for; the client caches them', async () => {
    const { emulator, client } = await startBot();
    const created = once(client, Events.GuildCreate, { signal: AbortSignal.timeout(TIMEOUT_MS) }) as Promise<[Guild]>;
    const busy = emulator.addGuild({ extraChannels: 3, extraRoles: 2, members: 3, emojis: 2 });
    const [guild] = await created;

    expect(guild.channels.cache.map((c) => c.name).sort()).toEqual(['channel-1', 'channel-2', 'channel-3', 'general']);
    expect(guild.roles.cache.size).toBe(4);
    expect(guild.memberCount).toBe(5);
    expect(guild.members.cache.map((m) => m.user.username).sort()).toEqual([
      'Footnote',
      'guild-owner-2',
      'member-2-1',
      'member-2-2',
      'member-2-3',
    ]);
    expect(guild.emojis.cache.map((e) => e.name).sort()).toEqual(['emoji_1', 'emoji_2']);
    const other = guild.channels.cache.find((c) => c.name === 'channel-2')!;
    expect(emulator.sendSlashCommand({ name: 'ask', guildId: busy.id, channelId: other.id })).toMatchObject({
      channel_id: other.id,
    });
  });

  it('lists every guild in READY for a new session and sends a GUILD_CREATE for each', async () => {
    const started = await startEmulator();
    const hostile = started.addGuild({ ownerId: started.fixture.users.regular.id });
    const gateway = await connectRaw(started);
    gateway.send({
      op: GatewayOpcodes.Identify,
      d: { token: started.token, intents: 0, properties: { os: 'x', browser: 'x', device: 'x' } },
    });
    const guildCreates = <T extends { t?: string }>(received: T[]) => received.filter((p) => p.t === 'GUILD_CREATE');
    const received = await gateway.until((payloads) => guildCreates(payloads).length === 2);

    const ids = [started.fixture.guild.id, hostile.id];
    expect(received.find((p) => p.t === 'READY')?.d).toMatchObject({
      guilds: ids.map((id) => ({ id, unavailable: true })),
    });
    expect(guildCreates(received).map((p) => p.d)).toMatchObject([
      { id: ids[0], owner_id: started.fixture.users.owner.id, channels: [{ id: started.fixture.channel.id }] },
      { id: ids[1], owner_id: started.fixture.users.regular.id, channels: [{ id: hostile.channel.id }] },
    ]);
    gateway.socket.close();
  });

  it("delivers an interaction in guild B with B's id, channel and member; the reply is stored under B", async () => {
    const { emulator, client } = await startBot();
    const { users } = emulator.fixture;
    const hostile = emulator.addGuild({ name: 'Hostile' });
    const handled = onNextCommand(client, async (interaction) => {
      await interaction.reply('in B');
      return interaction;
    });

    const sent = emulator.sendSlashCommand({
      name: 'ask',
      options: askOptions('Who?'),
      user: users.admin,
      guildId: hostile.id,
    });
    const interaction = await handled;
    expect(interaction.guildId).toBe(hostile.id);
    expect(interaction.guild?.name).toBe('Hostile');
    expect(interaction.channelId).toBe(hostile.channel.id);
    expect(interaction.user.id).toBe(users.admin.id);
    // Admin of the fixture guild, a member without roles here.
    expect(interaction.memberPermissions?.has(PermissionFlagsBits.ManageGuild)).toBe(false);
    expect(sent).toMatchObject({
      guild_id: hostile.id,
      member: { roles: [] },
      authorizing_integration_owners: { 0: hostile.id },
    });

    await emulator.waitForInteractionReply(sent.id);
    expect(emulator.guildMessages(hostile.id)).toEqual([
      expect.objectContaining({ content: 'in B', channel_id: hostile.channel.id }),
    ]);
    expect(emulator.guildMessages(emulator.fixture.guild.id)).toEqual([]);
  });

  it("computes each user's permissions per guild: owner all, admins Manage Server, others the defaults", async () => {
    const { emulator } = await startBot();
    const { guild, users } = emulator.fixture;
    const raider = emulator.addUser('raider');
    const hostile = emulator.addGuild({ ownerId: raider.id, admins: [users.regular] });
    const permissions = (user: APIUser, guildId: string, memberPermissions?: bigint) => {
      const sent = emulator.sendAutocomplete({ name: 'ask', options: focused, user, guildId, memberPermissions });
      expect(sent).toMatchObject({ guild_id: guildId, member: { user: { id: user.id } } });
      return new PermissionsBitField(BigInt(sent.member!.permissions));
    };
    const manages = (user: APIUser, guildId: string) => permissions(user, guildId).has(PermissionFlagsBits.ManageGuild);

    expect(hostile.ownerId).toBe(raider.id);
    expect(permissions(raider, hostile.id).has(PermissionFlagsBits.Administrator)).toBe(true);
    expect(manages(raider, guild.id)).toBe(false);
    expect(manages(users.regular, hostile.id)).toBe(true);
    expect(manages(users.regular, guild.id)).toBe(false);
    expect(manages(users.owner, hostile.id)).toBe(false);
    expect(manages(users.admin, guild.id)).toBe(true);
    const stranger = emulator.addUser('stranger');
    expect(permissions(stranger, hostile.id).has(PermissionFlagsBits.SendMessages)).toBe(true);
    expect(manages(stranger, hostile.id)).toBe(false);
    expect(
      permissions(stranger, hostile.id, PermissionFlagsBits.ManageGuild).has(PermissionFlagsBits.ManageGuild),
    ).toBe(true);
  });

  it("delivers guild B's messages with its id and member; replies, threads and clicks there stay in B", async () => {
    const { emulator, client } = await startBot(undefined, [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages]);
    const hostile = emulator.addGuild({ name: 'Hostile' });
    const raider = emulator.addUser('raider');
    const received = once(client, Events.MessageCreate, { signal: AbortSignal.timeout(TIMEOUT_MS) }) as Promise<
      [Message]
    >;

    const sent = emulator.sendMessage({
      content: `<@${emulator.fixture.users.bot.id}> hello`,
      author: raider,
      guildId: hostile.id,
    });
    expect(sent).toMatchObject({ guild_id: hostile.id, channel_id: hostile.channel.id, member: { roles: [] } });
    const [message] = await received;
    expect(message.guildId).toBe(hostile.id);
    expect(message.channelId).toBe(hostile.channel.id);
    expect(message.member?.id).toBe(raider.id);

    const row = new ActionRowBuilder<ButtonBuilder>().addComponents(
      new ButtonBuilder().setCustomId('ok').setLabel('OK').setStyle(ButtonStyle.Primary),
    );
    const reply = await message.reply({ content: 'hello raider', components: [row] });
    const thread = await message.startThread({ name: 'raid' });
    expect(thread.guildId).toBe(hostile.id);
    await thread.send('in the thread');
    expect(await restFor(emulator).get(Routes.channel(thread.id))).toMatchObject({
      guild_id: hostile.id,
      parent_id: hostile.channel.id,
    });
    expect(emulator.guildMessages(hostile.id).map((m) => m.content)).toEqual([
      sent.content,
      'hello raider',
      'in the thread',
    ]);
    expect(emulator.guildMessages(emulator.fixture.guild.id)).toEqual([]);

    const clicked = once(client, Events.InteractionCreate, { signal: AbortSignal.timeout(TIMEOUT_MS) }) as Promise<
      [Interaction]
    >;
    const click = emulator.clickButton({ messageId: reply.id, customId: 'ok', user: raider });
    expect(click).toMatchObject({ guild_id: hostile.id, channel_id: hostile.channel.id });
    const [interaction] = await clicked;
    expect(interaction.guildId).toBe(hostile.id);
  });

  it('refuses unknown guild ids, and channels used with a guild they are not in', async () => {
    const started = await startEmulator();
    const { guild, channel } = started.fixture;
    const hostile = started.addGuild();

    expect(() => started.sendSlashCommand({ name: 'ask', guildId: '42' })).toThrow(/unknown guild 42/);
    expect(() => started.sendAutocomplete({ name: 'ask', options: focused, guildId: '42' })).toThrow(
      /unknown guild 42/,
    );
    expect(() => started.sendMessage({ content: 'hi', guildId: '42' })).toThrow(/unknown guild 42/);
    expect(() => started.guildMessages('42')).toThrow(/unknown guild 42/);
    expect(() => started.addGuild({ ownerId: '42' })).toThrow(/unknown user 42/);

    expect(() => started.sendSlashCommand({ name: 'ask', guildId: hostile.id, channelId: channel.id })).toThrow(
      `channel ${channel.id} is in guild ${guild.id}, not ${hostile.id}`,
    );
    expect(() => started.sendMessage({ content: 'hi', guildId: guild.id, channelId: hostile.channel.id })).toThrow(
      `channel ${hostile.channel.id} is in guild ${hostile.id}, not ${guild.id}`,
    );
    expect(() => started.sendMessage({ content: 'hi', channelId: hostile.channel.id })).toThrow(/pass its guildId/);
    const channelOption = [{ name: 'channel', type: ApplicationCommandOptionType.Channel as const, value: channel.id }];
    expect(() => started.sendSlashCommand({ name: 'feeds', options: channelOption, guildId: hostile.id })).toThrow(
      `channel option ${channel.id} is not a channel of guild ${hostile.id}`,
    );

    const rest = restFor(started);
    expect(await rest.get(Routes.channel(hostile.channel.id))).toMatchObject({ guild_id: hostile.id });
    await expect(rest.get(Routes.channel('42'))).rejects.toMatchObject({ status: 404, code: 10003 });
  });

  it('stores commands per guild, serves each guild its own, and refuses a guild the bot is not in', async () => {
    const { emulator } = await startBot();
    const rest = restFor(emulator);
    const { applicationId } = emulator;
    const { guild } = emulator.fixture;
    const hostile = emulator.addGuild();
    const command = (name: string) => new SlashCommandBuilder().setName(name).setDescription(`The ${name} command`);

    const inA = (await rest.put(Routes.applicationGuildCommands(applicationId, guild.id), {
      body: [command('ask').toJSON()],
    })) as APIApplicationCommand[];
    const inB = (await rest.put(Routes.applicationGuildCommands(applicationId, hostile.id), {
      body: [command('ask').toJSON(), command('raid').toJSON()],
    })) as APIApplicationCommand[];
    expect(inB.map((c) => [c.name, c.guild_id])).toEqual([
      ['ask', hostile.id],
      ['raid', hostile.id],
    ]);
    expect(inB.find((c) => c.name === 'ask')?.id).not.toBe(inA[0]?.id);
    expect(emulator.commands(guild.id)).toEqual(inA);
    expect(emulator.commands(hostile.id)).toEqual(inB);
    expect(emulator.commands()).toEqual([]);
    expect(await rest.get(Routes.applicationGuildCommands(applicationId, hostile.id))).toEqual(inB);

    const raid = inB.find((c) => c.name === 'raid')!;
    expect(emulator.sendSlashCommand({ name: 'raid', guildId: hostile.id }).data).toMatchObject({
      id: raid.id,
      guild_id: hostile.id,
    });
    expect(emulator.sendSlashCommand({ name: 'raid', guildId: guild.id }).data).not.toHaveProperty('guild_id');

    const unknown = Routes.applicationGuildCommands(applicationId, '42');
    await expect(rest.get(unknown)).rejects.toMatchObject({ status: 403, code: 50001 });
    await expect(rest.put(unknown, { body: [command('ask').toJSON()] })).rejects.toMatchObject({
      status: 403,
      code: 50001,
    });
    expect(emulator.commands('42')).toEqual([]);
  });
});

describe('DiscordEmulator with a sharded bot', () => {
  /** A raw connection that has sent IDENTIFY, as `shard` when given. */
  async function identifyRaw(started: DiscordEmulator, shard?: number[]) {
    const gateway = await connectRaw(started);
    const properties = { os: 'x', browser: 'x', device: 'x' };
    gateway.send({ op: GatewayOpcodes.Identify, d: { token: started.token, intents: 0, properties, shard } });
    return gateway;
  }

  /** Resolves once `client` has received the slash command `name`. */
  function commandReceived(client: Client, name: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no /${name} within ${TIMEOUT_MS} ms`)), TIMEOUT_MS);
      const listener = (interaction: Interaction) => {
        if (!interaction.isChatInputCommand() || interaction.commandName !== name) return;
        clearTimeout(timer);
        client.off(Events.InteractionCreate, listener);
        resolve();
      };
      client.on(Events.InteractionCreate, listener);
    });
  }

  /** Both shards of a two-shard bot, each its own client as under discord.js's ShardingManager, and a guild
   * on each shard besides the fixture's (which lands on shard 1). */
  async function startShards() {
    const started = await startEmulator({ shards: 2 });
    const onZero = started.addGuild({ name: 'On 0', shard: { id: 0, count: 2 } });
    const onOne = started.addGuild({ name: 'On 1', shard: { id: 1, count: 2 } });
    const intents = [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.DirectMessages];
    const [zero, one] = await Promise.all([0, 1].map((id) => logIn(started, intents, { id, count: 2 })));
    return { emulator: started, onZero, onOne, zero: zero!, one: one! };
  }

  it("gives each shard's client only its shard's guilds; each shard identifies once", async () => {
    const { emulator, onZero, onOne, zero, one } = await startShards();
    const { guild } = emulator.fixture;

    expect([onZero, onOne, guild].map((each) => emulator.shardOf(each.id))).toEqual([0, 1, 1]);
    expect([...zero.guilds.cache.keys()]).toEqual([onZero.id]);
    expect([...one.guilds.cache.keys()]).toEqual([guild.id, onOne.id]);
    const identified = emulator.identifies().sort((a, b) => a.shard[0] - b.shard[0]);
    expect(identified.map((each) => each.shard)).toEqual([
      [0, 2],
      [1, 2],
    ]);
    expect(new Set(identified.map((each) => each.sessionId)).size).toBe(2);
  });

  it("sends a guild's events and GUILD_CREATE to its shard only, and DMs and DM interactions to shard 0", async () => {
    const { emulator, onZero, onOne, zero, one } = await startShards();
    const { bot } = emulator.fixture.users;
    // What each shard receives, in order: an event sent to the wrong one would show before its /last.
    const seen = [zero, one].map((client) => {
      const events: string[] = [];
      client.on(Events.InteractionCreate, (i) =>
        events.push(`/${i.isCommand() ? i.commandName : '?'} in ${i.guildId}`),
      );
      client.on(Events.MessageCreate, (m) => events.push(`"${m.content}" in ${m.guildId}`));
      client.on(Events.GuildCreate, (g) => events.push(`joined ${g.id}`));
      return events;
    });
    const lastOnes = [commandReceived(zero, 'last'), commandReceived(one, 'last')];

    emulator.sendSlashCommand({ name: 'ask', guildId: onZero.id });
    emulator.sendSlashCommand({ name: 'ask', guildId: onOne.id });
    emulator.sendMessage({ content: `<@${bot.id}> hi`, guildId: onOne.id });
    emulator.sendMessage({ content: 'a DM' });
    emulator.sendSlashCommand({ name: 'help' });
    const joined = emulator.addGuild({ shard: { id: 1, count: 2 } });
    emulator.sendSlashCommand({ name: 'last', guildId: onZero.id });
    emulator.sendSlashCommand({ name: 'last', guildId: joined.id });
    await Promise.all(lastOnes);

    expect(seen[0]).toEqual([`/ask in ${onZero.id}`, '"a DM" in null', '/help in null', `/last in ${onZero.id}`]);
    expect(seen[1]).toEqual([
      `/ask in ${onOne.id}`,
      `"<@${bot.id}> hi" in ${onOne.id}`,
      `joined ${joined.id}`,
      `/last in ${joined.id}`,
    ]);
  });

  it('drops the connection of the shard it is told, which resumes as that shard', async () => {
    const { emulator, one } = await startShards();
    const resumed = once(one, Events.ShardResume, { signal: AbortSignal.timeout(TIMEOUT_MS) });

    await emulator.dropConnection(4000, 1);
    expect((await resumed)[0]).toBe(1);
    expect(entries(emulator.gatewayLog, 'close')).toEqual([
      expect.objectContaining({ code: 4000, initiator: 'server', shard: [1, 2] }),
    ]);
    expect(entries(emulator.gatewayLog, 'resume')).toEqual([expect.objectContaining({ shard: [1, 2] })]);
    expect(emulator.identifies()).toHaveLength(2);
    expect(() => emulator.sendReconnect(2)).toThrow('no live gateway connection on shard 2');
  });

  it('recommends the configured shards in /gateway/bot, with a session start limit that counts identifies', async () => {
    const started = await startEmulator({ shards: 2, maxConcurrency: 16 });
    const rest = restFor(started);
    expect(await rest.get(Routes.gatewayBot())).toEqual({
      url: started.gatewayUrl,
      shards: 2,
      session_start_limit: { total: 1000, remaining: 1000, reset_after: 86_400_000, max_concurrency: 16 },
    });

    const gateway = await identifyRaw(started, [0, 2]);
    await gateway.until((received) => received.some((p) => p.t === 'READY'));
    const { session_start_limit: limit } = (await rest.get(Routes.gatewayBot())) as RESTGetAPIGatewayBotResult;
    expect(limit.remaining).toBe(999);
    expect(limit.reset_after).toBeGreaterThan(0);
    expect(limit.reset_after).toBeLessThanOrEqual(86_400_000);
    gateway.socket.close();
  });

  it('spreads added guilds over the recommended shards, and puts one on the shard asked', async () => {
    const started = await startEmulator({ shards: 3 });
    const spread = [started.addGuild(), started.addGuild(), started.addGuild()];
    expect(spread.map((guild) => started.shardOf(guild.id)).sort()).toEqual([0, 1, 2]);
    for (const [id, count] of [
      [0, 1],
      [4, 5],
      [6, 7],
      [15, 16],
    ] as const) {
      expect(started.shardOf(started.addGuild({ shard: { id, count } }).id, count)).toBe(id);
    }
    expect(() => started.addGuild({ shard: { id: 2, count: 2 } })).toThrow('no shard 2 of 2');
  });

  it('closes an IDENTIFY whose shard would hold too many guilds with 4011, and one of no shard with 4010', async () => {
    const started = await startEmulator({ maxGuildsPerShard: 1 });
    const onZero = started.addGuild({ shard: { id: 0, count: 2 } });

    expect(await (await identifyRaw(started)).closedWith).toBe('4011 Sharding required.');
    const sharded = await identifyRaw(started, [0, 2]);
    const received = await sharded.until((payloads) => payloads.some((p) => p.t === 'READY'));
    expect(received.find((p) => p.t === 'READY')?.d).toMatchObject({
      shard: [0, 2],
      guilds: [{ id: onZero.id, unavailable: true }],
    } satisfies Partial<GatewayReadyDispatchData>);
    sharded.socket.close();
    for (const shard of [[2, 2], [0, 0], [-1, 2], [0.5, 2], [0]])
      expect(await (await identifyRaw(started, shard)).closedWith).toBe('4010 Invalid shard.');
    expect(started.identifies()).toEqual([expect.objectContaining({ shard: [0, 2] })]);
  });

  it('sends members and custom emojis in GUILD_CREATE as discord-api-types has them; large past large_threshold', async () => {
    const started = await startEmulator();
    const shaped = started.addGuild({ members: 2, emojis: 1 });
    const crowded = started.addGuild({ members: 60 });
    const gateway = await identifyRaw(started);
    const received = await gateway.until((payloads) => payloads.filter((p) => p.t === 'GUILD_CREATE').length === 3);
    const guildCreate = (id: string) =>
      received.find((p) => p.t === 'GUILD_CREATE' && (p.d as { id: string }).id === id)!
        .d as GatewayGuildCreateDispatchData;

    const sent = guildCreate(shaped.id);
    expect(sent.member_count).toBe(4);
    expect(sent.members.map((member) => member.user.username)).toEqual([
      'guild-owner-2',
      'member-2-1',
      'member-2-2',
      'Footnote',
    ]);
    expect(sent.members[1]).toEqual({
      user: {
        id: expect.any(String),
        username: 'member-2-1',
        discriminator: '0',
        global_name: 'member-2-1',
        avatar: null,
      },
      nick: null,
      avatar: null,
      roles: [],
      joined_at: expect.any(String),
      premium_since: null,
      deaf: false,
      mute: false,
      flags: 0 as GuildMemberFlags,
      pending: false,
    } satisfies APIGuildMember);
    expect(sent.emojis).toEqual([
      {
        id: expect.any(String),
        name: 'emoji_1',
        roles: [],
        require_colons: true,
        managed: false,
        animated: false,
        available: true,
      } satisfies APIEmoji,
    ]);
    expect(sent.large).toBe(false);
    expect(guildCreate(crowded.id)).toMatchObject({ member_count: 62, large: true });
    gateway.socket.close();
  });
});

describe('DiscordEmulator gateway protocol', () => {
  it('says HELLO, acknowledges heartbeats and closes 4004 on a bad token', async () => {
    const started = await startEmulator({ heartbeatIntervalMs: 1234 });
    const gateway = await connectRaw(started);
    expect(await gateway.next(GatewayOpcodes.Hello)).toEqual({
      op: GatewayOpcodes.Hello,
      d: { heartbeat_interval: 1234 },
    });
    gateway.send({ op: GatewayOpcodes.Heartbeat, d: null });
    expect(await gateway.next(GatewayOpcodes.HeartbeatAck)).toMatchObject({ op: GatewayOpcodes.HeartbeatAck });
    gateway.send({
      op: GatewayOpcodes.Identify,
      d: { token: 'wrong', intents: 0, properties: { os: 'x', browser: 'x', device: 'x' } },
    });
    expect(await gateway.closed).toBe(4004);
  });

  it('answers a RESUME of an unknown session with op 9 (d false)', async () => {
    const started = await startEmulator();
    const gateway = await connectRaw(started);
    gateway.send({ op: GatewayOpcodes.Resume, d: { token: started.token, session_id: 'nope', seq: 1 } });
    expect(await gateway.next(GatewayOpcodes.InvalidSession)).toEqual({ op: GatewayOpcodes.InvalidSession, d: false });
    gateway.socket.close();
  });

  it('closes 4012 on an unsupported API version', async () => {
    const started = await startEmulator();
    expect(await (await connectRaw(started, '?v=9&encoding=json')).closed).toBe(4012);
  });
});

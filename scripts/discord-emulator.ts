/**
 * A small Discord API emulator for end-to-end tests. The real discord.js `Client` and
 * `@discordjs/rest` `REST` are pointed at it with `rest: { api: emulator.apiBase }` and talk to it
 * over loopback: REST (v10) and the gateway (WebSocket, JSON, no compression) share one port.
 * Tests drive the bot through gateway dispatches (`sendSlashCommand`, `sendMessage`, `clickButton`, …),
 * inject faults (`dropConnection`, `sendReconnect`, …, on shard 0 unless told another) and assert on
 * what the bot sent (`requests`, `gatewayLog`, `waitForInteractionReply`). The bot is in the fixture
 * guild and in any a test adds (`addGuild`, shaped like a real server if asked), whose state lives in
 * discord-emulator/guilds.ts. Sessions are per shard, as on Discord: each identifies as `[id, count]`
 * and gets only the guilds whose `(guild_id >> 22) % count` is its id, and only their events; DMs go
 * to shard 0. Payloads follow discord-api-types/v10; behaviour follows what discord.js 14.28 /
 * @discordjs/ws 1.2 / @discordjs/rest 2.6 send and expect.
 */
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import {
  ApplicationCommandOptionType,
  ApplicationCommandType,
  ApplicationFlags,
  ApplicationIntegrationType,
  ChannelType,
  ComponentType,
  EmbedType,
  GatewayDispatchEvents,
  GatewayIntentBits,
  GatewayOpcodes,
  InteractionContextType,
  InteractionResponseType,
  InteractionType,
  Locale,
  MessageFlags,
  MessageType,
  type APIAllowedMentions,
  type APIApplicationCommand,
  type APIApplicationCommandAutocompleteInteraction,
  type APIApplicationCommandInteractionDataOption,
  type APIAttachment,
  type APIChatInputApplicationCommandInteraction,
  type APIEmbed,
  type APIGuildMember,
  type APIInteractionGuildMember,
  type APIMessage,
  type APIMessageComponentButtonInteraction,
  type APIMessageTopLevelComponent,
  type APIRole,
  type APITextChannel,
  type APIThreadChannel,
  type APIUser,
  type GatewayIdentifyData,
  type GatewayMessageCreateDispatchData,
  type GatewayReadyDispatchData,
  type GatewayResumeData,
  type RESTAPIMessageReference,
  type RESTGetAPIGatewayBotResult,
  type RESTPostAPIInteractionCallbackWithResponseResult,
} from 'discord-api-types/v10';
import { DM_PERMISSIONS, Guilds, makeUser, type EmulatedGuild } from './discord-emulator/guilds.js';
import { shardOf, snowflake } from './discord-emulator/snowflake.js';

export type { EmulatedGuild } from './discord-emulator/guilds.js';

export interface DiscordEmulatorOptions {
  applicationId?: string;
  /** Defaults to the application id, as for every bot created in the developer portal. */
  botUserId?: string;
  token?: string;
  /** HELLO's heartbeat_interval; tests of missed ACKs set it short. */
  heartbeatIntervalMs?: number;
  /** Discord answers 10062 Unknown interaction to callbacks later than 3 s after the dispatch. */
  interactionCallbackDeadlineMs?: number;
  /**
   * Privileged intents the application has not been granted in the developer portal: an IDENTIFY
   * asking for any of them is closed with 4014 Disallowed intent(s), as Discord does.
   */
  disallowedIntents?: number;
  /** The shard count GET /gateway/bot recommends; added guilds are spread over this many shards. Default 1. */
  shards?: number;
  /** session_start_limit.max_concurrency: how many shards may identify at once. Default 1, as for most bots. */
  maxConcurrency?: number;
  /** An IDENTIFY whose shard would hold more guilds is closed with 4011 Sharding required. Default 2500, Discord's. */
  maxGuildsPerShard?: number;
}

export interface RecordedFile {
  field: string;
  name: string;
  contentType: string;
  size: number;
}

export interface RecordedRequest {
  method: string;
  /** Percent-decoded, without the `/api/v10` prefix (other prefixes are kept, and answered 404)
   * and without query. */
  path: string;
  query: Record<string, string>;
  /** Parsed JSON body, or the `payload_json` part of a multipart body. */
  body: unknown;
  files: RecordedFile[];
  status: number;
  /** What the emulator answered (a Discord error body for rejections; undefined for 204). */
  response: unknown;
  at: number;
}

/** `[shard id, shard count]`; a session identified without `shard` is `[0, 1]`. */
export type Shard = [number, number];

/** `shard` is the connection's once it has identified or resumed a session. */
export type GatewayLogEntry = { connection: number; at: number; shard?: Shard } & (
  | { type: 'connect'; query: Record<string, string> }
  | {
      type: 'identify';
      sessionId: string;
      shard: Shard;
      intents: number;
      data: Omit<GatewayIdentifyData, 'token'>;
    }
  | { type: 'resume'; sessionId: string; seq: number; replayed: number }
  | { type: 'heartbeat'; seq: number | null; acked: boolean }
  | { type: 'reconnect' }
  | { type: 'invalid_session'; resumable: boolean }
  | { type: 'close'; code: number; reason: string; initiator: 'client' | 'server' }
  /** Dispatch not sent because the session lacks the intent Discord requires for it. */
  | { type: 'filtered'; t: string; missingIntent: string }
  /** Any other op the client sent (presence update, request guild members, …). */
  | { type: 'payload'; op: number; d: unknown }
);

export interface DispatchPayload {
  op: GatewayOpcodes.Dispatch;
  t: string;
  s: number;
  d: unknown;
}

export interface InteractionRecord {
  payload:
    | APIChatInputApplicationCommandInteraction
    | APIApplicationCommandAutocompleteInteraction
    | APIMessageComponentButtonInteraction;
  channelId: string;
  dispatchedAt: number;
  callback?: { type: InteractionResponseType; data: unknown; at: number };
  /** The message created by a type 4 or 5 callback (loading until edited, for type 5), or for a
   * component's type 6 or 7 the message the component is on. */
  original?: APIMessage;
  followups: APIMessage[];
  /** Its token is past Discord's 15 minutes (expireInteractionTokens): webhook calls get 50027. */
  expired?: boolean;
}

export interface InteractionReply {
  content: string;
  embeds: APIEmbed[];
  components: APIMessageTopLevelComponent[];
  flags: number;
  /** As sent with the last write of the reply; Discord does not echo it on the message. */
  allowed_mentions: APIAllowedMentions | undefined;
  message: APIMessage;
}

interface InteractionOptions<Option> {
  name: string;
  options?: Option[];
  /** Defaults to the regular user; any user will do, a member of any guild they act in. */
  user?: APIUser;
  /** Guild use when set (the fixture's or an added guild's id); a DM with the bot otherwise. */
  guildId?: string;
  /** Defaults to the guild's #general, or the user's DM; must be a channel of that guild. */
  channelId?: string;
  /** Overrides the member's computed permissions (guild use only). */
  memberPermissions?: bigint | string;
  locale?: Locale;
}

export type SlashCommandOptions = InteractionOptions<
  APIApplicationCommandInteractionDataOption<InteractionType.ApplicationCommand>
>;
export type AutocompleteOptions = InteractionOptions<
  APIApplicationCommandInteractionDataOption<InteractionType.ApplicationCommandAutocomplete>
>;

export interface ClickButtonOptions {
  /** A message the bot sent, holding a button with `customId`. */
  messageId: string;
  customId: string;
  /** Defaults to the regular user. */
  user?: APIUser;
  /** Overrides the member's computed permissions (messages in a guild only). */
  memberPermissions?: bigint | string;
}

export interface SendMessageOptions {
  content: string;
  /** Defaults to the regular user. */
  author?: APIUser;
  /** Defaults to the guild's #general or the author's DM channel; must be a channel of that guild. */
  channelId?: string;
  /** Guild message when set (the fixture's or an added guild's id); a DM otherwise. */
  guildId?: string;
  /** Added to the users mentioned as `<@id>` in the content. */
  mentions?: APIUser[];
  /** Files sent with the message, from `uploadAttachment`. */
  attachments?: APIAttachment[];
}

export interface Identified {
  shard: Shard;
  sessionId: string;
  connection: number;
  at: number;
}

export interface AddGuildOptions {
  /** Defaults to "Guild <n>". */
  name?: string;
  /** A known user (a fixture user, or one from `addUser`); a new user by default. */
  ownerId?: string;
  /** Members holding the guild's Admin role (Manage Server). */
  admins?: APIUser[];
  /** Text channels besides #general (channel-1, …), as a real server has: GUILD_CREATE lists them. */
  extraChannels?: number;
  /** Roles besides @everyone and Admin, with no permissions and held by no one: GUILD_CREATE lists them. */
  extraRoles?: number;
  /** Members besides the owner, admins and bot: new users without roles (member-<n>-<i>), in GUILD_CREATE's
   * `members` and `member_count`. */
  members?: number;
  /** Custom emojis (emoji_1, …): GUILD_CREATE lists them. */
  emojis?: number;
  /** The shard (of `count`) its id lands on; by default guilds are spread over the emulator's `shards`. */
  shard?: { id: number; count: number };
}

/** The first guild, which tests use unless they play another (`addGuild`), and the users they act as. */
export interface GuildFixture {
  guild: EmulatedGuild;
  channel: APITextChannel;
  roles: { everyone: APIRole; admin: APIRole };
  users: { owner: APIUser; admin: APIUser; regular: APIUser; bot: APIUser };
}

type Reply = { status: number; body?: unknown };

interface RequestContext {
  params: Record<string, string>;
  query: URLSearchParams;
  body: unknown;
  files: RecordedFile[];
}

interface Route {
  method: string;
  pattern: RegExp;
  keys: string[];
  /** Interaction callbacks and webhook routes are authorised by the token in the URL: discord.js
   * sends them with `auth: false`, i.e. without an Authorization header. */
  botAuth: boolean;
  handle: (ctx: RequestContext) => Reply;
}

interface MessageBody {
  content?: string | null;
  embeds?: APIEmbed[] | null;
  components?: APIMessageTopLevelComponent[] | null;
  flags?: number | null;
  allowed_mentions?: APIAllowedMentions | null;
  message_reference?: RESTAPIMessageReference;
  attachments?: { id: string | number; description?: string }[] | null;
  tts?: boolean;
  sticker_ids?: string[];
  poll?: unknown;
}

interface GatewaySession {
  id: string;
  shard: Shard;
  intents: number;
  /** IDENTIFY's large_threshold: GUILD_CREATE says `large` for guilds with more members. */
  largeThreshold: number;
  seq: number;
  /** Every dispatch of the session, replayed from the client's `seq` on RESUME. */
  dispatches: DispatchPayload[];
  connection: GatewayConnection | null;
}

interface GatewayConnection {
  id: number;
  socket: WebSocket;
  session: GatewaySession | null;
  /** The shard of the last session it identified or resumed, kept for the log after the session is gone. */
  shard?: Shard;
  closedByServer: boolean;
}

const API_PREFIX = '/api/v10';
const GUILD_ID = '1100000000000000001';
const ROLE_ADMIN_ID = '1100000000000000002';
const CHANNEL_ID = '1100000000000000003';
const OWNER_ID = '1100000000000000010';
const ADMIN_ID = '1100000000000000011';
const REGULAR_ID = '1100000000000000012';
const DEFAULT_APPLICATION_ID = '1100000000000000100';
const ATTACHMENT_SIZE_LIMIT = 10 * 1024 * 1024;

/** Message flags a bot may set when sending; interaction responses may also be ephemeral. */
const SENDABLE_MESSAGE_FLAGS =
  MessageFlags.SuppressEmbeds | MessageFlags.SuppressNotifications | MessageFlags.IsComponentsV2;
const INTERACTION_MESSAGE_FLAGS = SENDABLE_MESSAGE_FLAGS | MessageFlags.Ephemeral;

/** Intents Discord requires for a dispatch: [in a guild, in a DM]. */
const MESSAGE_EVENT_INTENTS: Partial<Record<string, [GatewayIntentBits, GatewayIntentBits]>> = {
  [GatewayDispatchEvents.MessageCreate]: [GatewayIntentBits.GuildMessages, GatewayIntentBits.DirectMessages],
  [GatewayDispatchEvents.MessageUpdate]: [GatewayIntentBits.GuildMessages, GatewayIntentBits.DirectMessages],
  [GatewayDispatchEvents.MessageDelete]: [GatewayIntentBits.GuildMessages, GatewayIntentBits.DirectMessages],
  [GatewayDispatchEvents.TypingStart]: [GatewayIntentBits.GuildMessageTyping, GatewayIntentBits.DirectMessageTyping],
};

/** The dispatches whose content the MESSAGE_CONTENT intent guards. */
const CONTENT_EVENTS = new Set<string>([GatewayDispatchEvents.MessageCreate, GatewayDispatchEvents.MessageUpdate]);

/** Ops a client may send that the emulator only records. */
const RECORDED_OPS = new Set<number>([
  GatewayOpcodes.PresenceUpdate,
  GatewayOpcodes.VoiceStateUpdate,
  GatewayOpcodes.RequestGuildMembers,
  GatewayOpcodes.RequestSoundboardSounds,
]);

/** A `[shard id, shard count]` Discord accepts in IDENTIFY. */
function isShard(shard: unknown): shard is Shard {
  if (!Array.isArray(shard) || shard.length !== 2 || !shard.every((n) => Number.isSafeInteger(n))) return false;
  const [id, count] = shard as Shard;
  return count >= 1 && id >= 0 && id < count;
}

/** Lengths in code points, as Discord appears to count them; trimming by UTF-16 `.length` stays within either. */
const length = (text: string) => [...text].length;

/** Discord's nested `errors` object of a 50035 Invalid Form Body. */
class FormErrors {
  readonly tree: Record<string, unknown> = {};
  constructor(private readonly prefix: (string | number)[] = []) {}

  add(path: (string | number)[], code: string, message: string): void {
    let node = this.tree;
    for (const key of [...this.prefix, ...path]) node = (node[String(key)] ??= {}) as Record<string, unknown>;
    ((node._errors ??= []) as unknown[]).push({ code, message });
  }

  reply(): Reply | undefined {
    if (Object.keys(this.tree).length === 0) return undefined;
    return { status: 400, body: { message: 'Invalid Form Body', code: 50035, errors: this.tree } };
  }
}

function apiError(status: number, code: number, message: string): Reply {
  return { status, body: { message, code } };
}

const unknownMessage = () => apiError(404, 10008, 'Unknown Message');
const emptyMessage = () => apiError(400, 50006, 'Cannot send an empty message');

function asObject(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/** Discord's per-field limits on content and embeds (only fields present in the body). */
function validateMessageBody(body: MessageBody, prefix: string[] = []): FormErrors {
  const errors = new FormErrors(prefix);
  if (body.content != null) {
    if (typeof body.content !== 'string') errors.add(['content'], 'BASE_TYPE_STRING', 'Must be a string.');
    else if (length(body.content) > 2000)
      errors.add(['content'], 'BASE_TYPE_MAX_LENGTH', 'Must be 2000 or fewer in length.');
  }
  const embeds = body.embeds ?? [];
  if (embeds.length > 10) errors.add(['embeds'], 'BASE_TYPE_MAX_LENGTH', 'Must be 10 or fewer in length.');
  let total = 0;
  embeds.forEach((embed, i) => {
    const check = (path: (string | number)[], value: string | undefined, max: number) => {
      if (value === undefined) return;
      total += length(value);
      if (length(value) > max)
        errors.add(['embeds', i, ...path], 'BASE_TYPE_MAX_LENGTH', `Must be ${max} or fewer in length.`);
    };
    check(['title'], embed.title, 256);
    check(['description'], embed.description, 4096);
    check(['footer', 'text'], embed.footer?.text, 2048);
    check(['author', 'name'], embed.author?.name, 256);
    const fields = embed.fields ?? [];
    if (fields.length > 25)
      errors.add(['embeds', i, 'fields'], 'BASE_TYPE_MAX_LENGTH', 'Must be 25 or fewer in length.');
    fields.forEach((field, j) => {
      for (const [key, max] of [
        ['name', 256],
        ['value', 1024],
      ] as const) {
        if (!field[key]) errors.add(['embeds', i, 'fields', j, key], 'BASE_TYPE_REQUIRED', 'This field is required');
        else check(['fields', j, key], field[key], max);
      }
    });
  });
  if (total > 6000) errors.add(['embeds'], 'MAX_EMBED_SIZE_EXCEEDED', 'Embed size exceeds maximum size of 6000');
  return errors;
}

function isEmpty(message: APIMessage, body: MessageBody): boolean {
  return (
    message.content.trim() === '' &&
    message.embeds.length === 0 &&
    (message.components ?? []).length === 0 &&
    message.attachments.length === 0 &&
    (body.sticker_ids ?? []).length === 0 &&
    body.poll === undefined
  );
}

const withEmbedType = (embeds: APIEmbed[]): APIEmbed[] => embeds.map((embed) => ({ type: EmbedType.Rich, ...embed }));

const CHAT_INPUT_NAME = /^[-_'\p{L}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$/u;

interface CommandLike {
  name?: unknown;
  description?: unknown;
  type?: unknown;
  required?: unknown;
  choices?: unknown;
  options?: unknown;
}

function checkName(errors: FormErrors, path: (string | number)[], name: unknown, chatInput: boolean): void {
  if (typeof name !== 'string') errors.add([...path, 'name'], 'BASE_TYPE_REQUIRED', 'This field is required');
  else if (chatInput && (!CHAT_INPUT_NAME.test(name) || name !== name.toLowerCase()))
    errors.add([...path, 'name'], 'APPLICATION_COMMAND_INVALID_NAME', 'Command name is invalid');
  else if (name.length < 1 || name.length > 32)
    errors.add([...path, 'name'], 'BASE_TYPE_BAD_LENGTH', 'Must be between 1 and 32 in length.');
}

function checkDescription(errors: FormErrors, path: (string | number)[], description: unknown): void {
  if (typeof description !== 'string' || description.length < 1 || description.length > 100)
    errors.add([...path, 'description'], 'BASE_TYPE_BAD_LENGTH', 'Must be between 1 and 100 in length.');
}

function checkOptions(errors: FormErrors, path: (string | number)[], options: unknown): void {
  if (!Array.isArray(options)) return;
  if (options.length > 25) errors.add([...path, 'options'], 'BASE_TYPE_MAX_LENGTH', 'Must be 25 or fewer in length.');
  let optionalSeen = false;
  (options as CommandLike[]).forEach((option, j) => {
    const at = [...path, 'options', j];
    checkName(errors, at, option.name, true);
    checkDescription(errors, at, option.description);
    if (Array.isArray(option.choices) && option.choices.length > 25)
      errors.add([...at, 'choices'], 'BASE_TYPE_MAX_LENGTH', 'Must be 25 or fewer in length.');
    if (
      option.type === ApplicationCommandOptionType.Subcommand ||
      option.type === ApplicationCommandOptionType.SubcommandGroup
    ) {
      checkOptions(errors, at, option.options);
    } else if (option.required !== true) {
      optionalSeen = true;
    } else if (optionalSeen) {
      errors.add(
        [...path, 'options'],
        'APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID',
        'Required options must be placed before non-required options',
      );
    }
  });
}

/** The checks Discord applies to a bulk overwrite that command definitions most often trip. */
function validateCommands(commands: unknown[]): FormErrors {
  const errors = new FormErrors();
  const seen = new Set<string>();
  (commands as CommandLike[]).forEach((command, i) => {
    const type: unknown = command.type ?? ApplicationCommandType.ChatInput;
    const chatInput = type === ApplicationCommandType.ChatInput;
    checkName(errors, [i], command.name, chatInput);
    if (chatInput) {
      checkDescription(errors, [i], command.description);
      checkOptions(errors, [i], command.options);
    }
    const key = `${String(type)}:${String(command.name)}`;
    if (seen.has(key))
      errors.add([], 'APPLICATION_COMMANDS_DUPLICATE_NAME', 'Application command names must be unique');
    seen.add(key);
  });
  return errors;
}

function compileRoute(template: string): { pattern: RegExp; keys: string[] } {
  const keys: string[] = [];
  const source = template
    .split('/')
    .map((segment) => {
      if (!segment.startsWith(':')) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      keys.push(segment.slice(1));
      return '([^/]+)';
    })
    .join('/');
  return { pattern: new RegExp(`^${source}$`), keys };
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** JSON, or multipart/form-data as @discordjs/rest sends it with files (`payload_json` + `files[n]`). */
async function parseBody(
  contentType: string | undefined,
  raw: Buffer,
): Promise<{ body: unknown; files: RecordedFile[] }> {
  if (raw.length === 0) return { body: undefined, files: [] };
  if (contentType?.startsWith('multipart/form-data')) {
    const form = await new Response(raw, { headers: { 'content-type': contentType } }).formData();
    const files: RecordedFile[] = [];
    let body: unknown;
    for (const [field, value] of form.entries()) {
      if (typeof value !== 'string') files.push({ field, name: value.name, contentType: value.type, size: value.size });
      else if (field === 'payload_json') body = JSON.parse(value);
    }
    return { body, files };
  }
  return { body: JSON.parse(raw.toString('utf8')), files: [] };
}

export class DiscordEmulator {
  readonly applicationId: string;
  readonly token: string;
  readonly fixture: GuildFixture;
  /** Every REST request, in arrival order, with what the emulator answered. */
  readonly requests: RecordedRequest[] = [];
  readonly gatewayLog: GatewayLogEntry[] = [];

  private readonly server: Server;
  private readonly wss: WebSocketServer;
  private readonly heartbeatIntervalMs: number;
  private readonly callbackDeadlineMs: number;
  private readonly events = new EventEmitter().setMaxListeners(0);
  private readonly routes: Route[];
  private readonly guilds: Guilds;
  private readonly messages = new Map<string, APIMessage>();
  /** Files a user attached to a slash command, served at their loopback URL as Discord's CDN serves them. */
  private readonly uploads = new Map<string, { attachment: APIAttachment; bytes: Buffer }>();
  private readonly allowedMentions = new Map<string, APIAllowedMentions>();
  private readonly commandStore = new Map<string, APIApplicationCommand[]>();
  private readonly interactions = new Map<string, InteractionRecord>();
  private readonly interactionsByToken = new Map<string, InteractionRecord>();
  private readonly sessions = new Map<string, GatewaySession>();
  private readonly connections = new Set<GatewayConnection>();
  /** Channels where the bot may not post (refuseMessagesIn). */
  private readonly refusing = new Set<string>();
  /** Per shard id, the session its guilds' events go to: the last to identify as that shard. */
  private readonly current = new Map<number, GatewaySession>();
  private connectionCount = 0;
  private identifyCount = 0;
  /** When the 24 h window of session_start_limit began: at its first IDENTIFY. */
  private firstIdentifyAt: number | undefined;
  private readonly disallowedIntents: number;
  private readonly shardCount: number;
  private readonly maxConcurrency: number;
  private readonly maxGuildsPerShard: number;
  /** Shard ids whose connections' heartbeats go unanswered (stopAcking). */
  private readonly notAcking = new Set<number>();
  private port = 0;

  private constructor(options: DiscordEmulatorOptions) {
    this.applicationId = options.applicationId ?? DEFAULT_APPLICATION_ID;
    const botUserId = options.botUserId ?? this.applicationId;
    // Shaped like a real token: base64(user id).timestamp.hmac.
    this.token =
      options.token ??
      [Buffer.from(botUserId).toString('base64url'), randomBytes(4), randomBytes(27)]
        .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
        .join('.');
    this.heartbeatIntervalMs = options.heartbeatIntervalMs ?? 41_250;
    this.callbackDeadlineMs = options.interactionCallbackDeadlineMs ?? 3_000;
    this.disallowedIntents = options.disallowedIntents ?? 0;
    this.shardCount = options.shards ?? 1;
    this.maxConcurrency = options.maxConcurrency ?? 1;
    this.maxGuildsPerShard = options.maxGuildsPerShard ?? 2500;

    const users = {
      owner: makeUser(OWNER_ID, 'guild-owner'),
      admin: makeUser(ADMIN_ID, 'admin-user'),
      regular: makeUser(REGULAR_ID, 'regular-user'),
      bot: makeUser(botUserId, 'Footnote', true),
    };
    this.guilds = new Guilds(users.bot);
    const guild = this.guilds.add({
      name: 'Footnote Test Guild',
      owner: users.owner,
      admins: [users.admin],
      members: [users.regular],
      ids: { guild: GUILD_ID, adminRole: ROLE_ADMIN_ID, channel: CHANNEL_ID },
    });
    this.fixture = { guild, channel: guild.channel, roles: guild.roles, users };

    this.routes = this.defineRoutes();
    this.server = createServer((req, res) => void this.onHttp(req, res));
    this.wss = new WebSocketServer({ server: this.server });
    this.wss.on('connection', (socket, req) => this.onConnection(socket, req));
  }

  static async start(options: DiscordEmulatorOptions = {}): Promise<DiscordEmulator> {
    const emulator = new DiscordEmulator(options);
    await new Promise<void>((resolve, reject) => {
      emulator.server.once('error', reject);
      emulator.server.listen(0, '127.0.0.1', resolve);
    });
    emulator.port = (emulator.server.address() as AddressInfo).port;
    return emulator;
  }

  /** The `rest.api` option for discord.js / @discordjs/rest (they append `/v10`). */
  get apiBase(): string {
    return `http://127.0.0.1:${this.port}/api`;
  }

  get gatewayUrl(): string {
    return `ws://127.0.0.1:${this.port}`;
  }

  async close(): Promise<void> {
    this.events.emit('closed');
    for (const { socket } of this.connections) socket.terminate();
    this.wss.close();
    // undici keeps connections alive; without this server.close() would wait for them to idle out.
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // ---- Waiting ---------------------------------------------------------------------------------

  /** The first request matching `predicate`, already logged or future. */
  waitForRequest(predicate: (request: RecordedRequest) => boolean, timeoutMs = 10_000): Promise<RecordedRequest> {
    return this.waitFor(() => this.requests.find(predicate), timeoutMs, 'a matching REST request');
  }

  /** The first gateway log entry matching `predicate`, already logged or future. */
  waitForGateway(predicate: (entry: GatewayLogEntry) => boolean, timeoutMs = 10_000): Promise<GatewayLogEntry> {
    return this.waitFor(() => this.gatewayLog.find(predicate), timeoutMs, 'a matching gateway event');
  }

  /** Resolves once the interaction has its final reply: a type 4 callback message or the edited
   * (no longer loading) original of a deferred one. */
  waitForInteractionReply(interactionId: string, timeoutMs = 10_000): Promise<InteractionReply> {
    return this.waitFor(
      () => {
        const original = this.interactions.get(interactionId)?.original;
        if (!original || ((original.flags ?? 0) & MessageFlags.Loading) !== 0) return undefined;
        const message = structuredClone(original);
        return {
          content: message.content,
          embeds: message.embeds,
          components: message.components ?? [],
          flags: message.flags ?? 0,
          allowed_mentions: this.allowedMentions.get(message.id),
          message,
        };
      },
      timeoutMs,
      `the reply to interaction ${interactionId}`,
    );
  }

  /** A snapshot of what the emulator knows about an interaction it dispatched. */
  interaction(interactionId: string): InteractionRecord | undefined {
    return structuredClone(this.interactions.get(interactionId));
  }

  /** The stored global commands, or a guild's. */
  commands(guildId?: string): APIApplicationCommand[] {
    return structuredClone(this.commandStore.get(guildId ?? 'global') ?? []);
  }

  private waitFor<T>(find: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
    const found = find();
    if (found !== undefined) return Promise.resolve(found);
    return new Promise<T>((resolve, reject) => {
      const check = () => {
        const value = find();
        if (value === undefined) return;
        cleanup();
        resolve(value);
      };
      const fail = (reason: string) => {
        cleanup();
        reject(new Error(`DiscordEmulator: ${reason} waiting for ${what}\n${this.describeTraffic()}`));
      };
      const onClosed = () => fail('closed while');
      const timer = setTimeout(() => fail(`timed out after ${timeoutMs} ms`), timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        this.events.off('change', check);
        this.events.off('closed', onClosed);
      };
      this.events.on('change', check);
      this.events.on('closed', onClosed);
    });
  }

  /** The tail of both logs, so a timed-out wait says what did happen. */
  private describeTraffic(): string {
    const requests = this.requests.slice(-10).map((r) => `  ${r.method} ${r.path} → ${r.status}`);
    const gateway = this.gatewayLog
      .slice(-10)
      .map((e) => `  #${e.connection} ${e.type}${'code' in e ? ` ${e.code}` : ''}`);
    return [`recent requests:`, ...requests, `recent gateway events:`, ...gateway].join('\n');
  }

  private changed(): void {
    this.events.emit('change');
  }

  // ---- Driving the bot -------------------------------------------------------------------------

  /** Sends a dispatch with the next sequence number to the session of the shard its `guild_id` is on, or of
   * shard 0 without one (DMs), as Discord does; it is buffered for RESUME, so dispatches while the client is
   * disconnected are replayed when it resumes.
   * Undefined when the session lacks the intent Discord requires for it (see gatewayLog). */
  dispatch(t: `${GatewayDispatchEvents}`, d: unknown): DispatchPayload | undefined {
    const guildId = asObject(d).guild_id;
    const sessions = this.sessionsFor(typeof guildId === 'string' ? guildId : undefined);
    if (sessions.length === 0) {
      const shard = typeof guildId === 'string' ? `guild ${guildId}'s shard` : 'shard 0';
      throw new Error(`DiscordEmulator.dispatch: no gateway session for ${shard} (has the client identified yet?)`);
    }
    return sessions.map((session) => this.sessionDispatch(session, t, d))[0];
  }

  sendSlashCommand(options: SlashCommandOptions): APIChatInputApplicationCommandInteraction {
    const payload = this.buildInteraction(
      InteractionType.ApplicationCommand,
      options,
    ) as APIChatInputApplicationCommandInteraction;
    return this.sendInteraction(payload);
  }

  /**
   * A file a user picks for a slash command's attachment option: pass its id as the option's
   * value, and the interaction carries it in `resolved.attachments`, as Discord's does. Its `url`
   * serves the bytes over loopback (Discord's CDN, here).
   */
  uploadAttachment(file: { filename: string; bytes: Buffer; contentType?: string; size?: number }): APIAttachment {
    const id = snowflake();
    const url = `http://127.0.0.1:${this.port}/attachments/${id}/${encodeURIComponent(file.filename)}`;
    const attachment: APIAttachment = {
      id,
      filename: file.filename,
      // A size other than the bytes' stands for a file too large to send here.
      size: file.size ?? file.bytes.length,
      url,
      proxy_url: url,
      ...(file.contentType ? { content_type: file.contentType } : {}),
    };
    this.uploads.set(id, { attachment, bytes: file.bytes });
    return attachment;
  }

  /** How many times an uploaded attachment's bytes were downloaded. */
  downloads(attachmentId: string): number {
    return this.requests.filter((r) => r.path.startsWith(`/attachments/${attachmentId}/`)).length;
  }

  /** `options` should hold the option being typed, with `focused: true`. */
  sendAutocomplete(options: AutocompleteOptions): APIApplicationCommandAutocompleteInteraction {
    const payload = this.buildInteraction(
      InteractionType.ApplicationCommandAutocomplete,
      options,
    ) as APIApplicationCommandAutocompleteInteraction;
    return this.sendInteraction(payload);
  }

  /** A click on one of a message's buttons, in the message's channel (guild or DM). */
  clickButton(options: ClickButtonOptions): APIMessageComponentButtonInteraction {
    const message = this.messages.get(options.messageId);
    if (!message) throw new Error(`DiscordEmulator.clickButton: unknown message ${options.messageId}`);
    // Discord only sends clicks on buttons the message shows (a link button sends none).
    const buttons = (message.components ?? []).flatMap((row) =>
      row.type === ComponentType.ActionRow ? row.components : [],
    );
    const button = buttons.find(
      (c) => c.type === ComponentType.Button && 'custom_id' in c && c.custom_id === options.customId,
    );
    if (!button)
      throw new Error(`DiscordEmulator.clickButton: message ${message.id} has no button ${options.customId}`);
    const guildId = this.guilds.guildIdOf(message.channel_id);
    const payload = this.buildInteraction(
      InteractionType.MessageComponent,
      {
        user: options.user,
        memberPermissions: options.memberPermissions,
        channelId: message.channel_id,
        ...(guildId === undefined ? {} : { guildId }),
      },
      { custom_id: options.customId, component_type: ComponentType.Button },
    ) as APIMessageComponentButtonInteraction;
    return this.sendInteraction({ ...payload, message: structuredClone(message) });
  }

  sendMessage(options: SendMessageOptions): GatewayMessageCreateDispatchData {
    const author = options.author ?? this.fixture.users.regular;
    this.guilds.remember(author);
    const guildId = options.guildId === undefined ? undefined : this.guilds.guild(options.guildId).id;
    const channel =
      guildId === undefined
        ? this.guilds.dmChannel(author, options.channelId)
        : this.guilds.guildChannel(guildId, options.channelId);
    const channelId = channel.id;
    const mentioned = new Map<string, APIUser>();
    for (const [, id] of options.content.matchAll(/<@!?(\d+)>/g)) {
      const user = this.guilds.user(id!);
      if (user) mentioned.set(user.id, user);
    }
    for (const user of options.mentions ?? []) mentioned.set(user.id, user);
    const member = (inGuild: string, user: APIUser): Omit<APIGuildMember, 'user'> => {
      const { user: _omitted, ...rest } = this.guilds.member(inGuild, user);
      return rest;
    };

    const message: GatewayMessageCreateDispatchData = {
      id: snowflake(),
      channel_id: channelId,
      author,
      content: options.content,
      timestamp: new Date().toISOString(),
      edited_timestamp: null,
      tts: false,
      mention_everyone: false,
      mentions: [...mentioned.values()].map((user) =>
        guildId === undefined ? user : { ...user, member: member(guildId, user) },
      ),
      mention_roles: [],
      attachments: options.attachments ?? [],
      embeds: [],
      pinned: false,
      type: MessageType.Default,
      components: [],
      // discord.js builds the (partial) DM channel from channel_type, which Discord now sends.
      channel_type: channel.type,
      ...(guildId === undefined ? {} : { guild_id: guildId, member: member(guildId, author) }),
    };
    this.messages.set(message.id, message);
    this.dispatch(GatewayDispatchEvents.MessageCreate, message);
    return message;
  }

  // ---- Guilds and users ------------------------------------------------------------------------

  /**
   * Another guild with the bot in it, with its own #general, @everyone and Admin roles and owner (and any
   * `extraChannels`, `extraRoles`, `members` and `emojis`), as when the bot is added to a server: the
   * session of the shard it is on gets its GUILD_CREATE, new ones of that shard list it in READY.
   * Its owner is a new user unless `ownerId` names a known one (a fixture user, or one from `addUser`);
   * `admins` hold its Admin role. Anyone else acting in it is a member without roles.
   */
  addGuild(options: AddGuildOptions = {}): EmulatedGuild {
    const count = this.guilds.size + 1;
    const owner =
      options.ownerId === undefined ? this.addUser(`guild-owner-${count}`) : this.guilds.user(options.ownerId);
    if (!owner) throw new Error(`DiscordEmulator.addGuild: unknown user ${options.ownerId}; use addUser()`);
    const shard = options.shard ?? { id: count % this.shardCount, count: this.shardCount };
    if (!isShard([shard.id, shard.count]))
      throw new Error(`DiscordEmulator.addGuild: no shard ${shard.id} of ${shard.count}`);
    const members = Array.from({ length: options.members ?? 0 }, (_, i) =>
      makeUser(snowflake(), `member-${count}-${i + 1}`),
    );
    const { admins, extraChannels, extraRoles, emojis } = options;
    const name = options.name ?? `Guild ${count}`;
    const guild = this.guilds.add({ name, owner, admins, members, extraChannels, extraRoles, emojis, shard });
    for (const session of this.sessionsFor(guild.id)) this.sendGuildCreate(session, guild.id);
    return guild;
  }

  /** The shard of `count` (the emulator's `shards` by default) whose session gets the guild's events. */
  shardOf(guildId: string, count = this.shardCount): number {
    return shardOf(guildId, count);
  }

  /** Every session identified, in order, with its shard: each shard of a healthy bot identifies once. */
  identifies(): Identified[] {
    return this.gatewayLog.flatMap((entry) =>
      entry.type === 'identify'
        ? [{ shard: entry.shard, sessionId: entry.sessionId, connection: entry.connection, at: entry.at }]
        : [],
    );
  }

  /** A new user, to act as someone other than the fixture's users; a member of no guild until they act in one. */
  addUser(username: string): APIUser {
    const user = makeUser(snowflake(), username);
    this.guilds.remember(user);
    return user;
  }

  /** Every message in the guild's channels and threads, the users' and the bot's, oldest first. */
  guildMessages(guildId: string): APIMessage[] {
    const { id } = this.guilds.guild(guildId);
    return structuredClone([...this.messages.values()].filter((m) => this.guilds.guildIdOf(m.channel_id) === id));
  }

  // ---- Faults ----------------------------------------------------------------------------------

  /**
   * Ages every interaction dispatched so far past the 15 minutes its token lasts: editing its reply
   * or sending a follow-up is then answered 401 Invalid Webhook Token (50027), as Discord does.
   */
  expireInteractionTokens(): void {
    for (const record of this.interactionsByToken.values()) record.expired = true;
  }

  /**
   * From now on, the bot's messages in the channel are answered 403 Missing Access (50001), as
   * Discord answers them in a channel the bot can no longer see (its role lost View Channel).
   */
  refuseMessagesIn(channelId: string): void {
    this.refusing.add(channelId);
  }

  /** Closes the gateway connection of shard `shard` with `code`, or without a close frame (TCP destroy)
   * when no code is given; resolves once the socket is closed. The session stays resumable. */
  async dropConnection(code?: number, shard = 0): Promise<void> {
    const connection = this.liveConnection(shard);
    connection.closedByServer = true;
    const closed = new Promise((resolve) => connection.socket.once('close', resolve));
    if (code === undefined) connection.socket.terminate();
    else connection.socket.close(code, 'Dropped by DiscordEmulator');
    await closed;
  }

  /** Op 7 on shard `shard`'s connection: the client should close and RESUME. */
  sendReconnect(shard = 0): void {
    const connection = this.liveConnection(shard);
    this.send(connection, { op: GatewayOpcodes.Reconnect, d: null });
    this.log(connection, { type: 'reconnect' });
  }

  /** Op 9 on shard `shard`'s connection. It becomes unauthenticated; unless resumable, the session is gone too. */
  sendInvalidSession(resumable: boolean, shard = 0): void {
    const connection = this.liveConnection(shard);
    this.invalidateSession(connection, resumable);
  }

  /** Stop answering the heartbeats of shard `shard`'s connections (once they have identified or resumed):
   * @discordjs/ws closes (4200) at the beat after an unanswered one, then resumes. */
  stopAcking(shard = 0): void {
    this.notAcking.add(shard);
  }

  resumeAcking(shard = 0): void {
    this.notAcking.delete(shard);
  }

  private liveConnection(shard: number): GatewayConnection {
    const connection = this.current.get(shard)?.connection;
    if (!connection) throw new Error(`DiscordEmulator: no live gateway connection on shard ${shard}`);
    return connection;
  }

  /** The sessions that get a guild's events, or with no guild those of shard 0 (DMs): in a bot whose shards
   * agree on the count, one at most. */
  private sessionsFor(guildId: string | undefined): GatewaySession[] {
    return [...this.current.values()]
      .filter(({ shard: [id, count] }) => id === (guildId === undefined ? 0 : shardOf(guildId, count)))
      .sort((a, b) => a.shard[0] - b.shard[0]);
  }

  // ---- Gateway ---------------------------------------------------------------------------------

  private onConnection(socket: WebSocket, req: IncomingMessage): void {
    const connection: GatewayConnection = { id: ++this.connectionCount, socket, session: null, closedByServer: false };
    this.connections.add(connection);
    const query = Object.fromEntries(new URL(req.url ?? '/', this.gatewayUrl).searchParams);
    this.log(connection, { type: 'connect', query });

    socket.on('close', (code, reason) => {
      this.connections.delete(connection);
      const session = connection.session;
      if (session?.connection === connection) {
        session.connection = null;
        // As on Discord, a client closing with 1000/1001 ends its session; other codes keep it resumable.
        if (!connection.closedByServer && (code === 1000 || code === 1001)) this.endSession(session);
      }
      this.log(connection, {
        type: 'close',
        code,
        reason: reason.toString(),
        initiator: connection.closedByServer ? 'server' : 'client',
      });
    });
    // A reset socket also emits 'close', which is what the log records.
    socket.on('error', () => {});

    if (query.v !== '10') return this.closeFromServer(connection, 4012, 'Invalid API version');
    // @discordjs/ws only asks for zlib-stream when zlib-sync is installed; the emulator speaks plain JSON.
    if (query.encoding !== 'json' || query.compress !== undefined)
      return this.closeFromServer(connection, 1003, 'DiscordEmulator supports encoding=json without compress only');

    socket.on('message', (data, isBinary) => this.onGatewayMessage(connection, data, isBinary));
    this.send(connection, { op: GatewayOpcodes.Hello, d: { heartbeat_interval: this.heartbeatIntervalMs } });
  }

  private onGatewayMessage(connection: GatewayConnection, data: RawData, isBinary: boolean): void {
    let payload: { op?: unknown; d?: unknown };
    try {
      // Binary frames would be ETF, which the emulator does not speak.
      if (isBinary) throw new Error('binary frame');
      // A Buffer: the socket's binaryType stays ws's default, 'nodebuffer'.
      payload = asObject(JSON.parse((data as Buffer).toString()));
    } catch {
      return this.closeFromServer(connection, 4002, 'Error while decoding payload.');
    }
    switch (payload.op) {
      case GatewayOpcodes.Heartbeat: {
        const acked = connection.shard === undefined || !this.notAcking.has(connection.shard[0]);
        this.log(connection, { type: 'heartbeat', seq: typeof payload.d === 'number' ? payload.d : null, acked });
        if (acked) this.send(connection, { op: GatewayOpcodes.HeartbeatAck });
        return;
      }
      case GatewayOpcodes.Identify:
        return this.identify(connection, asObject(payload.d) as unknown as GatewayIdentifyData);
      case GatewayOpcodes.Resume:
        return this.resume(connection, asObject(payload.d) as unknown as GatewayResumeData);
      default:
        if (typeof payload.op !== 'number' || !RECORDED_OPS.has(payload.op))
          return this.closeFromServer(connection, 4001, 'Unknown opcode.');
        if (!connection.session) return this.closeFromServer(connection, 4003, 'Not authenticated.');
        this.log(connection, { type: 'payload', op: payload.op, d: payload.d });
    }
  }

  private identify(connection: GatewayConnection, d: GatewayIdentifyData): void {
    if (connection.session) return this.closeFromServer(connection, 4005, 'Already authenticated.');
    if (d.token !== this.token) return this.closeFromServer(connection, 4004, 'Authentication failed.');
    if (Number(d.intents) & this.disallowedIntents)
      return this.closeFromServer(connection, 4014, 'Disallowed intent(s).');
    const shard: unknown = d.shard ?? [0, 1];
    if (!isShard(shard)) return this.closeFromServer(connection, 4010, 'Invalid shard.');
    const guilds = this.guilds.list().filter((guild) => shardOf(guild.id, shard[1]) === shard[0]);
    if (guilds.length > this.maxGuildsPerShard) return this.closeFromServer(connection, 4011, 'Sharding required.');
    const session: GatewaySession = {
      id: randomBytes(16).toString('hex'),
      shard,
      intents: d.intents,
      largeThreshold: d.large_threshold ?? 50,
      seq: 0,
      dispatches: [],
      connection,
    };
    this.sessions.set(session.id, session);
    this.current.set(shard[0], session);
    connection.session = session;
    connection.shard = shard;
    this.identifyCount++;
    this.firstIdentifyAt ??= Date.now();
    const { token: _token, ...data } = d;
    this.log(connection, { type: 'identify', sessionId: session.id, shard, intents: d.intents, data });

    const ready: GatewayReadyDispatchData = {
      v: 10,
      user: this.fixture.users.bot,
      guilds: guilds.map((guild) => ({ id: guild.id, unavailable: true })),
      session_id: session.id,
      resume_gateway_url: this.gatewayUrl,
      ...(d.shard ? { shard: d.shard } : {}),
      application: {
        id: this.applicationId,
        flags: ApplicationFlags.GatewayMessageContentLimited,
        flags_new: String(ApplicationFlags.GatewayMessageContentLimited),
      },
    };
    this.sessionDispatch(session, GatewayDispatchEvents.Ready, ready);
    // discord.js only turns ready once every guild listed in READY has arrived.
    for (const guild of guilds) this.sendGuildCreate(session, guild.id);
  }

  private sendGuildCreate(session: GatewaySession, guildId: string): void {
    const data = this.guilds.guildCreate(guildId);
    const large = data.member_count > session.largeThreshold;
    this.sessionDispatch(session, GatewayDispatchEvents.GuildCreate, large ? { ...data, large } : data);
  }

  private resume(connection: GatewayConnection, d: GatewayResumeData): void {
    if (connection.session) return this.closeFromServer(connection, 4005, 'Already authenticated.');
    if (d.token !== this.token) return this.closeFromServer(connection, 4004, 'Authentication failed.');
    const session = this.sessions.get(d.session_id);
    if (!session) return this.invalidateSession(connection, false);
    if (d.seq > session.seq) return this.closeFromServer(connection, 4007, 'Invalid seq.');
    if (session.connection) {
      // Discord drops the session's previous connection when another one resumes it.
      session.connection.closedByServer = true;
      session.connection.socket.terminate();
    }
    session.connection = connection;
    connection.session = session;
    connection.shard = session.shard;
    const missed = session.dispatches.filter((payload) => payload.s > d.seq);
    this.log(connection, { type: 'resume', sessionId: session.id, seq: d.seq, replayed: missed.length });
    for (const payload of missed) this.send(connection, payload);
    this.sessionDispatch(session, GatewayDispatchEvents.Resumed, null);
  }

  private invalidateSession(connection: GatewayConnection, resumable: boolean): void {
    const session = connection.session;
    if (session) {
      session.connection = null;
      connection.session = null;
      if (!resumable) this.endSession(session);
    }
    this.send(connection, { op: GatewayOpcodes.InvalidSession, d: resumable });
    this.log(connection, { type: 'invalid_session', resumable });
  }

  private endSession(session: GatewaySession): void {
    this.sessions.delete(session.id);
    if (this.current.get(session.shard[0]) === session) this.current.delete(session.shard[0]);
  }

  private sessionDispatch(session: GatewaySession, t: string, d: unknown): DispatchPayload | undefined {
    const data = asObject(d);
    const intents = MESSAGE_EVENT_INTENTS[t];
    if (intents) {
      const needed = data.guild_id === undefined ? intents[1] : intents[0];
      if ((session.intents & needed) === 0) {
        this.log(session.connection, { type: 'filtered', t, missingIntent: GatewayIntentBits[needed] }, session.shard);
        return undefined;
      }
    }
    const payload: DispatchPayload = {
      op: GatewayOpcodes.Dispatch,
      t,
      s: ++session.seq,
      d: this.withoutPrivilegedContent(session, t, d),
    };
    session.dispatches.push(payload);
    if (session.connection) this.send(session.connection, payload);
    return payload;
  }

  /** Without the MESSAGE_CONTENT intent, Discord blanks guild messages that neither come from nor
   * mention the bot. */
  private withoutPrivilegedContent(session: GatewaySession, t: string, d: unknown): unknown {
    if (!CONTENT_EVENTS.has(t)) return d;
    const message = d as GatewayMessageCreateDispatchData;
    const botId = this.fixture.users.bot.id;
    if (
      (session.intents & GatewayIntentBits.MessageContent) !== 0 ||
      message.guild_id === undefined ||
      // Tests may dispatch partial updates, hence the optional chaining.
      message.author?.id === botId ||
      message.mentions?.some((user) => user.id === botId)
    )
      return d;
    return { ...message, content: '', embeds: [], attachments: [], components: [] };
  }

  private send(connection: GatewayConnection, payload: unknown): void {
    if (connection.socket.readyState === connection.socket.OPEN) connection.socket.send(JSON.stringify(payload));
  }

  private closeFromServer(connection: GatewayConnection, code: number, reason: string): void {
    connection.closedByServer = true;
    connection.socket.close(code, reason);
  }

  private log(
    connection: GatewayConnection | null,
    entry: DistributiveOmit<GatewayLogEntry, 'connection' | 'at'>,
    shard = connection?.shard,
  ): void {
    this.gatewayLog.push({ ...(shard ? { shard } : {}), ...entry, connection: connection?.id ?? 0, at: Date.now() });
    this.changed();
  }

  // ---- Interactions ----------------------------------------------------------------------------

  /** A command's interaction, or with `componentData` a component's (whose `message` the caller adds). */
  private buildInteraction(
    type: InteractionType,
    options: Omit<SlashCommandOptions | AutocompleteOptions, 'name'> & { name?: string },
    componentData?: APIMessageComponentButtonInteraction['data'],
  ): InteractionRecord['payload'] {
    const user = options.user ?? this.fixture.users.regular;
    this.guilds.remember(user);
    // Throws for an unknown guild before anything else is made.
    const guildId = options.guildId === undefined ? undefined : this.guilds.guild(options.guildId).id;
    const id = snowflake();
    const guildCommand = guildId !== undefined && this.commandStore.get(guildId)?.find((c) => c.name === options.name);
    const command = guildCommand || this.commandStore.get('global')?.find((c) => c.name === options.name);
    const common = {
      id,
      application_id: this.applicationId,
      type,
      // Interaction tokens are long opaque strings; this one is unique and URL-safe like Discord's.
      token: `${Buffer.from(`interaction:${id}:`).toString('base64url')}${randomBytes(48).toString('base64url')}`,
      version: 1 as const,
      locale: options.locale ?? Locale.EnglishUS,
      entitlements: [],
      attachment_size_limit: ATTACHMENT_SIZE_LIMIT,
      data: componentData ?? {
        id: command?.id ?? snowflake(),
        name: options.name,
        type: ApplicationCommandType.ChatInput,
        ...(options.options ? { options: options.options } : {}),
        ...this.resolvedOptions(options.options, guildId),
        ...(guildCommand ? { guild_id: guildCommand.guild_id } : {}),
      },
    };
    if (guildId === undefined) {
      const channel = this.guilds.dmChannel(user, options.channelId);
      return {
        ...common,
        user,
        channel,
        channel_id: channel.id,
        app_permissions: DM_PERMISSIONS.toString(),
        // A guild-installed app used in its bot's DM: the owner id is "0".
        authorizing_integration_owners: { [ApplicationIntegrationType.GuildInstall]: '0' },
        context: InteractionContextType.BotDM,
      } as InteractionRecord['payload'];
    }
    const channel = this.guilds.guildChannel(guildId, options.channelId);
    const member: APIInteractionGuildMember = {
      ...this.guilds.member(guildId, user),
      user,
      permissions: (options.memberPermissions ?? this.guilds.permissions(guildId, user.id)).toString(),
    };
    return {
      ...common,
      guild_id: guildId,
      guild: { id: guildId, locale: Locale.EnglishUS, features: [] },
      guild_locale: Locale.EnglishUS,
      member,
      channel,
      channel_id: channel.id,
      app_permissions: this.guilds.permissions(guildId, this.fixture.users.bot.id).toString(),
      authorizing_integration_owners: { [ApplicationIntegrationType.GuildInstall]: guildId },
      context: InteractionContextType.Guild,
    } as APIChatInputApplicationCommandInteraction | APIApplicationCommandAutocompleteInteraction;
  }

  /** `resolved` for the attachment and channel options among `options` (and subcommands'), as Discord sends it. */
  private resolvedOptions(
    options: unknown[] | undefined,
    guildId: string | undefined,
  ): {
    resolved?: { attachments?: Record<string, APIAttachment>; channels?: Record<string, unknown> };
  } {
    const flat = (list: unknown[]): { type?: number; value?: unknown; options?: unknown[] }[] =>
      (list as { type?: number; value?: unknown; options?: unknown[] }[]).flatMap((o) => [o, ...flat(o.options ?? [])]);
    const all = flat(options ?? []);
    const ids = (type: ApplicationCommandOptionType): string[] =>
      all.filter((o) => o.type === type).map((o) => String(o.value));
    const attachments = Object.fromEntries(
      ids(ApplicationCommandOptionType.Attachment).flatMap((id) => {
        const upload = this.uploads.get(id);
        return upload ? [[id, upload.attachment]] : [];
      }),
    );
    const channels = Object.fromEntries(
      ids(ApplicationCommandOptionType.Channel).flatMap((id) => {
        const channel = this.guilds.channel(id);
        if (!channel) return [];
        // Discord only offers the channels of the guild the command is used in.
        if (this.guilds.guildIdOf(id) !== guildId)
          throw new Error(`DiscordEmulator: channel option ${id} is not a channel of guild ${guildId ?? '(a DM)'}`);
        const { name, type } = channel as { name?: string | null; type: number };
        const permissions =
          guildId === undefined ? DM_PERMISSIONS : this.guilds.permissions(guildId, this.fixture.users.bot.id);
        return [[id, { id, name: name ?? null, type, permissions: permissions.toString() }]];
      }),
    );
    const resolved = {
      ...(Object.keys(attachments).length ? { attachments } : {}),
      ...(Object.keys(channels).length ? { channels } : {}),
    };
    return Object.keys(resolved).length ? { resolved } : {};
  }

  private sendInteraction<T extends InteractionRecord['payload']>(payload: T): T {
    // buildInteraction always sets channel_id; only the autocomplete type declares it optional.
    const record: InteractionRecord = {
      payload,
      channelId: payload.channel_id!,
      dispatchedAt: Date.now(),
      followups: [],
    };
    this.interactions.set(payload.id, record);
    this.interactionsByToken.set(payload.token, record);
    this.dispatch(GatewayDispatchEvents.InteractionCreate, payload);
    return payload;
  }

  // ---- REST ------------------------------------------------------------------------------------

  private defineRoutes(): Route[] {
    const route = (method: string, template: string, botAuth: boolean, handle: Route['handle']): Route => ({
      method,
      ...compileRoute(template),
      botAuth,
      handle,
    });
    return [
      route('GET', '/gateway/bot', true, () => this.getGatewayBot()),
      route('GET', '/users/@me', true, () => ({ status: 200, body: this.fixture.users.bot })),
      route('POST', '/users/@me/channels', true, (ctx) => this.createDm(ctx)),
      route('GET', '/applications/:appId/commands', true, (ctx) => this.getCommands(ctx)),
      route('PUT', '/applications/:appId/commands', true, (ctx) => this.putCommands(ctx)),
      route('GET', '/applications/:appId/guilds/:guildId/commands', true, (ctx) => this.getCommands(ctx)),
      route('PUT', '/applications/:appId/guilds/:guildId/commands', true, (ctx) => this.putCommands(ctx)),
      route('POST', '/interactions/:interactionId/:token/callback', false, (ctx) => this.interactionCallback(ctx)),
      route('POST', '/webhooks/:appId/:token', false, (ctx) => this.createFollowup(ctx)),
      route('GET', '/webhooks/:appId/:token/messages/:messageId', false, (ctx) => this.getWebhookMessage(ctx)),
      route('PATCH', '/webhooks/:appId/:token/messages/:messageId', false, (ctx) => this.editWebhookMessage(ctx)),
      route('GET', '/channels/:channelId', true, (ctx) => {
        const channel = this.guilds.channel(ctx.params.channelId!);
        return channel ? { status: 200, body: channel } : apiError(404, 10003, 'Unknown Channel');
      }),
      route('POST', '/channels/:channelId/messages', true, (ctx) => this.createChannelMessage(ctx)),
      route('POST', '/channels/:channelId/messages/:messageId/threads', true, (ctx) => this.startThread(ctx)),
      route('PATCH', '/channels/:channelId/messages/:messageId', true, (ctx) => this.editChannelMessage(ctx)),
      route('POST', '/channels/:channelId/typing', true, (ctx) =>
        this.guilds.channel(ctx.params.channelId!) ? { status: 204 } : apiError(404, 10003, 'Unknown Channel'),
      ),
    ];
  }

  private async onHttp(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const at = Date.now();
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${this.port}`);
    const method = req.method ?? 'GET';
    // discord-api-types' Routes percent-encode explicit '@original' / '@me' arguments.
    const pathname = url.pathname.split('/').map(decodeSegment).join('/');
    const path = pathname.startsWith(`${API_PREFIX}/`) ? pathname.slice(API_PREFIX.length) : pathname;
    const upload = /^\/attachments\/(\d+)\//.exec(path);
    if (upload && method === 'GET') {
      const file = this.uploads.get(upload[1]!);
      this.requests.push({
        method,
        path,
        query: {},
        body: undefined,
        files: [],
        status: file ? 200 : 404,
        response: undefined,
        at,
      });
      if (!file) return void res.writeHead(404).end();
      const type = file.attachment.content_type ?? 'application/octet-stream';
      return void res.writeHead(200, { 'content-type': type }).end(file.bytes);
    }
    let parsed: { body: unknown; files: RecordedFile[] } = { body: undefined, files: [] };
    let reply: Reply;
    try {
      parsed = await parseBody(req.headers['content-type'], await readBody(req));
      try {
        reply = this.route(method, path, url.searchParams, parsed, req.headers.authorization);
      } catch (error) {
        // A body shape the emulator does not handle: say so rather than guess Discord's answer.
        reply = apiError(500, 0, `500: DiscordEmulator failed: ${String(error)}`);
      }
    } catch {
      reply = apiError(400, 50109, 'The request body contains invalid JSON.');
    }
    this.requests.push({
      method,
      path,
      query: Object.fromEntries(url.searchParams),
      body: parsed.body,
      files: parsed.files,
      status: reply.status,
      response: reply.body,
      at,
    });
    this.changed();
    if (reply.body === undefined) {
      res.writeHead(reply.status).end();
    } else {
      res.writeHead(reply.status, { 'content-type': 'application/json' }).end(JSON.stringify(reply.body));
    }
  }

  private route(
    method: string,
    path: string,
    query: URLSearchParams,
    parsed: { body: unknown; files: RecordedFile[] },
    authorization: string | undefined,
  ): Reply {
    const candidates = this.routes.filter((r) => r.pattern.test(path));
    const route = candidates.find((r) => r.method === method);
    if (!route)
      return candidates.length > 0 ? apiError(405, 0, '405: Method Not Allowed') : apiError(404, 0, '404: Not Found');
    if (route.botAuth && authorization !== `Bot ${this.token}`) return apiError(401, 0, '401: Unauthorized');
    const values = route.pattern.exec(path)!.slice(1);
    const params = Object.fromEntries(route.keys.map((key, i) => [key, values[i]!]));
    // Responses are snapshots: later edits must not change what an earlier request was answered.
    const reply = route.handle({ params, query, body: parsed.body, files: parsed.files });
    return { status: reply.status, body: structuredClone(reply.body) };
  }

  /** Discord's default limit: 1000 session starts a day, counted from the first. */
  private getGatewayBot(): Reply {
    const day = 86_400_000;
    const body: RESTGetAPIGatewayBotResult = {
      url: this.gatewayUrl,
      shards: this.shardCount,
      session_start_limit: {
        total: 1000,
        remaining: Math.max(0, 1000 - this.identifyCount),
        reset_after: this.firstIdentifyAt === undefined ? day : Math.max(0, day - (Date.now() - this.firstIdentifyAt)),
        max_concurrency: this.maxConcurrency,
      },
    };
    return { status: 200, body };
  }

  private createDm(ctx: RequestContext): Reply {
    const recipientId = asObject(ctx.body).recipient_id;
    const user = typeof recipientId === 'string' ? this.guilds.user(recipientId) : undefined;
    if (!user) return apiError(404, 10013, 'Unknown User');
    return { status: 200, body: this.guilds.dmChannel(user) };
  }

  private commandScope(ctx: RequestContext): string | Reply {
    const { appId, guildId } = ctx.params;
    // Discord's answer for a guild the bot is not in, too.
    if (appId !== this.applicationId || (guildId !== undefined && !this.guilds.has(guildId)))
      return apiError(403, 50001, 'Missing Access');
    return guildId ?? 'global';
  }

  private getCommands(ctx: RequestContext): Reply {
    const scope = this.commandScope(ctx);
    if (typeof scope !== 'string') return scope;
    return { status: 200, body: this.commandStore.get(scope) ?? [] };
  }

  /** Bulk overwrite: commands keep their id when one of the same name and type existed. */
  private putCommands(ctx: RequestContext): Reply {
    const scope = this.commandScope(ctx);
    if (typeof scope !== 'string') return scope;
    if (!Array.isArray(ctx.body)) return apiError(400, 50109, 'The request body contains invalid JSON.');
    const invalid = validateCommands(ctx.body).reply();
    if (invalid) return invalid;
    const previous = this.commandStore.get(scope) ?? [];
    const stored = (ctx.body as Record<string, unknown>[]).map((input) => {
      const type = input.type ?? ApplicationCommandType.ChatInput;
      return {
        ...input,
        id: previous.find((c) => c.name === input.name && c.type === type)?.id ?? snowflake(),
        application_id: this.applicationId,
        type,
        description: input.description ?? '',
        default_member_permissions: input.default_member_permissions ?? null,
        nsfw: input.nsfw ?? false,
        integration_types: input.integration_types ?? [ApplicationIntegrationType.GuildInstall],
        contexts: input.contexts ?? null,
        version: snowflake(),
        ...(scope === 'global' ? {} : { guild_id: scope }),
      } as APIApplicationCommand;
    });
    this.commandStore.set(scope, stored);
    return { status: 200, body: stored };
  }

  private interactionCallback(ctx: RequestContext): Reply {
    const record = this.interactions.get(ctx.params.interactionId!);
    if (!record || record.payload.token !== ctx.params.token) return apiError(404, 10062, 'Unknown interaction');
    if (record.callback) return apiError(400, 40060, 'Interaction has already been acknowledged.');
    if (Date.now() - record.dispatchedAt > this.callbackDeadlineMs) return apiError(404, 10062, 'Unknown interaction');

    const { type, data } = asObject(ctx.body);
    const { payload } = record;
    const allowed =
      payload.type === InteractionType.ApplicationCommandAutocomplete
        ? [InteractionResponseType.ApplicationCommandAutocompleteResult]
        : [
            InteractionResponseType.ChannelMessageWithSource,
            InteractionResponseType.DeferredChannelMessageWithSource,
            // Only a component's message can be updated in place.
            ...(payload.type === InteractionType.MessageComponent
              ? [InteractionResponseType.DeferredMessageUpdate, InteractionResponseType.UpdateMessage]
              : []),
            InteractionResponseType.Modal,
          ];
    const isAllowed = (t: unknown): t is InteractionResponseType => typeof t === 'number' && allowed.includes(t);
    if (!isAllowed(type)) {
      const errors = new FormErrors();
      errors.add(['type'], 'BASE_TYPE_CHOICES', `Value must be one of (${allowed.join(', ')}).`);
      return errors.reply()!;
    }

    let message: APIMessage | undefined;
    if (type === InteractionResponseType.ChannelMessageWithSource) {
      const body = asObject(data) as MessageBody;
      const invalid = validateMessageBody(body, ['data']).reply();
      if (invalid) return invalid;
      message = this.buildMessage(record.channelId, body, ctx.files, {
        ...this.interactionMessageFields(record),
        flags: (body.flags ?? 0) & INTERACTION_MESSAGE_FLAGS,
      });
      if (isEmpty(message, body)) return emptyMessage();
      this.storeMessage(message, body);
    } else if (type === InteractionResponseType.DeferredChannelMessageWithSource) {
      const flags = (Number(asObject(data).flags ?? 0) & MessageFlags.Ephemeral) | MessageFlags.Loading;
      message = this.buildMessage(record.channelId, {}, [], { ...this.interactionMessageFields(record), flags });
      this.storeMessage(message, {});
    } else if (type === InteractionResponseType.ApplicationCommandAutocompleteResult) {
      const invalid = this.validateChoices(data);
      if (invalid) return invalid;
    } else if (payload.type === InteractionType.MessageComponent) {
      // Types 6 and 7: the message the button is on becomes the interaction's original, edited now
      // (7) or later through the webhook (6).
      const on = this.messages.get(payload.message.id);
      if (!on) return unknownMessage();
      if (type === InteractionResponseType.UpdateMessage) {
        const edited = this.editMessage(on, asObject(data), ctx.files, ['data']);
        if (edited.status !== 200) return edited;
      }
      message = on;
    }
    record.callback = { type, data, at: Date.now() };
    record.original = message;
    this.changed();

    if (ctx.query.get('with_response') !== 'true') return { status: 204 };
    const flags = message?.flags ?? 0;
    const body: RESTPostAPIInteractionCallbackWithResponseResult = {
      interaction: {
        id: record.payload.id,
        type: record.payload.type,
        ...(message
          ? {
              response_message_id: message.id,
              response_message_loading: (flags & MessageFlags.Loading) !== 0,
              response_message_ephemeral: (flags & MessageFlags.Ephemeral) !== 0,
            }
          : {}),
      },
      resource: { type, ...(message ? { message } : {}) },
    };
    return { status: 200, body };
  }

  private validateChoices(data: unknown): Reply | undefined {
    const errors = new FormErrors(['data']);
    const choices = asObject(data).choices;
    if (!Array.isArray(choices)) {
      errors.add(['choices'], 'BASE_TYPE_REQUIRED', 'This field is required');
      return errors.reply();
    }
    if (choices.length > 25) errors.add(['choices'], 'BASE_TYPE_MAX_LENGTH', 'Must be 25 or fewer in length.');
    choices.forEach((choice: unknown, i) => {
      const { name, value } = asObject(choice);
      if (typeof name !== 'string' || name.length < 1 || name.length > 100)
        errors.add(['choices', i, 'name'], 'BASE_TYPE_BAD_LENGTH', 'Must be between 1 and 100 in length.');
      if (typeof value === 'string' && value.length > 100)
        errors.add(['choices', i, 'value'], 'BASE_TYPE_MAX_LENGTH', 'Must be 100 or fewer in length.');
    });
    return errors.reply();
  }

  private interactionMessageFields(record: InteractionRecord): Partial<APIMessage> {
    const { payload } = record;
    const base = {
      id: payload.id,
      user: payload.member?.user ?? payload.user!,
      authorizing_integration_owners: payload.authorizing_integration_owners,
    };
    if (payload.type === InteractionType.MessageComponent) {
      return {
        type: MessageType.Default,
        webhook_id: this.applicationId,
        application_id: this.applicationId,
        interaction_metadata: { ...base, type: payload.type, interacted_message_id: payload.message.id },
      };
    }
    return {
      type: MessageType.ChatInputCommand,
      webhook_id: this.applicationId,
      application_id: this.applicationId,
      interaction_metadata: { ...base, type: InteractionType.ApplicationCommand },
    };
  }

  /** Webhook routes of an interaction exist once it has been acknowledged. */
  private webhookRecord(ctx: RequestContext): InteractionRecord | Reply {
    const record = this.interactionsByToken.get(ctx.params.token!);
    if (!record?.callback || ctx.params.appId !== this.applicationId) return apiError(404, 10015, 'Unknown Webhook');
    if (record.expired) return apiError(401, 50027, 'Invalid Webhook Token');
    return record;
  }

  private webhookMessage(record: InteractionRecord, messageId: string): APIMessage | undefined {
    if (messageId === '@original') return record.original;
    return [record.original, ...record.followups].find((message) => message?.id === messageId);
  }

  private getWebhookMessage(ctx: RequestContext): Reply {
    const record = this.webhookRecord(ctx);
    if ('status' in record) return record;
    const message = this.webhookMessage(record, ctx.params.messageId!);
    return message ? { status: 200, body: message } : unknownMessage();
  }

  private editWebhookMessage(ctx: RequestContext): Reply {
    const record = this.webhookRecord(ctx);
    if ('status' in record) return record;
    const message = this.webhookMessage(record, ctx.params.messageId!);
    return message ? this.editMessage(message, asObject(ctx.body), ctx.files) : unknownMessage();
  }

  /** After a deferred callback, Discord's first follow-up resolves the loading original. */
  private createFollowup(ctx: RequestContext): Reply {
    const record = this.webhookRecord(ctx);
    if ('status' in record) return record;
    const body = asObject(ctx.body) as MessageBody;
    if (record.original && ((record.original.flags ?? 0) & MessageFlags.Loading) !== 0)
      return this.editMessage(record.original, body, ctx.files);
    const invalid = validateMessageBody(body).reply();
    if (invalid) return invalid;
    const message = this.buildMessage(record.channelId, body, ctx.files, {
      ...this.interactionMessageFields(record),
      flags: (body.flags ?? 0) & INTERACTION_MESSAGE_FLAGS,
    });
    if (isEmpty(message, body)) return emptyMessage();
    this.storeMessage(message, body);
    record.followups.push(message);
    return { status: 200, body: message };
  }

  /** A public thread on a message (its id is the message's, as Discord's is), announced with THREAD_CREATE. */
  private startThread(ctx: RequestContext): Reply {
    const parent = this.guilds.channel(ctx.params.channelId!);
    const message = this.messages.get(ctx.params.messageId!);
    if (parent?.type !== ChannelType.GuildText || !message || message.channel_id !== parent.id)
      return apiError(404, 10008, 'Unknown Message');
    if (this.guilds.channel(message.id))
      return apiError(400, 160004, 'A thread has already been created for this message');
    const body = asObject(ctx.body) as { name?: unknown; auto_archive_duration?: unknown };
    if (typeof body.name !== 'string' || !body.name || body.name.length > 100)
      return apiError(400, 50035, 'Invalid Form Body');
    const thread: APIThreadChannel = {
      id: message.id,
      type: ChannelType.PublicThread,
      guild_id: parent.guild_id,
      parent_id: parent.id,
      name: body.name,
      owner_id: this.fixture.users.bot.id,
      last_message_id: null,
      rate_limit_per_user: 0,
      message_count: 0,
      member_count: 1,
      total_message_sent: 0,
      thread_metadata: {
        archived: false,
        auto_archive_duration: (Number(body.auto_archive_duration) || 1440) as 60 | 1440 | 4320 | 10080,
        archive_timestamp: new Date().toISOString(),
        locked: false,
      },
    };
    this.guilds.addThread(thread);
    this.dispatch(GatewayDispatchEvents.ThreadCreate, { ...thread, newly_created: true });
    return { status: 201, body: thread };
  }

  private createChannelMessage(ctx: RequestContext): Reply {
    const channel = this.guilds.channel(ctx.params.channelId!);
    if (!channel) return apiError(404, 10003, 'Unknown Channel');
    if (this.refusing.has(channel.id)) return apiError(403, 50001, 'Missing Access');
    const body = asObject(ctx.body) as MessageBody;
    const errors = validateMessageBody(body);
    const reference = body.message_reference;
    const referenced = reference?.message_id === undefined ? undefined : this.messages.get(reference.message_id);
    if (reference && !referenced && reference.fail_if_not_exists !== false)
      errors.add(['message_reference'], 'MESSAGE_REFERENCE_UNKNOWN_MESSAGE', 'Unknown message');
    const invalid = errors.reply();
    if (invalid) return invalid;
    const referencedGuildId = referenced && this.guilds.guildIdOf(referenced.channel_id);
    const message = this.buildMessage(
      channel.id,
      body,
      ctx.files,
      referenced
        ? {
            type: MessageType.Reply,
            message_reference: {
              type: 0,
              channel_id: referenced.channel_id,
              message_id: referenced.id,
              ...(referencedGuildId === undefined ? {} : { guild_id: referencedGuildId }),
            },
            referenced_message: referenced,
          }
        : {},
    );
    if (isEmpty(message, body)) return emptyMessage();
    this.storeMessage(message, body);
    return { status: 200, body: message };
  }

  private editChannelMessage(ctx: RequestContext): Reply {
    const message = this.messages.get(ctx.params.messageId!);
    if (!message || message.channel_id !== ctx.params.channelId) return unknownMessage();
    if (message.author.id !== this.fixture.users.bot.id)
      return apiError(403, 50005, 'Cannot edit a message authored by another user');
    return this.editMessage(message, asObject(ctx.body), ctx.files);
  }

  private buildMessage(
    channelId: string,
    body: MessageBody,
    files: RecordedFile[],
    fields: Partial<APIMessage>,
  ): APIMessage {
    return {
      id: snowflake(),
      channel_id: channelId,
      author: this.fixture.users.bot,
      content: body.content ?? '',
      timestamp: new Date().toISOString(),
      edited_timestamp: null,
      tts: body.tts ?? false,
      mention_everyone: false,
      mentions: [],
      mention_roles: [],
      attachments: this.attachments(channelId, body, files),
      embeds: withEmbedType(body.embeds ?? []),
      pinned: false,
      type: MessageType.Default,
      flags: (body.flags ?? 0) & SENDABLE_MESSAGE_FLAGS,
      components: body.components ?? [],
      ...fields,
    };
  }

  private attachments(channelId: string, body: MessageBody, files: RecordedFile[]): APIAttachment[] {
    return files.map((file) => {
      // A new upload's entry in `attachments` has the index n of its `files[n]` part as id.
      const index = /^files\[(\d+)\]$/.exec(file.field)?.[1];
      const description = body.attachments?.find((a) => String(a.id) === index)?.description;
      const id = snowflake();
      const url = `https://cdn.discordapp.com/attachments/${channelId}/${id}/${encodeURIComponent(file.name)}`;
      return {
        id,
        filename: file.name,
        size: file.size,
        url,
        proxy_url: url.replace('cdn.discordapp.com', 'media.discordapp.net'),
        content_type: file.contentType,
        ...(description ? { description } : {}),
      };
    });
  }

  private storeMessage(message: APIMessage, body: MessageBody): void {
    this.messages.set(message.id, message);
    if (body.allowed_mentions) this.allowedMentions.set(message.id, body.allowed_mentions);
    this.changed();
  }

  /** PATCH semantics: absent fields stay, null clears; the result must not be empty. Editing a
   * deferred (loading) original resolves it. */
  private editMessage(message: APIMessage, body: MessageBody, files: RecordedFile[], prefix: string[] = []): Reply {
    const invalid = validateMessageBody(body, prefix).reply();
    if (invalid) return invalid;
    const wasLoading = ((message.flags ?? 0) & MessageFlags.Loading) !== 0;
    const edited: APIMessage = structuredClone(message);
    if (body.content !== undefined) edited.content = body.content ?? '';
    if (body.embeds !== undefined) edited.embeds = withEmbedType(body.embeds ?? []);
    if (body.components !== undefined) edited.components = body.components ?? [];
    if (body.attachments !== undefined || files.length > 0) {
      const kept = new Set((body.attachments ?? []).map((a) => String(a.id)));
      edited.attachments = [
        ...message.attachments.filter((a) => kept.has(a.id)),
        ...this.attachments(message.channel_id, body, files),
      ];
    }
    // Ephemeral is fixed at creation; the other flags follow the body.
    const ephemeral = (message.flags ?? 0) & MessageFlags.Ephemeral;
    edited.flags =
      body.flags == null
        ? (message.flags ?? 0) & ~MessageFlags.Loading
        : (body.flags & ~MessageFlags.Ephemeral) | ephemeral;
    edited.edited_timestamp = wasLoading ? null : new Date().toISOString();
    if (isEmpty(edited, body)) return emptyMessage();
    Object.assign(message, edited);
    this.storeMessage(message, body);
    return { status: 200, body: message };
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

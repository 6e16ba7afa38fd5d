// The Discord emulator's servers and people: users, guilds with their channels, roles and members, DM channels,
// and the permissions Discord computes from them.
import {
  ChannelType,
  Locale,
  PermissionFlagsBits,
  type APIDMChannel,
  type APIEmoji,
  type APIGuildMember,
  type APIRole,
  type APITextChannel,
  type APIThreadChannel,
  type APIUser,
  type GatewayGuildCreateDispatchData,
  type GuildMemberFlags,
  type GuildSystemChannelFlags,
  type RoleFlags,
} from 'discord-api-types/v10';
import { snowflake } from './snowflake.js';

const P = PermissionFlagsBits;
const ALL_PERMISSIONS = Object.values(PermissionFlagsBits).reduce((all, bit) => all | bit, 0n);
const EVERYONE_PERMISSIONS =
  P.ViewChannel |
  P.SendMessages |
  P.SendMessagesInThreads |
  P.CreatePublicThreads |
  P.EmbedLinks |
  P.AttachFiles |
  P.ReadMessageHistory |
  P.AddReactions |
  P.UseExternalEmojis |
  P.UseApplicationCommands |
  P.Connect |
  P.Speak;
/** app_permissions in the bot DM: roughly what Discord reports there (no guild roles apply). */
export const DM_PERMISSIONS =
  P.ViewChannel |
  P.SendMessages |
  P.EmbedLinks |
  P.AttachFiles |
  P.ReadMessageHistory |
  P.AddReactions |
  P.UseExternalEmojis;

export type EmulatedChannel = APITextChannel | APIDMChannel | APIThreadChannel;
/** A guild's text channel, or a thread the bot started in one. */
export type GuildChannel = APITextChannel | APIThreadChannel;

export interface EmulatedGuild {
  id: string;
  name: string;
  ownerId: string;
  owner: APIUser;
  /** Its text channel, #general: guild messages and interactions happen there unless a test names another. */
  channel: APITextChannel;
  /** @everyone (whose id is the guild's, as on Discord) and Admin, which adds Manage Server. */
  roles: { everyone: APIRole; admin: APIRole };
}

export interface NewGuild {
  name: string;
  owner: APIUser;
  /** Members given the Admin role. */
  admins?: APIUser[];
  /** Members without roles from the start; anyone else is one, without roles, when they act in the guild. */
  members?: APIUser[];
  /** For the fixture guild, which tests (and texts in them) know by id; other guilds get fresh snowflakes. */
  ids?: { guild: string; adminRole: string; channel: string };
  /** Text channels besides #general, roles besides @everyone and Admin (no permissions, held by no one) and custom
   * emojis: with `members`, the shape of a real server, whose GUILD_CREATE the bot caches whole. */
  extraChannels?: number;
  extraRoles?: number;
  emojis?: number;
  /** The shard its id lands on (see snowflake); the fixture's fixed id lands where it does. */
  shard?: { id: number; count: number };
}

interface GuildState {
  guild: EmulatedGuild;
  members: Map<string, APIGuildMember>;
  extras: { channels: APITextChannel[]; roles: APIRole[]; emojis: APIEmoji[] };
  /** Built on first use: nothing in it changes once the guild exists, and thousands of guilds each send theirs
   * at every IDENTIFY, so they share one. */
  guildCreate?: GatewayGuildCreateDispatchData;
}

export function makeUser(id: string, username: string, bot = false): APIUser {
  return {
    id,
    username,
    discriminator: bot ? '0000' : '0',
    global_name: bot ? null : username,
    avatar: null,
    ...(bot ? { bot: true } : {}),
  };
}

function makeRole(id: string, name: string, permissions: bigint, position: number): APIRole {
  return {
    id,
    name,
    color: 0,
    colors: { primary_color: 0, secondary_color: null, tertiary_color: null },
    hoist: false,
    icon: null,
    unicode_emoji: null,
    position,
    permissions: permissions.toString(),
    managed: false,
    mentionable: false,
    flags: 0 as RoleFlags,
  };
}

function newMember(user: APIUser, roles: string[], joinedAt: string): APIGuildMember {
  return {
    user,
    nick: null,
    avatar: null,
    roles,
    joined_at: joinedAt,
    premium_since: null,
    deaf: false,
    mute: false,
    flags: 0 as GuildMemberFlags,
    pending: false,
  };
}

function customEmoji(id: string, name: string): APIEmoji {
  return { id, name, roles: [], require_colons: true, managed: false, animated: false, available: true };
}

function textChannel(id: string, guildId: string, name = 'general', position = 0): APITextChannel {
  return {
    id,
    type: ChannelType.GuildText,
    guild_id: guildId,
    name,
    position,
    permission_overwrites: [],
    parent_id: null,
    nsfw: false,
    topic: null,
    last_message_id: null,
    last_pin_timestamp: null,
    rate_limit_per_user: 0,
    default_auto_archive_duration: 4320,
    default_thread_rate_limit_per_user: 0,
  };
}

/** The guilds the bot is in, the users the emulator knows, and every channel, each guild's and the DMs. */
export class Guilds {
  private readonly users = new Map<string, APIUser>();
  private readonly channels = new Map<string, EmulatedChannel>();
  private readonly guilds = new Map<string, GuildState>();
  private readonly dmChannelIds = new Map<string, string>();

  constructor(private readonly bot: APIUser) {
    this.users.set(bot.id, bot);
  }

  /** Known from now on, so that mentions of the user resolve and the bot can open a DM with them. */
  remember(user: APIUser): void {
    this.users.set(user.id, user);
  }

  user(id: string): APIUser | undefined {
    return this.users.get(id);
  }

  /** A guild with the bot in it, its owner, its admins and its #general. */
  add(spec: NewGuild): EmulatedGuild {
    const id = spec.ids?.guild ?? snowflake(spec.shard);
    const channel = textChannel(spec.ids?.channel ?? snowflake(), id);
    const guild: EmulatedGuild = {
      id,
      name: spec.name,
      ownerId: spec.owner.id,
      owner: spec.owner,
      channel,
      roles: {
        everyone: makeRole(id, '@everyone', EVERYONE_PERMISSIONS, 0),
        admin: makeRole(spec.ids?.adminRole ?? snowflake(), 'Admin', EVERYONE_PERMISSIONS | P.ManageGuild, 1),
      },
    };
    const joinedAt = new Date().toISOString();
    const members = new Map<string, APIGuildMember>();
    for (const [users, roles] of [
      [[spec.owner], []],
      [spec.admins ?? [], [guild.roles.admin.id]],
      [spec.members ?? [], []],
      [[this.bot], []],
    ] as const) {
      for (const user of users) {
        this.remember(user);
        members.set(user.id, newMember(user, [...roles], joinedAt));
      }
    }
    const extras = {
      channels: Array.from({ length: spec.extraChannels ?? 0 }, (_, i) =>
        textChannel(snowflake(), id, `channel-${i + 1}`, i + 1),
      ),
      roles: Array.from({ length: spec.extraRoles ?? 0 }, (_, i) => makeRole(snowflake(), `Role ${i + 1}`, 0n, i + 2)),
      emojis: Array.from({ length: spec.emojis ?? 0 }, (_, i) => customEmoji(snowflake(), `emoji_${i + 1}`)),
    };
    this.guilds.set(id, { guild, members, extras });
    for (const each of [channel, ...extras.channels]) this.channels.set(each.id, each);
    return guild;
  }

  /** Throws for a guild the bot is not in: a test naming one has mixed up its ids. */
  guild(id: string | undefined): EmulatedGuild {
    return this.state(id).guild;
  }

  has(id: string): boolean {
    return this.guilds.has(id);
  }

  get size(): number {
    return this.guilds.size;
  }

  /** In the order they were added: the fixture guild first. */
  list(): EmulatedGuild[] {
    return [...this.guilds.values()].map((state) => state.guild);
  }

  channel(id: string): EmulatedChannel | undefined {
    return this.channels.get(id);
  }

  /** Undefined for a DM channel or an unknown id. */
  guildIdOf(channelId: string): string | undefined {
    const channel = this.channels.get(channelId);
    return channel && 'guild_id' in channel ? channel.guild_id : undefined;
  }

  /** A text channel or thread of the guild, #general by default; throws for one of another guild. */
  guildChannel(guildId: string, channelId?: string): GuildChannel {
    const guild = this.guild(guildId);
    const id = channelId ?? guild.channel.id;
    const channel = this.channels.get(id);
    if (channel?.type !== ChannelType.GuildText && channel?.type !== ChannelType.PublicThread)
      throw new Error(`DiscordEmulator: unknown guild channel ${id}`);
    if (channel.guild_id !== guild.id)
      throw new Error(`DiscordEmulator: channel ${id} is in guild ${channel.guild_id}, not ${guild.id}`);
    return channel;
  }

  /** The user's DM with the bot (one per user, as on Discord), opened on first use. */
  dmChannel(user: APIUser, channelId?: string): APIDMChannel {
    const id = channelId ?? this.dmChannelIds.get(user.id) ?? snowflake();
    const existing = this.channels.get(id);
    if (existing && existing.type !== ChannelType.DM)
      throw new Error(`DiscordEmulator: channel ${id} is a guild channel; pass its guildId`);
    this.dmChannelIds.set(user.id, id);
    if (existing) return existing;
    const channel: APIDMChannel = { id, type: ChannelType.DM, name: null, recipients: [user], last_message_id: null };
    this.channels.set(id, channel);
    return channel;
  }

  addThread(thread: APIThreadChannel): void {
    this.channels.set(thread.id, thread);
  }

  /** The user's membership of the guild: a stored one, or a fresh one without roles. */
  member(guildId: string, user: APIUser): APIGuildMember {
    return this.state(guildId).members.get(user.id) ?? newMember(user, [], new Date().toISOString());
  }

  /** Guild-level permissions as Discord computes them (no channel overwrites here): all for the owner, else the
   * union of the member's roles, all of them if one grants Administrator. */
  permissions(guildId: string, userId: string): bigint {
    const { guild, members } = this.state(guildId);
    if (userId === guild.ownerId) return ALL_PERMISSIONS;
    const memberRoles = members.get(userId)?.roles ?? [];
    const permissions = Object.values(guild.roles)
      .filter((role) => role.id === guild.id || memberRoles.includes(role.id))
      .reduce((all, role) => all | BigInt(role.permissions), 0n);
    return (permissions & P.Administrator) !== 0n ? ALL_PERMISSIONS : permissions;
  }

  /** The GUILD_CREATE Discord sends for the guild when a session starts or the bot joins it. Shared: not to be
   * changed. */
  guildCreate(guildId: string): GatewayGuildCreateDispatchData {
    const state = this.state(guildId);
    return (state.guildCreate ??= this.buildGuildCreate(state));
  }

  private buildGuildCreate({ guild, members, extras }: GuildState): GatewayGuildCreateDispatchData {
    const channels = [guild.channel, ...extras.channels].map(({ guild_id: _guildId, ...inGuild }) => inGuild);
    return {
      id: guild.id,
      name: guild.name,
      icon: null,
      splash: null,
      discovery_splash: null,
      owner_id: guild.ownerId,
      region: 'us-west',
      afk_channel_id: null,
      afk_timeout: 300,
      verification_level: 1,
      default_message_notifications: 1,
      explicit_content_filter: 2,
      roles: [guild.roles.everyone, guild.roles.admin, ...extras.roles],
      emojis: extras.emojis,
      features: [],
      mfa_level: 0,
      application_id: null,
      system_channel_id: guild.channel.id,
      system_channel_flags: 0 as GuildSystemChannelFlags,
      rules_channel_id: null,
      max_presences: null,
      max_members: 500_000,
      vanity_url_code: null,
      description: null,
      banner: null,
      premium_tier: 0,
      premium_subscription_count: 0,
      preferred_locale: Locale.EnglishUS,
      public_updates_channel_id: null,
      max_video_channel_users: 25,
      max_stage_video_channel_users: 50,
      nsfw_level: 0,
      stickers: [],
      premium_progress_bar_enabled: false,
      hub_type: null,
      safety_alerts_channel_id: null,
      incidents_data: null,
      joined_at: members.get(this.bot.id)!.joined_at!,
      large: false,
      unavailable: false,
      member_count: members.size,
      voice_states: [],
      members: [...members.values()],
      channels,
      threads: [],
      presences: [],
      stage_instances: [],
      guild_scheduled_events: [],
      soundboard_sounds: [],
    };
  }

  private state(guildId: string | undefined): GuildState {
    const state = guildId === undefined ? undefined : this.guilds.get(guildId);
    if (!state) throw new Error(`DiscordEmulator: unknown guild ${guildId}; use fixture.guild.id or addGuild()`);
    return state;
  }
}

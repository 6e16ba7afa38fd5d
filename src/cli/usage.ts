// Each command's usage in one place: its own --help and mistakes print it, and `footnote --help` prints them all.

export type CommandName =
  | 'ask'
  | 'articles'
  | 'index'
  | 'inspect'
  | 'add'
  | 'remove'
  | 'report'
  | 'backup'
  | 'forget'
  | 'start'
  | 'deploy-commands';

interface Usage {
  /** The arguments, as the usage line shows them ('' for none). */
  args: string;
  /** What the command does, in one line. */
  does: string;
  /** Said after the usage line, when something about the arguments needs it. */
  note?: string;
}

/** In the order `footnote --help` lists them: the everyday commands first, the bot's last. */
export const USAGES: Record<CommandName, Usage> = {
  ask: {
    args: '[--json] [--explain] [--article ID] [--mode hybrid|dense|lexical] [--server ID] "your question"',
    does: 'answers one question from the articles, with quoted citations',
  },
  articles: {
    args: '[--server ID] [--json]',
    does: 'lists the indexed articles: id, title, source and date, passages, file',
  },
  index: {
    args: '[--server ID]',
    does: 'builds or updates the index from the articles',
    note: 'the home library: set ARTICLES_DIR and INDEX_DIR',
  },
  inspect: { args: '[--json] FILE', does: 'shows what Footnote extracts from one article file' },
  add: { args: '[--server ID] URL|FILE', does: 'adds an article from a link or a file, and indexes it' },
  remove: {
    args: '[--server ID] ARTICLE_ID',
    does: 'takes an article out of the index; its file moves to REMOVED_DIR',
    note: 'the ids: the articles command, or /articles on Discord',
  },
  report: {
    args: '[--since 7d] [--server ID] [--json]',
    does: 'what the articles did not answer on Discord over a period',
    note: '--since: days d or hours h',
  },
  backup: {
    args: 'DIR',
    does: 'copies everything Footnote keeps into a new or empty folder, safe while the bot runs',
    note: '.env, which holds the token, is not copied: keep it safe apart',
  },
  forget: {
    args: '--user ID|--server ID [--yes]',
    does: 'deletes what Footnote keeps of a person or of a Discord server',
    note: 'without --yes it only says what it would delete',
  },
  start: {
    args: '',
    does: 'runs the Discord bot',
    note: 'one process; with DISCORD_SHARDS=auto or a number, one per shard',
  },
  'deploy-commands': {
    args: '[--clear-server ID]',
    does: 'registers the slash commands with Discord, or removes those registered in one server',
    note: 'to DISCORD_GUILD_ID when set (that server only, at once), else globally',
  },
};

// How the person ran it, so that the usage they are shown is one they can type: `npm run X --` or `footnote X`.
let viaFootnote = false;

/** The command runs as `footnote COMMAND` (src/cli/main.ts), not as an npm script. */
export function runningAsFootnote(): void {
  viaFootnote = true;
}

/** How to run a command with arguments, as the person ran it. */
function invocation(name: CommandName, footnote = viaFootnote): string {
  if (footnote) return `footnote ${name}`;
  const script = name === 'start' ? 'npm start' : `npm run ${name}`;
  return USAGES[name].args ? `${script} --` : script;
}

/** A command's usage: the line to run it, and its note. */
export function usage(name: CommandName): string {
  const { args, note } = USAGES[name];
  return `usage: ${[invocation(name), args].filter(Boolean).join(' ')}${note ? `   (${note})` : ''}`;
}

/** Every command's usage and what it does: `footnote --help`. */
export function allUsages(): string {
  const lines = [
    'usage: footnote COMMAND [arguments]',
    '       (each is an npm script too: npm run COMMAND -- [arguments], and npm start)',
    '',
  ];
  for (const [name, { args, does, note }] of Object.entries(USAGES) as [CommandName, Usage][]) {
    lines.push(`  ${[invocation(name, true), args].filter(Boolean).join(' ')}`);
    lines.push(`      ${does}${note ? ` (${note})` : ''}`);
  }
  lines.push('', '  footnote help [COMMAND], footnote --help, footnote COMMAND --help: this, or one command’s usage');
  return lines.join('\n');
}

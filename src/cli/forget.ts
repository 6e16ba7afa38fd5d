// `npm run forget`: what Footnote keeps of a person or of a Discord server, said, then deleted with --yes.
import { UsageError } from '../core/errors.js';
import {
  FORGOTTEN_USER,
  forgetServer,
  forgetUser,
  type LibraryRecords,
  type ServerRecords,
  type UserRecords,
} from '../library/forget.js';
import { commandArguments, serverOption, userOption } from './arguments.js';
import { plural, sizeText } from './print.js';
import { runFootnoteCommand } from './run.js';
import { usage } from './usage.js';

const USAGE = usage('forget');

runFootnoteCommand('forget', ({ config, argv }) => {
  const parsed = commandArguments(
    argv,
    USAGE,
    { user: { type: 'string' }, server: { type: 'string' }, yes: { type: 'boolean' } },
    { positionals: false },
  );
  if (!parsed) return;
  const user = userOption(parsed.values.user, USAGE);
  const server = serverOption(parsed.values.server, USAGE);
  if ((user === null) === (server === null))
    throw new UsageError(`Give --user ID or --server ID, one of them.\n${USAGE}`);
  const apply = parsed.values.yes === true;
  const said =
    user !== null
      ? userText(user, forgetUser(config, user, apply))
      : serverText(server!, forgetServer(config, server!, apply));
  process.stdout.write(
    apply ? `Forgot ${said}\n` : `Would forget ${said}\nNothing was changed: run again with --yes to delete it.\n`,
  );
});

function userText(id: string, records: UserRecords): string {
  const parts = [
    `${plural(records.answers, 'answer')} given to them (with the votes on them)`,
    `${plural(records.votes, 'vote')} they cast`,
  ];
  if (records.limits) parts.push(`${plural(records.limits, 'record')} of their recent questions and adds (the limits)`);
  if (records.feeds) {
    parts.push(
      `their name on ${plural(records.feeds, 'feed')} (it stays with its server, added by "${FORGOTTEN_USER}")`,
    );
  }
  return `user ${id}: ${list(parts)}.`;
}

function serverText(id: string, records: ServerRecords): string {
  const parts = [
    `${plural(records.answers, 'answer')} given there (with ${plural(records.votes, 'vote')} on them)`,
    `${plural(records.feeds, 'feed')} it follows (with ${plural(records.feedItems, 'item')} seen)`,
  ];
  const { library } = records;
  if (library.kind === 'own') {
    const { folder, articles, files, bytes } = library;
    parts.push(`its library, ${folder} (${plural(articles, 'article')}; ${plural(files, 'file')}, ${sizeText(bytes)})`);
  }
  return `server ${id}: ${list(parts)}${libraryNote(library)}.`;
}

/** What stays of a server's library: the home library, or nothing when it has none. */
function libraryNote(library: LibraryRecords): string {
  if (library.kind === 'none') return '; it has no library of its own';
  if (library.kind === 'home') {
    return '; its library is the home library (HOME_SERVER_IDS), which stays, with the articles its feeds took';
  }
  return '';
}

/** "a", "a and b", "a, b and c". */
function list(parts: string[]): string {
  return parts.length < 2 ? parts.join('') : `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)}`;
}

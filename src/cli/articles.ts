// `npm run articles`: the articles a library's index holds, with the ids npm run remove and ask --article take.
import { UserError } from '../core/errors.js';
import { Libraries } from '../library/libraries.js';
import { HOME_LIBRARY } from '../library/library-id.js';
import { commandArguments, serverOption } from './arguments.js';
import { articlesJson, articlesText } from './print.js';
import { indexProgress } from './progress.js';
import { runFootnoteCommand } from './run.js';
import { usage } from './usage.js';

const USAGE = usage('articles');

runFootnoteCommand('articles', async ({ config, log, argv }) => {
  const parsed = commandArguments(
    argv,
    USAGE,
    { server: { type: 'string' }, json: { type: 'boolean' } },
    {
      positionals: false,
    },
  );
  if (!parsed) return;
  const server = serverOption(parsed.values.server, USAGE);
  const progress = indexProgress();
  const libraries = new Libraries(config, log, { onIndexProgress: progress.update });
  try {
    // What remove acts on: the index, built on first use as remove builds it (by words alone if the model is missing).
    const articles = await libraries.withLibrary(server, async (library) => {
      await library.ensureIndex('lexical');
      return library.articles();
    });
    if (articles === null) throw new UserError('library.none', {});
    progress.stop();
    const library = server === null || libraries.isHome(server) ? HOME_LIBRARY : server;
    process.stdout.write(
      parsed.values.json ? `${JSON.stringify(articlesJson(library, articles), null, 2)}\n` : articlesText(articles),
    );
  } finally {
    progress.stop();
    await libraries.close();
  }
});

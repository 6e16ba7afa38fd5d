/**
 * What one place on Discord sees of the libraries. In a server: its own library and, with SHARED_LIBRARY, the home
 * library (its articles marked shared); in a DM or a HOME_SERVER_IDS server: the home library. Never another
 * server's, so that an id from elsewhere looks exactly like an unknown one.
 */
import type { ArticleEntry, IndexedArticle } from '../core/types.js';
import type { Libraries } from '../library/libraries.js';

export interface SeenArticle {
  article: ArticleEntry;
  /** A home library article seen from a server with a library of its own. */
  shared: boolean;
}

/** The articles a place sees: its own library's first, then the shared ones. */
export async function visibleArticles(libraries: Libraries, serverId: string | null): Promise<SeenArticle[]> {
  const home = libraries.home.articles();
  if (serverId === null || libraries.isHome(serverId)) return home.map((article) => ({ article, shared: false }));
  const own = (await libraries.withLibrary(serverId, (library) => Promise.resolve(library.articles()))) ?? [];
  const shared = libraries.config.sharedLibrary ? home : [];
  return [
    ...own.map((article) => ({ article, shared: false })),
    ...shared.map((article) => ({ article, shared: true })),
  ];
}

/**
 * Where an article id leads from a place: the article in the library that place changes (`own`), an article of the
 * shared library it may read but not change (`shared`), or nothing (an unknown id, or another server's).
 */
export async function findArticle(
  libraries: Libraries,
  serverId: string | null,
  id: string,
): Promise<{ own: IndexedArticle } | { shared: IndexedArticle } | null> {
  const own = await libraries.withLibrary(serverId, (library) => Promise.resolve(library.article(id)));
  if (own) return { own };
  const home = serverId !== null && libraries.config.sharedLibrary ? libraries.home.article(id) : null;
  return home ? { shared: home } : null;
}

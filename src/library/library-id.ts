// Which library a thing belongs to: the home library (ARTICLES_DIR), or a Discord server's own, by the server's id.

/** The home library's id, as citations, feeds and the answer log name it. */
export const HOME_LIBRARY = 'home';

/** "home", or a Discord server's id (digits only: never a path). */
export type LibraryId = string;

// The words a reader may name an article by: its title, author, source and year, with the initials of its names.
import type { ArticleMeta } from '../types.js';

/**
 * An article's title, author, source and year as one line of words: what a reader may name it by,
 * with the initials of the names in its title and author ("JFK" for "John F. Kennedy").
 */
export function metadataWords(article: Pick<ArticleMeta, 'title' | 'author' | 'source' | 'date'>): string {
  const initials = [article.title, article.author].flatMap((text) => (text ? nameInitials(text) : []));
  return [article.title, article.author, article.source, article.date?.slice(0, 4), ...initials]
    .filter(Boolean)
    .join(' ');
}

// A name: three words or more in a row that start with a capital ("Franklin D Roosevelt"); two-word initials
// would be mostly noise (docs/decisions/name-initials.md).
const NAME = /(?:\p{Lu}[\p{L}'’-]*\.?\s+){2,}\p{Lu}[\p{L}'’-]*/gu;

function nameInitials(text: string): string[] {
  return [...text.matchAll(NAME)].map((m) =>
    m[0]
      .split(/\s+/)
      .map((word) => word[0])
      .join(''),
  );
}

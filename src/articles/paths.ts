// Whether one path lies inside another: the loader, the configuration and /remove all ask it.
import path from 'node:path';

/** True when `target` is `root` or lies below it (both absolute, compared as written). */
export function isInside(root: string, target: string): boolean {
  const rel = path.relative(root, target);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel));
}

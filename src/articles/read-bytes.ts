// Reading an article file without trusting it: no symlink followed, no pipe or device waited on, no more than a limit.
import { constants, type Dirent, type Stats } from 'node:fs';
import { open } from 'node:fs/promises';

const MIB = 1024 * 1024;

/** What a directory entry that is neither a file nor a directory is, or null. */
export function specialKind(entry: Dirent | Stats): string | null {
  if (entry.isFIFO()) return 'a named pipe';
  if (entry.isSocket()) return 'a socket';
  if (entry.isCharacterDevice() || entry.isBlockDevice()) return 'a device';
  return null;
}

function tooLarge(size: number, maxBytes: number): string {
  // The size is rounded up so that a file just over the limit never reads as equal to it.
  const sizeMib = Math.ceil((size / MIB) * 10) / 10;
  const limitMib = Number((maxBytes / MIB).toPrecision(3));
  return `larger than ${limitMib} MiB (${sizeMib} MiB); split it or raise MAX_ARTICLE_MB`;
}

/**
 * The bytes of the regular file at `real`, or why it was not read: the loader's reader, and the check after an
 * answer that its quotes are still in their files. Nothing it does can block on what the file is, and it reads at
 * most `maxBytes`.
 */
export async function readArticleBytes(real: string, maxBytes: number): Promise<Buffer | string> {
  // The file may have been swapped since it was found: O_NOFOLLOW refuses a symlink put in its place,
  // O_NONBLOCK keeps a named pipe from blocking the open, and fstat checks what was opened.
  const handle = await open(real, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  try {
    const info = await handle.stat();
    if (!info.isFile()) return `not a regular file (${specialKind(info) ?? 'unknown type'})`;
    if (info.size > maxBytes) return tooLarge(info.size, maxBytes);
    if (info.size === 0) return 'empty file';
    // No more than the size measured is read, so a file growing meanwhile cannot pass the limit.
    const bytes = Buffer.alloc(info.size);
    let length = 0;
    while (length < bytes.length) {
      const { bytesRead } = await handle.read(bytes, length, bytes.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    return bytes.subarray(0, length);
  } finally {
    await handle.close();
  }
}

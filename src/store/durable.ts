// Writes that survive a crash: files and directories synced to disk, and files replaced whole or not at all.
import fs from 'node:fs';
import path from 'node:path';

/** Writes a file so that after a crash it holds either the old or the new content, whole. */
export function writeFileDurably(file: string, content: string): void {
  const temp = `${file}.${process.pid}.tmp`;
  const fd = fs.openSync(temp, 'w');
  try {
    fs.writeFileSync(fd, content);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(temp, file);
  syncDirectory(path.dirname(file));
}

export function syncFile(file: string): void {
  fsyncPath(file, 'r+');
}

/** Makes a rename or a new file in `dir` itself durable. */
export function syncDirectory(dir: string): void {
  fsyncPath(dir, 'r');
}

function fsyncPath(target: string, flags: string): void {
  const fd = fs.openSync(target, flags);
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

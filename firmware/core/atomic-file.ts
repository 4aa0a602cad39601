/**
 * Files that a power cut leaves either old or new, never torn: write a temporary file beside,
 * fsync it, rename it over, fsync the directory (the rename is in the directory's data).
 */
import { chmodSync, closeSync, fsyncSync, openSync, renameSync, writeSync } from 'node:fs';
import { chmod, open, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * fsync of a directory: makes a created, renamed or deleted name durable. Without it a
 * power cut can lose a new segment (or bring back a deleted one) even though its data was
 * fsynced — ext4 and friends only promise names after the directory itself is synced.
 */
export async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Writes `data` to `path` atomically, with `mode` (default owner-only 0600). `temp` is the
 * file written first (default `<path>.tmp`, which the next write reuses); writers that may run
 * at once on one path each need their own. A failed write removes its temporary file.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array, mode = 0o600, temp = `${path}.tmp`): Promise<void> {
  try {
    const h = await open(temp, 'w', mode);
    try {
      await h.writeFile(data);
      await h.sync();
    } finally {
      await h.close();
    }
    await chmod(temp, mode); // the umask may have taken bits from `mode`; a leftover temp may have had others
    await rename(temp, path);
  } catch (e) {
    await rm(temp, { force: true });
    throw e;
  }
  await syncDir(dirname(path));
}

/** writeFileAtomic for the synchronous stores (identity, profile: issue 12), the same steps. */
export function writeFileAtomicSync(path: string, data: string | Uint8Array, mode = 0o600): void {
  const temp = `${path}.tmp`;
  const fd = openSync(temp, 'w', mode);
  try {
    writeSync(fd, typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  chmodSync(temp, mode);
  renameSync(temp, path);
  const dir = openSync(dirname(path), 'r');
  try {
    fsyncSync(dir);
  } finally {
    closeSync(dir);
  }
}

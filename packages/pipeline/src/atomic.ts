import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';

/** Receives text in chunks, so a long layer never has to exist as one string. */
export type TextSink = (chunk: string) => void;

/**
 * Writes a file so that it appears whole or not at all: a temporary name in the same folder (same
 * file system, so rename is atomic), fsync, rename, then fsync the folder so the rename itself
 * survives a crash. A failure removes the temporary file and leaves any previous file untouched.
 */
export function writeFileAtomic(file: string, content: string | Uint8Array | ((sink: TextSink) => void)): void {
  const dir = path.dirname(file);
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const fd = openSync(tmp, 'wx', 0o644);
  try {
    if (typeof content === 'function') {
      // Coalesce small chunks: one write syscall per ~1 MB rather than per sample line.
      let pending: string[] = [];
      let size = 0;
      const flush = () => {
        if (size === 0) return;
        writeAll(fd, Buffer.from(pending.join(''), 'utf8'));
        pending = [];
        size = 0;
      };
      content((chunk) => {
        pending.push(chunk);
        size += chunk.length;
        if (size >= 1 << 20) flush();
      });
      flush();
    } else {
      writeAll(fd, typeof content === 'string' ? Buffer.from(content, 'utf8') : content);
    }
    fsyncSync(fd);
    closeSync(fd);
    renameSync(tmp, file);
  } catch (err) {
    try { closeSync(fd); } catch { /* already closed */ }
    rmSync(tmp, { force: true });
    throw err;
  }
  fsyncDir(dir);
}

/** writeSync may write less than asked (full disks, some network file systems); loop until done. */
function writeAll(fd: number, data: Uint8Array): void {
  for (let off = 0; off < data.length; ) off += writeSync(fd, data, off, data.length - off);
}

function fsyncDir(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try { fsyncSync(fd); } finally { closeSync(fd); }
  } catch {
    // Some file systems (network shares, Windows) refuse fsync on a directory; the rename stands.
  }
}

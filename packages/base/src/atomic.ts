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
      writeTextStream(fd, content);
    } else {
      writeAll(fd, typeof content === 'string' ? Buffer.from(content, 'utf8') : content);
    }
    fsyncSync(fd);
    closeSync(fd);
    renameSync(tmp, file);
  } catch (err) {
    try {
      closeSync(fd);
    } catch {
      /* already closed */
    }
    rmSync(tmp, { force: true });
    throw err;
  }
  fsyncDir(dir);
}

/**
 * Writes the text `produce` hands its sink to `fd`, ~1 MB per write syscall; returns the bytes
 * written. Each chunk is encoded the moment it arrives: a streaming writer's chunks are string
 * ropes, and ropes kept until a large write outlive the young generation and cost major garbage
 * collections (a third of the speed of writing a long layer).
 */
export function writeTextStream(fd: number, produce: (sink: TextSink) => void): number {
  let pending: Buffer[] = [];
  let size = 0;
  let total = 0;
  const flush = () => {
    if (size === 0) return;
    writeAll(fd, pending.length === 1 ? pending[0]! : Buffer.concat(pending, size));
    total += size;
    pending = [];
    size = 0;
  };
  produce((chunk) => {
    const bytes = Buffer.from(chunk, 'utf8');
    pending.push(bytes);
    size += bytes.length;
    if (size >= 1 << 20) flush();
  });
  flush();
  return total;
}

/** writeSync may write less than asked (full disks, some network file systems); loop until done. */
function writeAll(fd: number, data: Uint8Array): void {
  for (let off = 0; off < data.length; ) off += writeSync(fd, data, off, data.length - off);
}

function fsyncDir(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Some file systems (network shares, Windows) refuse fsync on a directory; the rename stands.
  }
}

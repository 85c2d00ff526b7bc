import { randomBytes } from 'node:crypto';
import os from 'node:os';

/** Who holds a lock or writes a journal: enough to tell a live holder from a dead one. */
export interface Owner {
  readonly host: string;
  readonly pid: number;
  /** random per process start: a pid reused after a crash is still a different owner */
  readonly token: string;
  /** the watcher instance name (its journal), when the owner is a watcher */
  readonly instance?: string;
}

export function newOwner(instance?: string): Owner {
  return { host: os.hostname(), pid: process.pid, token: randomBytes(8).toString('hex'), ...(instance ? { instance } : {}) };
}

/**
 * Whether a process on this host is alive. Only meaningful for owners on this host: a pid from
 * another machine says nothing here, so callers check the host first.
 */
export function isProcessAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to another user.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** True when the owner is known dead: it ran on this host and its process is gone. */
export function isDeadLocalOwner(owner: Pick<Owner, 'host' | 'pid'>): boolean {
  return owner.host === os.hostname() && !isProcessAlive(owner.pid);
}

// Redis connections for producers and workers: one URL form (redis:// and rediss://, with ACL user,
// password and db), reconnection that never gives up for long-lived clients, and a fast, clear
// refusal when a producer starts and Redis is not there (docs/queue.md, "Connections").
import { Redis, type RedisOptions } from 'ioredis';
import { QueueError } from './errors.js';

/** What the queue connects with: ioredis options, and the URL as it may be printed (no password). */
export interface RedisConnection {
  readonly options: RedisOptions;
  /** the URL with its password replaced by `***`, for messages and logs */
  readonly display: string;
}

/** What callers pass: a URL, or a connection made by connectionFromUrl (or by hand, with TLS files). */
export type RedisSpec = string | RedisConnection;

const URL_FIX = 'Give a URL such as redis://:password@10.0.0.5:6379/0 or rediss://user:password@redis.farm:6380 (TLS).';

/** The URL without its password, so errors and logs never show it. */
export function redactUrl(url: string): string {
  // Any scheme, and text that is no URL at all: whatever sits between a colon and an @ is a password.
  return url.replace(/:[^:@/\s]*@/, ':***@');
}

/**
 * Parses redis://[user[:password]@]host[:port][/db] and rediss:// (TLS, the host name checked
 * against the server's certificate). Errors name the URL without its password.
 */
export function connectionFromUrl(url: string): RedisConnection {
  const display = redactUrl(url);
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new QueueError('BAD_REDIS_URL', display, 'is not a URL', URL_FIX);
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') {
    throw new QueueError('BAD_REDIS_URL', display, `has the scheme "${u.protocol}"; only redis: and rediss: (TLS) are understood`, URL_FIX);
  }
  if (!u.hostname) throw new QueueError('BAD_REDIS_URL', display, 'names no host', URL_FIX);
  const port = u.port ? Number(u.port) : 6379;
  const dbText = u.pathname.replace(/^\/+|\/+$/g, '');
  if (dbText !== '' && !/^\d+$/.test(dbText)) {
    throw new QueueError('BAD_REDIS_URL', display, `has the database "${dbText}", which is not a number`, URL_FIX);
  }
  const host = u.hostname.replace(/^\[|\]$/g, '');
  const options: RedisOptions = {
    host,
    port,
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    ...(dbText ? { db: Number(dbText) } : {}),
    ...(u.protocol === 'rediss:' ? { tls: { servername: host } } : {}),
  };
  return { options, display };
}

export const toConnection = (spec: RedisSpec): RedisConnection => (typeof spec === 'string' ? connectionFromUrl(spec) : spec);

/** Reconnect delay after `times` failed tries: 100 ms growing to 5 s, then every 5 s, forever. */
export const reconnectDelayMs = (times: number): number => Math.min(5000, 100 * 2 ** Math.min(6, times - 1));

/**
 * Options for a long-lived client (worker, follower): it reconnects forever, and a command waits
 * for the connection instead of failing (`maxRetriesPerRequest: null`, which BullMQ workers need).
 */
export function durableOptions(conn: RedisConnection): RedisOptions {
  return { ...conn.options, maxRetriesPerRequest: null, enableReadyCheck: true, retryStrategy: reconnectDelayMs };
}

/**
 * A producer starting while Redis is down should say so at once rather than wait forever: one
 * connection attempt, one PING, with a short limit. Resolves when Redis answered.
 */
export async function checkReachable(conn: RedisConnection, timeoutMs = 5000): Promise<void> {
  const probe = new Redis({
    ...conn.options,
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  let lastError: Error | null = null;
  probe.on('error', (err: Error) => {
    lastError = err;
  });
  try {
    await probe.connect();
    await probe.ping();
  } catch (err) {
    const e = (lastError ?? err) as Error & { code?: string };
    const auth = /NOAUTH|WRONGPASS|invalid password|invalid username/i.test(e.message);
    throw new QueueError(
      auth ? 'REDIS_AUTH' : 'REDIS_UNREACHABLE',
      conn.display,
      auth ? `refused the login (${e.message})` : `cannot be reached (${e.code ?? e.message})`,
      auth
        ? 'Put the user and password Redis expects in the URL: redis://user:password@host:port (or :password@ without an ACL user).'
        : 'Start Redis there (systemctl start redis-server), or check the host, port, TLS (rediss://) and firewall in --redis.',
    );
  } finally {
    probe.disconnect();
  }
}

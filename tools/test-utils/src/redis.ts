import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import { makeTestCertificates } from './tls-certs.js';
import { sleep } from './wait.js';
import { tempDir } from './temp.js';

export interface RedisOptions {
  /** Append-only file on, fsync on every write (default true): a SIGKILL then loses no acknowledged write. */
  aof?: boolean;
  /** `requirepass`: the URL then carries it (`redis://:<password>@127.0.0.1:<port>`). */
  password?: string;
  /**
   * TLS only (no plain port), with a throw-away certificate authority (tls-certs.ts): the URL is then
   * `rediss://localhost:<port>` and clients trust `caFile` (NODE_EXTRA_CA_CERTS for Node processes).
   */
  tls?: boolean;
  /** Limit on each start (spawn → PING answered), against a hang only. */
  startTimeoutMs?: number;
}

export interface TestRedis {
  /** `redis://[:password@]127.0.0.1:<port>` (TLS: `rediss://[:password@]localhost:<port>`); stays the same across restart(). */
  url: string;
  port: number;
  /** `requirepass`, when one was asked for (redis-cli takes it as `--pass`) */
  password?: string;
  /** with `tls`: the certificate authority that signed the server's certificate */
  caFile?: string;
  /** The server's data folder (appendonly files); kept across restart(), removed by stop(). */
  dir: string;
  /** Sends `signal` (default SIGKILL) and resolves when the process has exited. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Starts the server again on the same port and folder (after kill()), resolved once it answers PING with PONG. */
  restart(): Promise<void>;
  /** Ends the server (SIGKILL: nothing of it is needed after a test) and removes its folder; safe to call twice. */
  stop(): Promise<void>;
}

const BINARY = process.env.A2F_REDIS_SERVER ?? 'redis-server';
const live = new Set<ChildProcess>();
// A test file that crashes must not leave servers behind it: vitest's workers exit normally.
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

function checkBinary(): void {
  const probe = spawnSync(BINARY, ['--version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    throw new Error(
      `${BINARY}: cannot run the Redis server the queue tests need (${probe.error?.message ?? probe.stderr.trim()}). ` +
        'Fix: install it (`sudo apt-get install redis-server` on Debian/Ubuntu, `brew install redis` on macOS) ' +
        'or point A2F_REDIS_SERVER at a redis-server 7 binary.',
    );
  }
}

/** A free loopback port, by asking the kernel for one and letting it go. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** The server's reply to one PING over a raw socket ('+PONG', '-LOADING …', '-NOAUTH …'), or null if nothing answers. */
function ping(port: number, password: string | undefined, ca: string | undefined): Promise<string | null> {
  return new Promise((resolve) => {
    const socket =
      ca === undefined
        ? net.connect(port, '127.0.0.1')
        : tls.connect({ port, host: '127.0.0.1', servername: 'localhost', ca: readFileSync(ca) });
    let reply = '';
    const done = (value: string | null): void => {
      socket.destroy();
      resolve(value);
    };
    socket.setTimeout(1000, () => done(null));
    socket.once('error', () => done(null));
    socket.on('data', (chunk) => {
      reply += chunk.toString('utf8');
      const lines = reply.split('\r\n').filter((l) => l !== '');
      // With a password the first reply is AUTH's +OK; PING's reply follows it.
      if (lines.length >= (password === undefined ? 1 : 2) || lines[0]?.startsWith('-')) done(lines.at(-1) ?? null);
    });
    // RESP arrays, not inline commands: a password may hold spaces.
    const command = (...parts: string[]): string =>
      `*${parts.length}\r\n${parts.map((p) => `$${Buffer.byteLength(p)}\r\n${p}\r\n`).join('')}`;
    socket.once(ca === undefined ? 'connect' : 'secureConnect', () =>
      socket.write(`${password === undefined ? '' : command('AUTH', password)}${command('PING')}`),
    );
  });
}

/**
 * A real redis-server for one test file: 127.0.0.1 on a free port, its own temp folder, AOF with
 * `appendfsync always` and no RDB snapshots, as the README's recipe runs the farm's Redis. Resolves
 * once the server answers PING (never after a fixed sleep). The caller stops it in `afterAll`.
 */
export async function startRedis(options: RedisOptions = {}): Promise<TestRedis> {
  checkBinary();
  const aof = options.aof ?? true;
  const dir = tempDir('redis');
  const startTimeoutMs = options.startTimeoutMs ?? 30_000;
  let child: ChildProcess | undefined;
  let port = 0;
  const certs = options.tls ? makeTestCertificates(dir) : undefined;

  // TLS clients name the server `localhost`, which may resolve to ::1 first ('-' : only where it exists).
  const listen = (): string[] =>
    certs
      ? ['--bind', '127.0.0.1', '-::1', '--port', '0', '--tls-port', String(port), '--tls-auth-clients', 'no']
      : ['--bind', '127.0.0.1', '--port', String(port)];
  const args = (): string[] => [
    ...listen(),
    ...(certs ? ['--tls-cert-file', certs.cert, '--tls-key-file', certs.key, '--tls-ca-cert-file', certs.ca] : []),
    '--dir',
    dir,
    '--appendonly',
    aof ? 'yes' : 'no',
    '--appendfsync',
    'always',
    '--save',
    '',
    '--daemonize',
    'no',
    '--protected-mode',
    'yes',
    ...(options.password === undefined ? [] : ['--requirepass', options.password]),
  ];

  /** Spawns the server; resolves when PING answers PONG, rejects with its output if it exits first. */
  const launch = async (): Promise<void> => {
    const proc = spawn(BINARY, args(), { stdio: ['ignore', 'pipe', 'pipe'] });
    child = proc;
    live.add(proc);
    let output = '';
    proc.stdout?.on('data', (c: Buffer) => {
      output = (output + c.toString('utf8')).slice(-4000);
    });
    proc.stderr?.on('data', (c: Buffer) => {
      output = (output + c.toString('utf8')).slice(-4000);
    });
    // An object, not a let: the callbacks set it, and TypeScript would narrow a let to its initial null.
    const state: { exited: string | null } = { exited: null };
    proc.once('exit', (code, signal) => {
      live.delete(proc);
      state.exited = `exited (${signal ?? `code ${code}`})`;
    });
    proc.once('error', (e) => {
      state.exited = `could not start: ${e.message}`;
    });
    const until = Date.now() + startTimeoutMs;
    let last: string | null = null;
    while (state.exited === null) {
      last = await ping(port, options.password, certs?.ca);
      if (last === '+PONG') return;
      if (Date.now() > until) break;
      await sleep(20);
    }
    proc.kill('SIGKILL');
    const what = state.exited ?? `did not answer PING within ${startTimeoutMs} ms (last reply: ${last})`;
    throw new Error(
      `redis-server on 127.0.0.1:${port} (folder ${dir}) ${what}. ` +
        `Its output ends:\n${output.trim().split('\n').slice(-8).join('\n')}\n` +
        'Fix: read the lines above (a port taken by another process is retried; a bad option names itself).',
    );
  };

  const kill = async (signal: NodeJS.Signals = 'SIGKILL'): Promise<void> => {
    const proc = child;
    if (proc === undefined || proc.exitCode !== null || proc.signalCode !== null) return;
    const gone = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    proc.kill(signal);
    await gone;
  };

  // The kernel's free port can be taken before redis binds it; a few fresh ports cover that race.
  for (let attempt = 1; ; attempt++) {
    port = await freePort();
    try {
      await launch();
      break;
    } catch (e) {
      if (attempt >= 3 || !/Address already in use/i.test((e as Error).message)) throw e;
    }
  }

  const auth = options.password === undefined ? '' : `:${encodeURIComponent(options.password)}@`;
  let stopped = false;
  return {
    url: certs ? `rediss://${auth}localhost:${port}` : `redis://${auth}127.0.0.1:${port}`,
    port,
    ...(certs ? { caFile: certs.ca } : {}),
    ...(options.password === undefined ? {} : { password: options.password }),
    dir,
    kill,
    restart: async () => {
      if (stopped) throw new Error(`redis on port ${port} was stopped; restart() is for after kill(). Fix: call startRedis() again.`);
      await kill('SIGKILL');
      await launch();
    },
    stop: async () => {
      stopped = true;
      await kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

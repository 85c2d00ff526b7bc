import net from 'node:net';
import { rejection, thrown } from '@a2f/test-utils';
import { describe, expect, it } from 'vitest';
import { checkReachable, connectionFromUrl, enqueueLines, QueueError, redactUrl } from '../src/index.js';

describe('connectionFromUrl', () => {
  it('reads user, password, db and TLS from redis:// and rediss:// URLs', () => {
    expect(connectionFromUrl('redis://127.0.0.1:6390').options).toEqual({ host: '127.0.0.1', port: 6390 });
    expect(connectionFromUrl('redis://:s%40cret@10.0.0.5/2').options).toEqual({ host: '10.0.0.5', port: 6379, password: 's@cret', db: 2 });
    const tls = connectionFromUrl('rediss://farm:pw@redis.farm.lan:6380');
    expect(tls.options).toEqual({
      host: 'redis.farm.lan',
      port: 6380,
      username: 'farm',
      password: 'pw',
      tls: { servername: 'redis.farm.lan' },
    });
    expect(tls.display).toBe('rediss://farm:***@redis.farm.lan:6380');
  });

  it('refuses what it cannot use, naming the URL without its password', () => {
    for (const [url, problem] of [
      ['http://:hunter2@host:6379', 'scheme'],
      ['redis://:hunter2@host:6379/zero', 'database'],
      ['not a url :hunter2@', 'not a URL'],
    ] as const) {
      const err = thrown(() => connectionFromUrl(url));
      expect(err).toBeInstanceOf(QueueError);
      expect(err.message).toContain(problem);
      expect(err.message).not.toContain('hunter2');
    }
    expect(redactUrl('redis://user:pw@h:1')).toBe('redis://user:***@h:1');
  });
});

describe('producers fail fast', () => {
  it('a Redis that is not there is one clear error, at once, before any job', async () => {
    const port = await new Promise<number>((resolve) => {
      const s = net.createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as net.AddressInfo).port;
        s.close(() => resolve(p));
      });
    });
    const url = `redis://:hunter2@127.0.0.1:${port}`;
    const err = await rejection(checkReachable(connectionFromUrl(url)));
    expect(err).toMatchObject({ code: 'REDIS_UNREACHABLE', file: `redis://:***@127.0.0.1:${port}` });
    expect(err.message).toContain('ECONNREFUSED');
    expect(err.message).not.toContain('hunter2');
    // A bad setting is refused before Redis is even asked.
    const bad = await rejection(enqueueLines({ redis: url, files: [], settings: { character: '/x.usda', outDir: '/tmp/o', fps: -3 } }));
    expect(bad).toMatchObject({ code: 'BAD_SETTING', file: '--fps' });
  });
});

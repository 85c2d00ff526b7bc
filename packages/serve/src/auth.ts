import { createHash, timingSafeEqual } from 'node:crypto';
import type { Metadata } from '@grpc/grpc-js';

/**
 * The optional bearer token (--token or A2F_SERVE_TOKEN): a call must carry
 * `authorization: Bearer <token>`, as Maya-ACE sends its API key. Compared as SHA-256 digests in
 * constant time, so neither the length nor a prefix leaks through timing.
 */
export function tokenCheck(token: string | undefined): (md: Metadata) => string | undefined {
  if (!token) return () => undefined;
  const want = createHash('sha256').update(token).digest();
  return (md) => {
    const given = md.get('authorization')[0];
    if (typeof given !== 'string' || !/^bearer /i.test(given))
      return 'no bearer token: this server needs the metadata "authorization: Bearer <token>"';
    const got = createHash('sha256').update(given.slice(7).trim()).digest();
    return timingSafeEqual(got, want) ? undefined : "the bearer token is not this server's; check the token the client sends";
  };
}

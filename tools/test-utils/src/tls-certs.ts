import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';

export interface TestCertificates {
  /** the authority clients trust (NODE_EXTRA_CA_CERTS, redis-cli --cacert) */
  ca: string;
  /** the server's certificate, for `localhost`, 127.0.0.1 and ::1, signed by `ca`, and its key */
  cert: string;
  key: string;
}

function openssl(args: string[], cwd: string): void {
  const r = spawnSync('openssl', args, { cwd, encoding: 'utf8' });
  if (r.error || r.status !== 0) {
    throw new Error(
      `openssl ${args[0]} in ${cwd} failed (${r.error?.message ?? r.stderr.trim()}). ` +
        'Fix: install OpenSSL (`sudo apt-get install openssl`); the TLS tests make their own throw-away certificates with it.',
    );
  }
}

/** A throw-away certificate authority and a server certificate for the loopback names, in `dir` (two days valid). */
export function makeTestCertificates(dir: string): TestCertificates {
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl(['req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/CN=a2f test CA'], dir);
  openssl(['req', ...ec, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=localhost'], dir);
  writeFileSync(path.join(dir, 'server.ext'), 'subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1\n');
  openssl(
    [
      'x509',
      '-req',
      '-in',
      'server.csr',
      '-CA',
      'ca.crt',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      'server.crt',
      '-days',
      '2',
    ].concat(['-extfile', 'server.ext']),
    dir,
  );
  return { ca: path.join(dir, 'ca.crt'), cert: path.join(dir, 'server.crt'), key: path.join(dir, 'server.key') };
}

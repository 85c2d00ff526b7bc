#!/usr/bin/env node
// npm links a package's bin while it installs, before anything is built, and skips a bin whose file
// does not exist yet. So the bin is this committed file, and it loads the built CLI (docs/install.md).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = new URL('../dist/bin.js', import.meta.url);
if (!existsSync(entry)) {
  const root = fileURLToPath(new URL('../../..', import.meta.url));
  process.stderr.write(
    `a2f: the CLI is not built yet (${fileURLToPath(entry)} is missing).\n` +
      `Build it once with "npm run build" in ${root} (npm ci does this for you).\n`,
  );
  process.exit(2);
}
await import(entry.href);

#!/usr/bin/env node
// Fails on source lines longer than the limit. Biome's formatter wraps code to this width but
// leaves comments and string literals alone, and Biome has no line-length rule; this covers them.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const LIMIT = 140;
const files = execFileSync('git', ['ls-files', '-co', '--exclude-standard', '*.ts', '*.mts', '*.mjs', '*.cjs', '*.js'], {
  encoding: 'utf8',
})
  .split('\n')
  .filter((f) => f !== '' && !f.includes('/dist/'));
let long = 0;
for (const file of files) {
  let text;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    continue; // listed but deleted in the working tree
  }
  text.split('\n').forEach((line, i) => {
    if ([...line].length > LIMIT) {
      long++;
      console.error(`${file}:${i + 1}: ${[...line].length} characters (limit ${LIMIT})`);
    }
  });
}
if (long > 0) {
  console.error(`\n${long} line(s) over ${LIMIT} characters. Wrap them (comments by hand; \`npx biome format --write\` wraps code).`);
  process.exit(1);
}

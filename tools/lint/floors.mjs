#!/usr/bin/env node
// Keeps the packages on the floors docs/architecture.md draws (docs/architecture.md#packages): a
// package may depend only on packages on lower floors, and its source may import only the @a2f
// packages its package.json lists. The floors are read from the doc itself, so the map and the code
// cannot drift apart. Exit 1 with one line per breach.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/**
 * "floor 5   watch           queue                 watch folder · …" lines and the indented lines under them:
 * the package names fill the columns before the description, which starts at column 48.
 */
function floorsFromDoc() {
  const doc = readFileSync(path.join(ROOT, 'docs/architecture.md'), 'utf8');
  const floors = new Map();
  let current;
  for (const line of doc.split('\n')) {
    if (line.startsWith('```')) {
      current = undefined;
      continue;
    }
    const m = /^floor (\d+)\s+(.*)$/.exec(line);
    if (m) current = Number(m[1]);
    else if (current === undefined || !/^ {10}\S/.test(line)) continue;
    for (const name of line
      .slice(m ? 'floor N'.length : 0, 48)
      .trim()
      .split(/\s+/)) {
      if (/^[a-z][a-z-]*$/.test(name)) floors.set(name, current);
    }
  }
  return floors;
}

function sourceFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(p);
    return /\.(ts|mts|mjs|cjs|js)$/.test(e.name) ? [p] : [];
  });
}

const floors = floorsFromDoc();
const problems = [];
const packagesDir = path.join(ROOT, 'packages');
for (const name of readdirSync(packagesDir)) {
  const manifest = JSON.parse(readFileSync(path.join(packagesDir, name, 'package.json'), 'utf8'));
  const floor = floors.get(name);
  if (floor === undefined) {
    problems.push(`packages/${name}: not on any floor of docs/architecture.md's diagram; add it there`);
    continue;
  }
  const deps = Object.keys({ ...manifest.dependencies }).filter((d) => d.startsWith('@a2f/'));
  for (const dep of deps) {
    const other = dep.slice('@a2f/'.length);
    const otherFloor = floors.get(other);
    if (otherFloor !== undefined && otherFloor >= floor) {
      problems.push(`packages/${name} (floor ${floor}) depends on ${dep} (floor ${otherFloor}); a package may use only lower floors`);
    }
  }
  for (const file of sourceFiles(path.join(packagesDir, name, 'src'))) {
    const text = readFileSync(file, 'utf8');
    for (const [, dep] of text.matchAll(/(?:from|import)\s+'(@a2f\/[a-z-]+)'/g)) {
      if (dep && !deps.includes(dep))
        problems.push(`${path.relative(ROOT, file)} imports ${dep}, which packages/${name}/package.json does not list`);
    }
  }
}
if (problems.length > 0) {
  for (const p of problems) console.error(`floors: ${p}`);
  process.exit(1);
}

#!/usr/bin/env node
// Code comments once cited numbered sections of notes kept outside the repository. This rewrites those
// citations into links to the repo's own docs/ (issue 9: comments cite docs/, never a file outside the repo),
// and with --check keeps it so in `npm run lint`.
//
//   node tools/lint/cite-docs.mjs              rewrite; prints each file it changed; exit 1 (and writes
//                                              nothing) when a cited section has no mapping
//   node tools/lint/cite-docs.mjs --dry-run    print every line it would change, write nothing
//   node tools/lint/cite-docs.mjs --check      exit 1 if code still holds a section sign, a path into the
//                                              team's shared/ or reference/ notes, or a docs/ link whose
//                                              file or heading does not exist
//   --root <dir>                               the repository to work on (default: two folders above this file)
//
// The section → docs map is tools/lint/cite-docs-map.json. Code files are *.ts, *.mts, *.mjs, *.cjs that git
// tracks (or would track: untracked files that are not ignored); outside a git checkout, every such file
// below the root except node_modules, dist and dot-folders.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const SECTION = '\u00a7';
const MAX_LINE = 140;
const CODE_FILE = /\.(?:ts|mts|mjs|cjs)$/;
const SELF = 'tools/lint/cite-docs.mjs';

/**
 * One citation: an optional name of the notes, the section sign, a section number, an optional second
 * number after an en dash ("5.1–5.2"), an optional "step 4" / "steps 1–3".
 */
const CITATION = new RegExp(
  String.raw`(?:(?:the\s+)?(?:shared\s+)?reference\s+)?` +
    String.raw`(?:(a2f-v2\.3-model\.md|usd-writing-and-validation\.md|a2f-v2\.3)\s+)?` +
    `${SECTION}\\s?(\\d+(?:\\.\\d+)*)?` +
    String.raw`(?:\s?–\s?${SECTION}?(\d+(?:\.\d+)*))?` +
    String.raw`(?:,?\s+(steps?\s+\d+(?:\s?[–-]\s?\d+)?))?`,
  'g',
);

/** Paths into the team's notes outside the repository; code must not cite them. */
const OUTSIDE = [
  /(?:\.\.\/)+shared\//,
  /(?<![\w.-])shared\/(?:reference|DESIGN\.md|hooks|lipsync-judge)/,
  /\b(?:a2f-v2\.3-model|usd-writing-and-validation|dependencies-and-peers)\.md\b/,
];

/** A docs/ link in code: docs/<file>.md with an optional #anchor. */
const DOCS_LINK = /(?<![\w/.-])docs\/[\w-]+(?:\/[\w-]+)*\.md(?:#[\w-]+)?/g;

function parseArgs(argv) {
  const opts = { mode: 'write', root: path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..') };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--check') opts.mode = 'check';
    else if (a === '--dry-run') opts.mode = 'dry-run';
    else if (a === '--root' && argv[i + 1]) opts.root = path.resolve(argv[++i]);
    else {
      console.error(`cite-docs: unknown argument "${a}". Use --check, --dry-run or --root <dir>.`);
      process.exit(2);
    }
  }
  return opts;
}

/** Repo-relative code files: git's view where there is one, else a walk that skips build and dependency folders. */
function codeFiles(root) {
  let listed;
  try {
    const out = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      maxBuffer: 64 * 1024 * 1024,
    });
    listed = [...new Set(out.split('\0').filter(Boolean))];
  } catch {
    listed = walk(root, '');
  }
  return listed.filter((f) => CODE_FILE.test(f) && f !== SELF && existsSync(path.join(root, f))).sort();
}

function walk(root, rel) {
  const out = [];
  for (const e of readdirSync(path.join(root, rel), { withFileTypes: true })) {
    if (e.name.startsWith('.') || e.name === 'node_modules' || e.name === 'dist') continue;
    const child = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...walk(root, child));
    else if (e.isFile()) out.push(child);
  }
  return out;
}

function loadMap(root) {
  const file = path.join(root, 'tools/lint/cite-docs-map.json');
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    console.error(`${file}: cannot be read as JSON (${err.message}). Restore it from the repository.`);
    process.exit(2);
  }
}

/** Which notes a citation means: the file it names, else the USD notes inside packages/usd, else the NVIDIA notes. */
function notesFor(named, file, map) {
  if (named === 'usd-writing-and-validation.md') return 'usd';
  if (named) return 'nvidia';
  return map.usdPaths.some((p) => file.startsWith(p)) ? 'usd' : 'nvidia';
}

/** Rewrites one line's citations; `missing` collects the ones with no mapping. */
function rewriteLine(line, file, map, missing) {
  return line.replace(CITATION, (whole, named, sec, sec2, steps) => {
    const notes = notesFor(named, file, map);
    const sections = map.maps[notes];
    const target = sec === undefined ? undefined : sections[sec];
    if (target === undefined) {
      missing.push(`${notes} ${SECTION}${sec ?? '(no number)'} in "${whole.trim()}"`);
      return whole;
    }
    if (steps) {
      const single = /^step\s+(\d+)$/.exec(steps);
      const own = single && map.steps?.[notes]?.[`${sec} step ${single[1]}`];
      return own ?? `${target}, ${steps}`;
    }
    if (sec2 === undefined) return target;
    const second = sections[sec2];
    if (second === undefined) {
      missing.push(`${notes} ${SECTION}${sec2} in "${whole.trim()}"`);
      return whole;
    }
    if (second === target) return target;
    const [file1] = target.split('#');
    const [file2, anchor2] = second.split('#');
    return file1 === file2 && anchor2 ? `${target}, #${anchor2}` : `${target}, ${second}`;
  });
}

/** "§4.1 PCA" became "…#pca PCA": the word after a link that only repeats its anchor goes. */
function dropEcho(line) {
  return line.replace(/(\bdocs\/[\w/.-]+#(?:[\w]+-)*([\w]+)) (\w+)\b/g, (whole, link, last, word) =>
    word.toLowerCase() === last.toLowerCase() ? link : whole,
  );
}

/**
 * Splits a comment line longer than MAX_LINE at spaces, keeping its indent and comment prefix. When the next
 * lines continue the same prose (same prefix, starting with a word), the overflow is filled into them rather
 * than left as a stub line; `joined` says how many following lines the result replaces.
 */
function wrapComment(line, following = []) {
  if (line.length <= MAX_LINE) return { lines: [line], joined: 0 };
  const single = /^(\s*)\/\*\*\s+(.*?)\s*\*\/\s*$/.exec(line);
  if (single) {
    const [, indent, body] = single;
    return { lines: [`${indent}/**`, ...fill(`${indent} * `, body), `${indent} */`], joined: 0 };
  }
  const m = /^(\s*)(\/\/+ ?|\* ?|\/\*\*? ?)(.*)$/.exec(line);
  if (!m) return { lines: [line], joined: 0 };
  const [, indent, prefix, body] = m;
  const rest = prefix.startsWith('//') ? `${indent}${prefix}` : prefix.startsWith('/*') ? `${indent} * ` : `${indent}${prefix}`;
  // Fill the overflow into the following prose lines of the same comment, one at a time, until the last
  // line is no stub (or the paragraph ends: a blank, indented, list or closing line).
  let text = body;
  let lines = fill(`${indent}${prefix}`, text, rest);
  let joined = 0;
  while (lines.length > 1 && lines[lines.length - 1].length < MAX_LINE - 40) {
    const nextLine = following[joined];
    const nextBody = nextLine?.startsWith(rest) && !nextLine.includes('*/') ? nextLine.slice(rest.length) : '';
    if (!/^[\p{L}(`'"]/u.test(nextBody) || /^\d+[.)]\s/.test(nextBody)) break;
    text = `${text} ${nextBody}`;
    lines = fill(`${indent}${prefix}`, text, rest);
    joined++;
  }
  return { lines, joined };
}

/** Greedy fill of `body` into lines of at most MAX_LINE characters; a word longer than a line stands alone. */
function fill(first, body, rest = first) {
  const out = [];
  let cur = first;
  let empty = true;
  for (const word of body.split(/ +/)) {
    if (!empty && cur.length + 1 + word.length > MAX_LINE) {
      out.push(cur);
      cur = rest + word;
    } else {
      cur += (empty ? '' : ' ') + word;
    }
    empty = false;
  }
  out.push(cur);
  return out;
}

const isComment = (line) => /^\s*(?:\/\/|\/\*|\*)/.test(line);

/** Every docs/ target of the map must exist, heading included, before anything is rewritten to cite it. */
function deadTargets(root, map) {
  const targets = [...Object.values(map.maps), ...Object.values(map.steps ?? {})].flatMap((m) => Object.values(m));
  return [...new Set(targets)].filter((t) => deadLink(root, t, new Map()) !== null);
}

function rewrite(root, files, map, mode) {
  const dead = deadTargets(root, map);
  if (dead.length > 0) {
    console.error(`cite-docs: the map points at ${dead.length} missing docs file(s) or heading(s); nothing was written.`);
    for (const t of dead) console.error(`  ${t}: ${deadLink(root, t, new Map())}`);
    console.error('Fix tools/lint/cite-docs-map.json or add the heading to the doc, then run again.');
    return 1;
  }
  const missing = [];
  const changed = [];
  const long = [];
  for (const file of files) {
    const text = readFileSync(path.join(root, file), 'utf8');
    if (!text.includes(SECTION)) continue;
    const lines = text.split('\n');
    const out = [];
    const before = missing.length;
    let touched = false;
    const rewritten = lines.map((line, i) => {
      if (!line.includes(SECTION)) return line;
      const fileMissing = [];
      const next = dropEcho(rewriteLine(line, file, map, fileMissing));
      for (const m of fileMissing) missing.push(`${file}:${i + 1}: no mapping for ${m}`);
      return next;
    });
    for (let i = 0; i < lines.length; i++) {
      const next = rewritten[i];
      if (next === lines[i]) {
        out.push(next);
        continue;
      }
      touched = true;
      const at = `${file}:${i + 1}`;
      const first = i;
      let wrapped = [next];
      if (isComment(next)) {
        const w = wrapComment(next, rewritten.slice(i + 1));
        wrapped = w.lines;
        i += w.joined;
      } else if (next.length > MAX_LINE && lines[i].length <= MAX_LINE) {
        long.push(`${at}: ${next.length} characters (not a comment line; wrap it by hand)`);
      }
      if (mode === 'dry-run') {
        const old = lines.slice(first, i + 1);
        console.log(`${at}\n${old.map((l) => `  - ${l.trim()}`).join('\n')}\n${wrapped.map((w) => `  + ${w.trim()}`).join('\n')}`);
      }
      out.push(...wrapped);
    }
    if (touched && missing.length === before) changed.push({ file, text: out.join('\n') });
  }
  if (missing.length > 0) {
    console.error(`cite-docs: ${missing.length} citation(s) have no mapping; nothing was written.`);
    for (const m of missing) console.error(`  ${m}`);
    console.error('Add each section to tools/lint/cite-docs-map.json (with a docs/ heading it can point at), then run again.');
    return 1;
  }
  for (const c of changed) {
    if (mode === 'write') writeFileSync(path.join(root, c.file), c.text);
    console.log(`${mode === 'write' ? 'rewrote' : 'would rewrite'} ${c.file}`);
  }
  for (const l of long) console.error(`warning: ${l}`);
  console.log(`cite-docs: ${changed.length} file(s) ${mode === 'write' ? 'rewritten' : 'to rewrite'}.`);
  return 0;
}

/** GitHub's heading anchors of a Markdown file, plus explicit <a id> / <a name> anchors. */
function anchorsOf(text) {
  const anchors = new Set();
  const seen = new Map();
  let fence = false;
  for (const line of text.split('\n')) {
    if (/^\s*(```|~~~)/.test(line)) fence = !fence;
    if (fence) continue;
    for (const m of line.matchAll(/<a\s+(?:id|name)="([^"]+)"/g)) anchors.add(m[1]);
    const h = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!h) continue;
    const base = h[1]
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    anchors.add(n === 0 ? base : `${base}-${n}`);
  }
  return anchors;
}

/** Why a docs/ link does not resolve (its file or its heading is missing), or null when it does. */
function deadLink(root, link, anchorCache) {
  const [doc, anchor] = link.split('#');
  const abs = path.join(root, doc);
  if (!existsSync(abs)) return `${doc} does not exist`;
  if (!anchor) return null;
  if (!anchorCache.has(doc)) anchorCache.set(doc, anchorsOf(readFileSync(abs, 'utf8')));
  return anchorCache.get(doc).has(anchor) ? null : `${doc} has no heading with the anchor #${anchor}`;
}

function check(root, files) {
  const problems = [];
  const anchorCache = new Map();
  for (const file of files) {
    const lines = readFileSync(path.join(root, file), 'utf8').split('\n');
    lines.forEach((line, i) => {
      const at = `${file}:${i + 1}`;
      if (line.includes(SECTION)) problems.push(`${at}: cites a numbered section (${SECTION}) of notes outside the repo`);
      if (OUTSIDE.some((re) => re.test(line))) problems.push(`${at}: names a file of the team's notes outside the repo`);
      for (const [link] of line.matchAll(DOCS_LINK)) {
        const dead = deadLink(root, link, anchorCache);
        if (dead) problems.push(`${at}: ${link}: ${dead}`);
      }
    });
  }
  if (problems.length === 0) {
    console.log(`cite-docs --check: ${files.length} code files cite only the repo's own docs.`);
    return 0;
  }
  console.error(`cite-docs --check: ${problems.length} problem(s):`);
  for (const p of problems) console.error(`  ${p}`);
  console.error(
    'Cite docs/ in the repo instead: `node tools/lint/cite-docs.mjs` rewrites section signs (map: tools/lint/cite-docs-map.json); ' +
      'fix a dead docs/ link by naming an existing file and heading.',
  );
  return 1;
}

const opts = parseArgs(process.argv.slice(2));
const files = codeFiles(opts.root);
process.exitCode = opts.mode === 'check' ? check(opts.root, files) : rewrite(opts.root, files, loadMap(opts.root), opts.mode);

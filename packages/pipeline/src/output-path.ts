import { existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { JobError } from './errors.js';
import { fileStem, safeFileName } from './names.js';
import { makeDirs } from './output-dir.js';
import { ASSETS_DIR } from './tool.js';

/**
 * Output path templates: where a line's layer, report and error file go under the output root.
 *
 * A template is a relative path with `{variable}` placeholders, e.g. `{shot}/{character}/{name}.usda`.
 * The last segment names the layer; a trailing `.usda` is optional and stripped, because the
 * pipeline derives every file of the line from that base (`<base>.usda`, `<base>.anim.usda` +
 * `<base>.shot.usda`, `<base>.report.json`, `<base>.error.json`).
 *
 * Templates and their values come from people and files we do not control (a sidecar's `output`,
 * a file name dropped into a watch folder), so rendering is a guard as much as a formatter: the
 * result is always strictly inside the output root, or a JobError('OUTPUT_PATH') that says why.
 */
export const OUTPUT_PATH_VARIABLES = {
  name: 'the audio file name without extension as given, only what a file system forbids replaced by _ (docs/output-names.md)',
  stem: 'the audio file name without extension, exactly as dropped',
  ext: 'the audio file extension without the dot, lower case',
  dir: 'the folder of the audio file relative to the watch folder ("" at the top; may hold several segments)',
  shot:
    'the shot: the named group "shot" of the shot pattern matched against the ' +
    'path relative to the watch folder (default: its first folder), or "unsorted"',
  character: 'the character asset file name without extension',
  model: '"default" or the model pack folder name',
  fps: 'the frame rate label (24, 29.97, 30000-1001 for other ratios)',
  date: 'the local date the line is processed, YYYY-MM-DD',
} as const;

export type OutputPathVariable = keyof typeof OUTPUT_PATH_VARIABLES;
export type OutputPathVars = Readonly<Record<OutputPathVariable, string>>;

/** Variables that may span several folders; every other value must be one path segment. */
const MULTI_SEGMENT: ReadonlySet<string> = new Set(['dir']);

export const PATH_TEMPLATES_DIR = path.join(ASSETS_DIR, 'paths');
export const DEFAULT_PATH_TEMPLATE = 'default';

/** Default shot pattern: the first folder of the path relative to the watch folder. */
export const DEFAULT_SHOT_PATTERN = '^(?<shot>[^/]+)/';
export const NO_SHOT = 'unsorted';

export interface OutputLocation {
  /** the template after substitution and normalisation, forward slashes, relative to the root */
  readonly relative: string;
  /** absolute folder the line's files go to */
  readonly dir: string;
  /** file name base of the line's files (no extension) */
  readonly base: string;
}

export class OutputPathError extends JobError {
  constructor(file: string, problem: string, fix: string) {
    super('OUTPUT_PATH', file, problem, fix);
    this.name = 'OutputPathError';
  }
}

const FIX =
  'Use a relative template such as "{shot}/{character}/{name}.usda" whose values stay inside the output folder ' +
  '(see README, "Path templates").';

/**
 * A template by name (`templates/paths/<name>.txt`), by file path, or given inline (anything with
 * a `{`). Template files hold one template line; blank lines and `#` comments are skipped.
 */
export function loadPathTemplate(spec: string): string {
  if (spec.includes('{')) return spec;
  const isPath = spec.endsWith('.txt') || spec.includes('/') || spec.includes(path.sep);
  const file = isPath ? path.resolve(spec) : path.join(PATH_TEMPLATES_DIR, `${spec}.txt`);
  if (!existsSync(file)) {
    throw new OutputPathError(
      file,
      `no path template "${spec}"`,
      `Use one of: ${pathTemplateNames().join(', ') || '(none installed)'}, a template file, ` +
        'or an inline template such as "{dir}/{name}.usda".',
    );
  }
  const lines = readFileSync(file, 'utf8')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  if (lines.length !== 1)
    throw new OutputPathError(
      file,
      `holds ${lines.length} template lines, expected 1`,
      'Keep one template line; comment lines start with #.',
    );
  return lines[0]!;
}

export function pathTemplateNames(): string[] {
  if (!existsSync(PATH_TEMPLATES_DIR)) return [];
  return readdirSync(PATH_TEMPLATES_DIR)
    .filter((f) => f.endsWith('.txt'))
    .map((f) => f.slice(0, -4))
    .sort();
}

/** Throws unless `template` is syntactically valid: known variables, relative, no stray braces. */
export function checkPathTemplate(template: string, source = 'output path template'): void {
  render(template, null, source);
}

/**
 * Substitutes `vars` into `template` and checks the result stays inside `root`: no absolute
 * template, no drive letter or `:`, no `..` segment, no NUL or control character, no separator
 * inside a one-segment value, no folder on the way that is a symlink leading out of the root.
 * `source` names where the template came from (a sidecar file, --paths) in errors.
 */
export function renderOutputPath(template: string, vars: OutputPathVars, root: string, source = 'output path template'): OutputLocation {
  const segments = render(template, vars, source);
  const base = segments.pop()!.replace(/\.usda$/i, '');
  if (base === '' || base === '.' || base === '..') {
    throw new OutputPathError(source, `the template "${template}" names no file (last segment "${base}")`, FIX);
  }
  const absRoot = path.resolve(root);
  const dir = path.join(absRoot, ...segments);
  const rel = path.relative(absRoot, path.join(dir, base));
  // Belt and braces: the segment checks above already make this impossible.
  if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) {
    throw new OutputPathError(source, `"${template}" resolves outside the output folder`, FIX);
  }
  return { relative: [...segments, base].join('/'), dir, base };
}

/**
 * Creates the location's folder and checks that, after following symlinks, it is still inside the
 * output root (a symlinked folder in the output tree could otherwise carry writes elsewhere).
 * Folders created here are new real folders, so only existing ones need resolving.
 */
export function ensureOutputDir(location: OutputLocation, root: string, source = 'output path template'): void {
  const absRoot = path.resolve(root);
  makeDirs(absRoot);
  const realRoot = realpathSync(absRoot);
  let cur = absRoot;
  for (const seg of path.relative(absRoot, location.dir).split(path.sep).filter(Boolean)) {
    cur = path.join(cur, seg);
    let isLink = false;
    try {
      isLink = lstatSync(cur).isSymbolicLink();
    } catch {
      mkdirSync(cur);
      continue;
    }
    if (isLink) {
      const real = realpathSync(cur);
      const rel = path.relative(realRoot, real);
      if (rel.startsWith('..') || path.isAbsolute(rel)) {
        throw new OutputPathError(
          source,
          `the folder ${cur} is a symbolic link to ${real}, outside the output folder ${absRoot}`,
          'Remove the link or point it inside the output folder; layers are never written outside it.',
        );
      }
    }
  }
  if (!lstatSync(location.dir, { throwIfNoEntry: false })) makeDirs(location.dir);
}

/** The template's segments after substitution (or, with vars null, only checked for syntax). */
function render(template: string, vars: OutputPathVars | null, source: string): string[] {
  const fail = (problem: string): never => {
    throw new OutputPathError(source, problem, FIX);
  };
  if (typeof template !== 'string' || template.trim() === '') fail('the output path template is empty');
  if (hasControl(template)) fail(`the template ${JSON.stringify(template)} holds a NUL or control character`);
  if (/^[\\/]/.test(template)) fail(`the template "${template}" is absolute; it must be relative to the output folder`);
  if (/^[A-Za-z]:/.test(template)) fail(`the template "${template}" starts with a drive letter; it must be relative to the output folder`);
  let out = '';
  let last = 0;
  const re = /\{([^{}]*)\}/g;
  for (let m = re.exec(template); m; m = re.exec(template)) {
    const literal = template.slice(last, m.index);
    if (/[{}]/.test(literal)) fail(`the template "${template}" has an unmatched brace`);
    out += literal;
    const name = m[1]!;
    if (!Object.hasOwn(OUTPUT_PATH_VARIABLES, name)) {
      fail(
        `the template "${template}" uses the unknown variable {${name}}; known: ${Object.keys(OUTPUT_PATH_VARIABLES)
          .map((v) => `{${v}}`)
          .join(', ')}`,
      );
    }
    if (vars) out += checkValue(name, vars[name as OutputPathVariable], source);
    else out += 'x';
    last = m.index + m[0].length;
  }
  const tail = template.slice(last);
  if (/[{}]/.test(tail)) fail(`the template "${template}" has an unmatched brace`);
  out += tail;

  const segments: string[] = [];
  // Shown without the leading separator an empty {dir} leaves (the template itself is relative).
  out = out.replace(/^[\\/]+/, '');
  for (const seg of out.split(/[\\/]/)) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') fail(`"${template}" gives the path "${out}", whose ".." would leave the output folder`);
    if (seg.includes(':'))
      fail(`"${template}" gives the path "${out}", whose segment "${seg}" holds ":" (a drive letter or alternate data stream)`);
    if (Buffer.byteLength(seg) > 255) fail(`"${template}" gives a path segment longer than 255 bytes`);
    segments.push(seg);
  }
  if (segments.length === 0) fail(`"${template}" gives an empty path`);
  return segments;
}

function checkValue(name: string, value: string | undefined, source: string): string {
  const fail = (problem: string): never => {
    throw new OutputPathError(source, `the value of {${name}} ${problem}`, FIX);
  };
  if (value === undefined) return fail('is not known for this line');
  if (hasControl(value)) fail(`${JSON.stringify(value)} holds a NUL or control character`);
  if (!MULTI_SEGMENT.has(name) && /[\\/]/.test(value)) fail(`"${value}" holds a path separator`);
  if (path.isAbsolute(value) || /^[\\/]/.test(value)) fail(`"${value}" is an absolute path`);
  return value;
}

const hasControl = (s: string): boolean => /[\u0000-\u001f\u007f]/.test(s);

/** The fps label as a path value: "24", "29.97"; other ratios as "num-den". */
export function fpsPathLabel(fps: { num: number; den: number }): string {
  if (fps.den === 1) return String(fps.num);
  if (fps.den === 1001) return (fps.num / 1001).toFixed(2);
  return `${fps.num}-${fps.den}`;
}

/** File-system-safe stem: the same rule as a line's output name (docs/output-names.md). */
export const safeStem = fileStem;

export interface LineVariableInput {
  /** the audio file (absolute or relative to cwd) */
  readonly audio: string;
  /** the folder relative paths and {dir} are taken from (the watch folder); default: the audio's folder */
  readonly inputRoot?: string;
  readonly character: string;
  /** "default" or a pack folder */
  readonly model: string;
  readonly fps: { num: number; den: number };
  /** regular expression with a named group "shot", matched against the path relative to inputRoot */
  readonly shotPattern?: string;
  readonly date?: Date;
}

/** The template variables of one line. */
export function lineVariables(input: LineVariableInput): OutputPathVars {
  const audio = path.resolve(input.audio);
  const root = path.resolve(input.inputRoot ?? path.dirname(audio));
  const rel = path.relative(root, audio).split(path.sep).join('/');
  const dir = path.posix.dirname(rel);
  const base = path.basename(audio);
  const dot = base.lastIndexOf('.');
  const date = input.date ?? new Date();
  const shot = matchShot(rel, input.shotPattern ?? DEFAULT_SHOT_PATTERN);
  return {
    name: safeStem(audio),
    stem: dot > 0 ? base.slice(0, dot) : base,
    ext: dot > 0 ? base.slice(dot + 1).toLowerCase() : '',
    dir: dir === '.' ? '' : dir,
    shot,
    character: safeStem(input.character),
    model: input.model === 'default' ? 'default' : safeFileName(path.basename(path.resolve(input.model))),
    fps: fpsPathLabel(input.fps),
    date: `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, '0')}-${String(date.getDate()).padStart(2, '0')}`,
  };
}

/** Compiles a shot pattern, or throws a JobError naming the problem. */
export function compileShotPattern(pattern: string): RegExp {
  let re: RegExp;
  try {
    re = new RegExp(pattern);
  } catch (err) {
    throw new JobError(
      'BAD_SETTING',
      'shot pattern',
      `"${pattern}" is not a valid regular expression (${(err as Error).message})`,
      'Give a JavaScript regular expression with a named group, e.g. "^(?<shot>[^/]+)/".',
    );
  }
  if (!/\(\?<shot>/.test(pattern)) {
    throw new JobError(
      'BAD_SETTING',
      'shot pattern',
      `"${pattern}" has no named group "shot"`,
      'Name the part that is the shot: (?<shot>…), e.g. "(?<shot>sh\\d+)_".',
    );
  }
  return re;
}

function matchShot(rel: string, pattern: string): string {
  const m = compileShotPattern(pattern).exec(rel);
  const shot = m?.groups?.shot;
  return shot ? shot : NO_SHOT;
}

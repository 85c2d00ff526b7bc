// The corpora (docs/lipsync-eval.md#corpora): lines kept in the repo as text (tools/lipsync/corpora/*.tsv),
// spoken on demand into .tmp/lipsync/corpora, once per content: the folder's name holds a hash of the
// lines, the phonemizer's source and the degradation code, so a change to any of them makes a new one.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { A2fError } from '@a2f/base';
import { degrade, isDegradation, DEGRADATIONS, type Degradation } from './degrade.js';
import { resample } from './dsp.js';
import { CACHE_DIR, PHONEMIZE_SOURCE, TOOL_DIR } from './phonemizer.js';
import { synthesize } from './synthesize.js';
import { checkTimeline, type Timeline } from './timeline.js';
import { readWav, writeWav } from './wav.js';

export const SETS = ['dev', 'heldout', 'foreign'] as const;
export const CORPORA_DIR = path.join(TOOL_DIR, 'corpora');
/** rate of the degraded copies: the A2F models' input rate */
export const DEGRADED_RATE = 16000;

export interface CorpusLine {
  readonly id: string;
  readonly voice: string;
  readonly wpm: number;
  readonly text: string;
}

export interface CorpusItem extends CorpusLine {
  readonly wav: string;
  readonly json: string;
  readonly timeline: Timeline;
}

export interface Corpus {
  /** the set's name (or the TSV file it came from) and the degradation, `clean` for none */
  readonly set: string;
  readonly variant: Degradation | 'clean';
  readonly dir: string;
  readonly items: readonly CorpusItem[];
}

/** A set by name (dev, heldout, foreign) or a TSV file of one's own: id, voice, wpm, text per line. */
export function corpusFile(set: string): string {
  if ((SETS as readonly string[]).includes(set)) return path.join(CORPORA_DIR, `${set}.tsv`);
  if (existsSync(set)) return path.resolve(set);
  throw new A2fError(
    'CORPUS',
    set,
    'is neither a set (dev, heldout, foreign) nor a TSV file',
    'Name a set or give the path of a TSV file.',
  );
}

export function readCorpusLines(file: string): CorpusLine[] {
  const lines: CorpusLine[] = [];
  const ids = new Set<string>();
  readFileSync(file, 'utf8')
    .split('\n')
    .forEach((row, n) => {
      if (!row.trim() || row.startsWith('#') || row.startsWith('id\t')) return;
      const [id, voice, wpm, text] = row.split('\t');
      const where = `${file}:${n + 1}`;
      if (!id || !voice || !text || !/^[\w.+-]+$/.test(id) || !(Number(wpm) >= 80 && Number(wpm) <= 450)) {
        throw new A2fError(
          'CORPUS',
          where,
          'is not "id<TAB>voice<TAB>wpm<TAB>text" (id of letters, digits, . + - _; wpm 80–450)',
          'Correct the line.',
        );
      }
      if (ids.has(id)) throw new A2fError('CORPUS', where, `repeats the id ${id}`, 'Give every line its own id.');
      ids.add(id);
      lines.push({ id, voice, wpm: Number(wpm), text: text.trim() });
    });
  return lines;
}

const sha = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');
/** The code whose output a cached corpus holds: a change to it must not reuse an old folder. */
const CODE = [
  PHONEMIZE_SOURCE,
  fileURLToPath(new URL('./degrade.js', import.meta.url)),
  fileURLToPath(new URL('./dsp.js', import.meta.url)),
];

function codeHash(): string {
  return sha(CODE.map((f) => (existsSync(f) ? sha(readFileSync(f)) : sha(readFileSync(f.replace(/\.js$/, '.ts'))))).join());
}

export interface BuildOptions {
  readonly degrade?: Degradation;
  readonly leadMs?: number;
  readonly tailMs?: number;
  /** where corpora are cached (default .tmp/lipsync/corpora) */
  readonly cacheDir?: string;
}

/**
 * The WAVs and timelines of a set, clean or degraded, spoken (and degraded) only when no folder of
 * the same content exists yet. Test workers may build the same one at once: each writes its own
 * folder and renames it into place; the loser's copy is dropped.
 */
export async function buildCorpus(set: string, o: BuildOptions = {}): Promise<Corpus> {
  const file = corpusFile(set);
  const lines = readCorpusLines(file);
  const lead = o.leadMs ?? 500;
  const tail = o.tailMs ?? 500;
  const name = path.basename(file, '.tsv');
  const key = sha(JSON.stringify({ lines, lead, tail, code: codeHash() })).slice(0, 12);
  const base = path.join(o.cacheDir ?? path.join(CACHE_DIR, 'corpora'), `${name}-${key}`);
  const clean = await cached(path.join(base, 'clean'), async (dir) => {
    await Promise.all(lines.map((l) => synthesize({ ...l, leadMs: lead, tailMs: tail, outDir: dir, id: l.id })));
  });
  let dir = clean;
  if (o.degrade) {
    const kind = o.degrade;
    if (!isDegradation(kind)) {
      throw new A2fError('CORPUS', kind, 'is not a degradation', `Use one of ${DEGRADATIONS.join(', ')}.`);
    }
    dir = await cached(path.join(base, kind), async (out) => {
      for (const l of lines) {
        const timeline = loadTimeline(path.join(clean, `${l.id}.json`));
        const sound = readWav(path.join(clean, `${l.id}.wav`));
        // Kept at the model's 16 kHz: decoding then needs no resampling, the bulk of a run's time (the
        // clean lines stay at the synthesizer's rate and are resampled by @a2f/audio, as a2f run does).
        const samples = resample(degrade(sound, timeline, kind, l.id).samples, sound.rate, DEGRADED_RATE);
        writeWav(path.join(out, `${l.id}.wav`), { rate: DEGRADED_RATE, samples });
        const moved = { ...timeline, sample_rate: DEGRADED_RATE, num_samples: samples.length, degradation: kind };
        writeFileSync(path.join(out, `${l.id}.json`), JSON.stringify(moved, null, 1) + '\n');
      }
    });
  }
  const items = lines.map((l) => ({
    ...l,
    wav: path.join(dir, `${l.id}.wav`),
    json: path.join(dir, `${l.id}.json`),
    timeline: loadTimeline(path.join(dir, `${l.id}.json`)),
  }));
  return { set: name, variant: o.degrade ?? 'clean', dir, items };
}

function loadTimeline(file: string): Timeline {
  const json: unknown = JSON.parse(readFileSync(file, 'utf8'));
  checkTimeline(json, file);
  return json;
}

async function cached(dir: string, make: (dir: string) => Promise<void>): Promise<string> {
  const done = path.join(dir, '.complete');
  if (existsSync(done)) return dir;
  const tmp = `${dir}.tmp-${process.pid}-${Date.now()}`;
  mkdirSync(tmp, { recursive: true });
  try {
    await make(tmp);
    writeFileSync(path.join(tmp, '.complete'), '');
    // A folder only ever appears by this rename, complete; when another worker's got there first, ours goes.
    renameSync(tmp, dir);
  } catch (err) {
    if (!existsSync(done)) throw err;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return dir;
}

// Speech with a phoneme timeline: espeak-ng through our phonemizer, or festival (docs/lipsync-eval.md#timelines).
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { A2fError } from '@a2f/base';
import { ensurePhonemizer } from './phonemizer.js';
import { checkTimeline, TIMELINE_FORMAT, type Timeline, type TimelinePhoneme } from './timeline.js';
import { readWav, writeWav } from './wav.js';

const run = promisify(execFile);

export interface SynthesizeOptions {
  readonly text: string;
  /** an espeak-ng voice: en-us, en+f3, en-gb-x-rp, de, fr+m2, … */
  readonly voice: string;
  /** words per minute, 80–450 */
  readonly wpm: number;
  /** espeak-ng pitch 0–99 (default: the voice's) */
  readonly pitch?: number;
  /** silence before and after the speech, ms */
  readonly leadMs: number;
  readonly tailMs: number;
  readonly outDir: string;
  /** file stem: `<outDir>/<id>.wav` and `<outDir>/<id>.json` */
  readonly id: string;
}

export interface Synthesized {
  /** path of the WAV (espeak-ng: 22050 Hz, festival: 16 kHz, mono 16-bit) */
  readonly wav: string;
  /** path of the timeline JSON beside it */
  readonly json: string;
  readonly timeline: Timeline;
}

/** espeak-ng speaks `text`; the WAV and its timeline are written to outDir. */
export async function synthesize(o: SynthesizeOptions): Promise<Synthesized> {
  const bin = ensurePhonemizer();
  mkdirSync(o.outDir, { recursive: true });
  const wav = path.join(o.outDir, `${o.id}.wav`);
  const json = path.join(o.outDir, `${o.id}.json`);
  const args = ['-v', o.voice, '-s', String(o.wpm), '--lead', String(o.leadMs), '--tail', String(o.tailMs)];
  if (o.pitch !== undefined) args.push('-p', String(o.pitch));
  args.push('-w', wav, '-j', json, '--', o.text);
  try {
    await run(bin, args);
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new A2fError(
      'SYNTHESIZE',
      json,
      `phonemize failed for ${o.id} (${(e.stderr || e.message).trim()})`,
      'Check the voice and rate.',
      {
        cause: err,
      },
    );
  }
  const timeline: unknown = JSON.parse(readFileSync(json, 'utf8'));
  checkTimeline(timeline, json);
  return { wav, json, timeline };
}

/**
 * festival's phones (its "radio" set) as espeak-ng mnemonics, so the classes and metrics read both
 * synthesizers the same way; the original name stays in each phoneme's `festival` field.
 */
export const FESTIVAL_PHONES: Readonly<Record<string, string>> = {
  aa: 'A:',
  ae: 'a',
  ah: 'V',
  ao: 'O:',
  aw: 'aU',
  ax: '@',
  axr: '3',
  ay: 'aI',
  eh: 'E',
  er: '3:',
  ey: 'eI',
  ih: 'I',
  iy: 'i:',
  ow: 'oU',
  oy: 'OI',
  uh: 'U',
  uw: 'u:',
  b: 'b',
  ch: 'tS',
  d: 'd',
  dh: 'D',
  f: 'f',
  g: 'g',
  hh: 'h',
  jh: 'dZ',
  k: 'k',
  l: 'l',
  m: 'm',
  n: 'n',
  ng: 'N',
  p: 'p',
  r: 'r',
  s: 's',
  sh: 'S',
  t: 't',
  th: 'T',
  v: 'v',
  w: 'w',
  y: 'j',
  z: 'z',
  zh: 'Z',
  pau: '_',
};
const FESTIVAL_VOWELS = new Set(['aa', 'ae', 'ah', 'ao', 'aw', 'ax', 'axr', 'ay', 'eh', 'er', 'ey', 'ih', 'iy', 'ow', 'oy', 'uh', 'uw']);

export interface FestivalOptions {
  readonly text: string;
  readonly outDir: string;
  readonly id: string;
  readonly leadMs?: number;
  readonly tailMs?: number;
}

/**
 * festival (its default voice, kal_diphone) speaks `text`: the segment end times its utterance
 * holds (what `utt.save.segs` writes) become a timeline in the same format as espeak-ng's.
 */
export async function synthesizeFestival(o: FestivalOptions): Promise<Synthesized> {
  mkdirSync(o.outDir, { recursive: true });
  const wav = path.join(o.outDir, `${o.id}.wav`);
  const json = path.join(o.outDir, `${o.id}.json`);
  const raw = path.join(o.outDir, `${o.id}.festival.wav`);
  const script = path.join(o.outDir, `${o.id}.scm`);
  const quoted = (s: string): string => `"${s.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
  writeFileSync(
    script,
    [
      `(set! utt1 (Utterance Text ${quoted(o.text)}))`,
      '(utt.synth utt1)',
      `(utt.save.wave utt1 ${quoted(raw)} 'riff)`,
      `(mapcar (lambda (s) (format t "%s %f %s\\n" (item.name s) (item.feat s "end")` +
        ` (item.feat s "R:SylStructure.parent.stress"))) (utt.relation.items utt1 'Segment))`,
    ].join('\n'),
  );
  let stdout: string;
  try {
    ({ stdout } = await run('festival', ['-b', script]));
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    const fix = e.code === 'ENOENT' ? 'Install festival (sudo apt-get install -y festival).' : 'Check the text.';
    throw new A2fError('SYNTHESIZE', script, `festival failed (${(e.stderr || e.message).trim()})`, fix, { cause: err });
  }
  const sound = readWav(raw);
  rmSync(raw, { force: true });
  rmSync(script, { force: true });
  const lead = Math.round(((o.leadMs ?? 500) * sound.rate) / 1000);
  const tail = Math.round(((o.tailMs ?? 500) * sound.rate) / 1000);
  const padded = new Float32Array(lead + sound.samples.length + tail);
  padded.set(sound.samples, lead);
  writeWav(wav, { rate: sound.rate, samples: padded });
  const phonemes: TimelinePhoneme[] = [];
  let t = 0;
  for (const line of stdout.split('\n')) {
    const m = /^(\S+) ([\d.]+) (\d+)$/.exec(line.trim());
    if (!m) continue;
    const end = Number(m[2]);
    const name = m[1]!;
    const stress = FESTIVAL_VOWELS.has(name) && m[3] !== '0' ? 1 : 0;
    phonemes.push({
      i: phonemes.length,
      ph: FESTIVAL_PHONES[name] ?? name,
      festival: name,
      start: t + lead / sound.rate,
      end: end + lead / sound.rate,
      stress,
    });
    t = end;
  }
  if (!phonemes.length) throw new A2fError('SYNTHESIZE', script, 'festival printed no segments', 'Check that festival runs (festival -b).');
  const timeline: Timeline = {
    format: TIMELINE_FORMAT,
    source: 'festival kal_diphone',
    text: o.text,
    voice: 'festival:kal_diphone',
    sample_rate: sound.rate,
    wav: path.basename(wav),
    num_samples: padded.length,
    duration: padded.length / sound.rate,
    speech_start: lead / sound.rate,
    speech_end: (lead + sound.samples.length) / sound.rate,
    lead_ms: o.leadMs ?? 500,
    tail_ms: o.tailMs ?? 500,
    phonemes,
  };
  writeFileSync(json, JSON.stringify(timeline, null, 1) + '\n');
  return { wav, json, timeline };
}

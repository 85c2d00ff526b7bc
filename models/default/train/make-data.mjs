#!/usr/bin/env node
// Generates the default model's training set (models/README.md, "How the default model is
// trained"): espeak-ng (and, for some English lines, festival's diphone voice) speaks seeded
// pseudo-sentences in many voices, speeds and pitches; every
// utterance is resampled to 16 kHz by @a2f/audio (the path a real line takes) and, for most,
// degraded (noise, music, gain and clipping, telephone band, breaths and clicks); its phoneme
// timeline becomes articulator targets at 100 frames per second.
//
//   node models/default/train/make-data.mjs --out DIR [--count N] [--seed S]
//
// DIR/audio.f32 (all utterances, 16 kHz float32, concatenated), DIR/targets.f32 (100 fps × 11),
// DIR/index.json (per utterance: sample and frame offsets, lengths, voice, text, degradations).

import { createWriteStream, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { resample } from '@a2f/audio';
import { mulberry32 } from '../../lib/seeded.mjs';
import { breathsAndClicks, gainClip, mixAt, musicBed, noise, rms, telephone } from './augment.mjs';
import { pseudoSentence } from './sentences.mjs';
import { ARTICULATORS, articulatorTargets, isPause } from './targets.mjs';
import { speak } from './speak.mjs';

const RATE = 16000;
const FPS = 100;

const EN_VOICES = ['en', 'en-us', 'en-gb-x-rp', 'en-gb-scotland', 'en-029', 'en-gb-x-gbclan', 'en-gb-x-gbcwmd'];
const VARIANTS = ['', '+f1', '+f2', '+f3', '+f4', '+f5', '+m1', '+m2', '+m3', '+m4', '+m5', '+m6', '+m7', '+klatt', '+klatt2'];
const FOREIGN = ['de', 'fr', 'es', 'it', 'pt', 'nl', 'pl', 'sv'];

function args() {
  const a = process.argv.slice(2);
  const get = (flag, def) => {
    const i = a.indexOf(flag);
    return i >= 0 ? a[i + 1] : def;
  };
  return { out: get('--out'), count: Number(get('--count', 1200)), seed: Number(get('--seed', 1414)) };
}

/** Silent spans (sample ranges at 16 kHz) of a timeline: lead, pauses, tail. */
function silences(timeline, n) {
  const spans = [];
  let t = 0;
  for (const p of timeline.phonemes) {
    if (isPause(p.ph)) continue;
    if (p.start > t + 0.05) spans.push([Math.round(t * RATE), Math.round(p.start * RATE)]);
    t = Math.max(t, p.end);
  }
  spans.push([Math.round(t * RATE), n]);
  return spans;
}

async function degrade(x, timeline, rand, bedAlways) {
  const applied = [];
  const speech = rms(x) * 1.5 || 0.05;
  const pick = bedAlways ? 0.5 * rand() : rand();
  if (pick < 0.4) {
    const db = -25 + 25 * rand();
    mixAt(x, noise(x.length, rand, rand() < 0.6), db, speech);
    applied.push(`noise${Math.round(-db)}dB`);
  } else if (pick < 0.55) {
    const db = -20 + 14 * rand();
    mixAt(x, musicBed(x.length, rand), db, speech);
    applied.push(`music${Math.round(-db)}dB`);
  }
  if (rand() < 0.35) {
    breathsAndClicks(x, silences(timeline, x.length), rand, speech);
    applied.push('breaths');
  }
  if (rand() < 0.2) {
    x.set(await telephone(x));
    applied.push('phone');
  }
  if (rand() < 0.3) {
    const floor = 10 ** ((-80 + 30 * rand()) / 20);
    const nz = noise(x.length, rand, false);
    for (let i = 0; i < x.length; i++) x[i] += floor * nz[i];
    applied.push('floor');
  }
  return applied;
}

async function main() {
  const { out, count, seed } = args();
  if (!out) throw new Error('usage: make-data.mjs --out DIR [--count N] [--seed S]');
  rmSync(out, { recursive: true, force: true });
  mkdirSync(join(out, 'tmp'), { recursive: true });
  const audio = createWriteStream(join(out, 'audio.f32'));
  const targets = createWriteStream(join(out, 'targets.f32'));
  const index = { seed, count, rate: RATE, fps: FPS, articulators: ARTICULATORS, utterances: [] };
  // Each utterance draws from its own seeded generator, so utterances can be made concurrently (the
  // synthesizers are child processes) and still come out the same, written in order.
  const make = async (u) => {
    const rand = mulberry32((seed * 100003 + u) >>> 0);
    const foreign = rand() < 0.12;
    const festival = !foreign && rand() < 0.15;
    const lang = foreign ? FOREIGN[Math.floor(rand() * FOREIGN.length)] : EN_VOICES[Math.floor(rand() * EN_VOICES.length)];
    const voice = lang + VARIANTS[Math.floor(rand() * VARIANTS.length)];
    const text = pseudoSentence(rand, foreign);
    const wpm = Math.round(110 + 170 * rand());
    const pitch = Math.round(15 + 70 * rand());
    const lead = Math.round(150 + 600 * rand());
    const tail = Math.round(150 + 600 * rand());
    const engine = festival ? 'festival' : 'espeak';
    const dir = join(out, 'tmp', String(u));
    const said = await speak({ engine, text, voice, wpm, pitch, leadMs: lead, tailMs: tail, dir });
    rmSync(dir, { recursive: true, force: true });
    const x = await resample(said.samples, said.rate, RATE);
    // 7 % of clips hold no speech at all, only a noise or music bed (and breaths): a real file starts
    // with its room tone at sample 0, and that step out of the window's zero padding must not read as speech.
    const empty = rand() < 0.07;
    const timeline = empty ? { ...said.timeline, phonemes: [] } : said.timeline;
    if (empty) x.fill(0);
    const clean = !empty && rand() < 0.3;
    const applied = clean ? [] : await degrade(x, timeline, rand, empty);
    if (empty) applied.unshift('no speech');
    // Every line gets a level, uniform in dB from whisper-quiet to clipping, so level is no cue to shape.
    const db = -42 + 56 * rand();
    gainClip(x, db);
    applied.push(`gain${Math.round(db)}dB`);
    const frames = Math.floor(x.length / (RATE / FPS));
    const t = articulatorTargets(timeline, FPS, frames);
    return {
      x: x.subarray(0, frames * (RATE / FPS)),
      t,
      info: { frames, engine, voice: festival ? 'kal_diphone' : voice, wpm, pitch, text, applied },
    };
  };
  let sampleAt = 0;
  let frameAt = 0;
  const CONCURRENCY = 4;
  const pending = new Map();
  for (let u = 0; u < Math.min(CONCURRENCY, count); u++) pending.set(u, make(u));
  for (let u = 0; u < count; u++) {
    const { x, t, info } = await pending.get(u);
    pending.delete(u);
    if (u + CONCURRENCY < count) pending.set(u + CONCURRENCY, make(u + CONCURRENCY));
    audio.write(Buffer.from(x.buffer, x.byteOffset, x.byteLength));
    targets.write(Buffer.from(t.buffer));
    index.utterances.push({ sample: sampleAt, frame: frameAt, ...info });
    sampleAt += x.length;
    frameAt += info.frames;
    if (u % 100 === 0) process.stderr.write(`make-data: ${u}/${count}\n`);
  }
  await Promise.all([new Promise((r) => audio.end(r)), new Promise((r) => targets.end(r))]);
  rmSync(join(out, 'tmp'), { recursive: true, force: true });
  index.samples = sampleAt;
  index.frames = frameAt;
  writeFileSync(join(out, 'index.json'), `${JSON.stringify(index, null, 1)}\n`);
  process.stderr.write(`make-data: ${count} utterances, ${(sampleAt / RATE / 60).toFixed(1)} min of audio in ${out}\n`);
}

await main();

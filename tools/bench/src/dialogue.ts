// Synthetic dialogue for the bench: voiced syllables (a glottal pulse train through two formant
// resonators whose frequencies move per syllable), fricative noise bursts and pauses. It costs the
// pipeline what speech costs (the network's work does not depend on the signal; the resampler's
// and solver's barely do) and is written to disk as a real 48 kHz stereo 16-bit WAV, block by
// block, so an hour-long line is never held in memory.
import { closeSync, openSync, writeSync } from 'node:fs';
import { seededRandom as rng } from '@a2f/animation';

/** A two-pole resonator at `hz` with bandwidth `bw` Hz (the classic formant filter). */
class Resonator {
  private y1 = 0;
  private y2 = 0;
  private a1 = 0;
  private a2 = 0;
  private gain = 0;
  constructor(private readonly rate: number) {}
  tune(hz: number, bw: number): void {
    const r = Math.exp((-Math.PI * bw) / this.rate);
    this.a1 = 2 * r * Math.cos((2 * Math.PI * hz) / this.rate);
    this.a2 = -r * r;
    this.gain = 1 - r;
  }
  step(x: number): number {
    const y = this.gain * x + this.a1 * this.y1 + this.a2 * this.y2;
    this.y2 = this.y1;
    this.y1 = y;
    return y;
  }
}

/** Generates the signal sample by sample; `fill` writes the next samples of both channels. */
export class DialogueSynth {
  private readonly next: () => number;
  private readonly f1: Resonator;
  private readonly f2: Resonator;
  private segmentLeft = 0;
  private kind: 'voiced' | 'noise' | 'pause' = 'pause';
  private f0 = 120;
  private phase = 0;
  private envelope = 0;
  private segmentLength = 1;
  private prev = 0;

  constructor(
    private readonly rate: number,
    seed: number,
  ) {
    this.next = rng(seed);
    this.f1 = new Resonator(rate);
    this.f2 = new Resonator(rate);
  }

  private newSegment(): void {
    const r = this.next();
    // ~70 % syllables, 15 % fricatives, 15 % pauses; 80–300 ms each
    this.kind = r < 0.7 ? 'voiced' : r < 0.85 ? 'noise' : 'pause';
    this.segmentLength = Math.round(this.rate * (0.08 + 0.22 * this.next()));
    this.segmentLeft = this.segmentLength;
    this.f0 = 95 + 130 * this.next();
    this.f1.tune(300 + 600 * this.next(), 90);
    this.f2.tune(900 + 1600 * this.next(), 120);
  }

  /** Writes `left.length` samples of each channel (the right one is the left, slightly attenuated and delayed by a sample). */
  fill(left: Float32Array, right: Float32Array): void {
    for (let i = 0; i < left.length; i++) {
      if (this.segmentLeft <= 0) this.newSegment();
      const pos = 1 - this.segmentLeft / this.segmentLength;
      this.segmentLeft--;
      // raised-cosine envelope per segment
      const target = this.kind === 'pause' ? 0 : Math.sin(Math.PI * pos);
      this.envelope += 0.01 * (target - this.envelope);
      let excitation = 0;
      if (this.kind === 'voiced') {
        this.phase += this.f0 / this.rate;
        if (this.phase >= 1) {
          this.phase -= 1;
          excitation = 1;
        }
        excitation = excitation * 40 - 0.02;
      } else if (this.kind === 'noise') {
        excitation = (this.next() - 0.5) * 2;
      }
      const y = (this.f1.step(excitation) + 0.6 * this.f2.step(excitation)) * this.envelope * 0.5;
      const v = Math.max(-0.99, Math.min(0.99, y));
      left[i] = v;
      right[i] = 0.9 * this.prev;
      this.prev = v;
    }
  }
}

/** Mono dialogue at `rate` (the network benches feed 16 kHz directly). */
export function dialogueSamples(seconds: number, rate: number, seed: number): Float32Array {
  const n = Math.round(seconds * rate);
  const left = new Float32Array(n);
  new DialogueSynth(rate, seed).fill(left, new Float32Array(n));
  return left;
}

/** Writes a 16-bit PCM stereo WAV of synthetic dialogue, 1 s at a time. Returns its size in bytes. */
export function writeDialogueWav(file: string, seconds: number, opts: { rate?: number; seed?: number } = {}): number {
  const rate = opts.rate ?? 48000;
  const frames = Math.round(seconds * rate);
  const dataBytes = frames * 4;
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'latin1');
  header.writeUInt32LE(36 + dataBytes, 4);
  header.write('WAVEfmt ', 8, 'latin1');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(2, 22);
  header.writeUInt32LE(rate, 24);
  header.writeUInt32LE(rate * 4, 28);
  header.writeUInt16LE(4, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36, 'latin1');
  header.writeUInt32LE(dataBytes, 40);
  const synth = new DialogueSynth(rate, opts.seed ?? 1);
  const left = new Float32Array(rate);
  const right = new Float32Array(rate);
  const block = Buffer.alloc(rate * 4);
  const fd = openSync(file, 'w');
  try {
    writeSync(fd, header);
    for (let done = 0; done < frames; ) {
      const n = Math.min(rate, frames - done);
      synth.fill(left.subarray(0, n), right.subarray(0, n));
      for (let i = 0; i < n; i++) {
        block.writeInt16LE(Math.round(left[i]! * 32767), 4 * i);
        block.writeInt16LE(Math.round(right[i]! * 32767), 4 * i + 2);
      }
      writeSync(fd, block, 0, n * 4);
      done += n;
    }
  } finally {
    closeSync(fd);
  }
  return 44 + dataBytes;
}

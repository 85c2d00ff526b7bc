// WAV files of the corpora: 16-bit PCM mono in, any PCM or float WAV out of other tools read back.
import { readFileSync, writeFileSync } from 'node:fs';
import { A2fError } from '@a2f/base';

export interface Sound {
  readonly rate: number;
  /** mono, in [-1, 1] */
  readonly samples: Float32Array;
}

export function readWav(file: string): Sound {
  const b = readFileSync(file);
  const fix = 'Give a RIFF/WAVE file with PCM or float samples.';
  if (b.length < 12 || b.toString('ascii', 0, 4) !== 'RIFF' || b.toString('ascii', 8, 12) !== 'WAVE') {
    throw new A2fError('WAV', file, 'is not a RIFF/WAVE file', fix);
  }
  let format = 0;
  let channels = 0;
  let rate = 0;
  let bits = 0;
  let data: Buffer | undefined;
  for (let o = 12; o + 8 <= b.length; ) {
    const id = b.toString('ascii', o, o + 4);
    const size = b.readUInt32LE(o + 4);
    if (id === 'fmt ') {
      format = b.readUInt16LE(o + 8);
      channels = b.readUInt16LE(o + 10);
      rate = b.readUInt32LE(o + 12);
      bits = b.readUInt16LE(o + 22);
      // WAVE_FORMAT_EXTENSIBLE: the real format is the sub-format GUID's first two bytes
      if (format === 0xfffe && size >= 26) format = b.readUInt16LE(o + 32);
    } else if (id === 'data') {
      data = b.subarray(o + 8, Math.min(b.length, o + 8 + size));
    }
    o += 8 + size + (size & 1);
  }
  if (!data || !rate || !channels) throw new A2fError('WAV', file, 'has no fmt or data chunk', fix);
  const bytes = bits / 8;
  const frames = Math.floor(data.length / (bytes * channels));
  const read = (i: number): number => {
    if (format === 3 && bits === 32) return data.readFloatLE(i);
    if (bits === 16) return data.readInt16LE(i) / 32768;
    if (bits === 24) return data.readIntLE(i, 3) / 8388608;
    if (bits === 32) return data.readInt32LE(i) / 2147483648;
    if (bits === 8) return (data[i]! - 128) / 128;
    throw new A2fError('WAV', file, `has ${bits}-bit samples of format ${format}`, fix);
  };
  const samples = new Float32Array(frames);
  for (let f = 0; f < frames; f++) {
    let s = 0;
    for (let c = 0; c < channels; c++) s += read((f * channels + c) * bytes);
    samples[f] = s / channels;
  }
  return { rate, samples };
}

/** 16-bit PCM mono; samples outside [-1, 1] are clipped (a degradation that wants clipping does it itself). */
export function writeWav(file: string, sound: Sound): void {
  const n = sound.samples.length;
  const b = Buffer.alloc(44 + 2 * n);
  b.write('RIFF', 0, 'ascii');
  b.writeUInt32LE(36 + 2 * n, 4);
  b.write('WAVEfmt ', 8, 'ascii');
  b.writeUInt32LE(16, 16);
  b.writeUInt16LE(1, 20);
  b.writeUInt16LE(1, 22);
  b.writeUInt32LE(sound.rate, 24);
  b.writeUInt32LE(sound.rate * 2, 28);
  b.writeUInt16LE(2, 32);
  b.writeUInt16LE(16, 34);
  b.write('data', 36, 'ascii');
  b.writeUInt32LE(2 * n, 40);
  for (let i = 0; i < n; i++) {
    const v = Math.max(-1, Math.min(1, sound.samples[i]!));
    b.writeInt16LE(Math.round(v * 32767), 44 + 2 * i);
  }
  writeFileSync(file, b);
}

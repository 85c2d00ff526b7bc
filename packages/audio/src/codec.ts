import decode, { type AudioData } from '@audio/decode';
import { AudioError, FIX_REEXPORT_WAV } from './errors.js';

export type Codec = 'mp3' | 'flac' | 'oga' | 'wav';

export const FIX_DAMAGED = 'Get a fresh copy of the file, or re-export it as 16-bit PCM WAV';

export interface CodecResult {
  channels: Float32Array[];
  sampleRate: number;
  /** what the decoder printed while decoding: it reports damage on the console, not by throwing */
  messages: string[];
}

export const firstLine = (s: string): string => s.trim().split('\n')[0]!.trim().slice(0, 200);

/** Runs one of @audio/decode's codecs over a whole file; decoder exceptions become AudioErrors. */
export async function runCodec(codec: Codec, bytes: Uint8Array, file: string, label: string): Promise<CodecResult> {
  const messages: string[] = [];
  let result: AudioData;
  try {
    const dec = await decode[codec]();
    // The wasm decoders do their work synchronously inside these calls, so swapping the console
    // for exactly that span catches their messages (mpg123 prints one per bad frame) without
    // touching anyone else's output.
    const head = await captureConsole(messages, () => dec(bytes));
    const tail = await captureConsole(messages, () => dec());
    result = merge(head, tail);
  } catch (e) {
    const said = firstLine(e instanceof Error ? e.message : String(e));
    throw new AudioError('DECODE_FAILED', file, `could not be decoded as ${label} (decoder said: ${said})`, FIX_DAMAGED, {
      cause: e,
    });
  }
  if (result.channelData.length > 0 && !(result.sampleRate > 0)) {
    throw new AudioError('DECODE_FAILED', file, `decoded as ${label} without a sample rate`, FIX_REEXPORT_WAV);
  }
  return { channels: result.channelData, sampleRate: result.sampleRate, messages };
}

function captureConsole<T>(into: string[], run: () => T): T {
  const saved = { error: console.error, warn: console.warn, log: console.log };
  const keep = (...args: unknown[]): void => {
    into.push(args.map(String).join(' '));
  };
  console.error = console.warn = console.log = keep;
  try {
    return run();
  } finally {
    Object.assign(console, saved);
  }
}

/** The decoder returns what it had for the bytes, then what flushing released. */
function merge(a: AudioData, b: AudioData): AudioData {
  if (b.channelData.length === 0) return a;
  if (a.channelData.length === 0) return b;
  const channelData = a.channelData.map((x, i) => {
    const y = b.channelData[i % b.channelData.length]!;
    const out = new Float32Array(x.length + y.length);
    out.set(x);
    out.set(y, x.length);
    return out;
  });
  return { channelData, sampleRate: a.sampleRate };
}

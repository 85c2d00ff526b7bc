// --record: each stream that ends well becomes a WAV of the audio received (16-bit, the client's
// rate) and the layer `a2f run` makes of it, beside it (docs/serve/record.md). The WAV is written as
// the audio arrives (a temporary name, renamed when whole) so memory stays bounded; the runs go
// one after another so recording never competes with more than one live stream's worth of CPU.
import fs from 'node:fs';
import path from 'node:path';
import { processLines, sidecarPath, writeFileAtomic, type EmotionKey, type JobSettingsInput } from '@a2f/pipeline';
import type { ServeEvent } from './events.js';
import type { StreamPlan } from './validate.js';

export interface RecordTake {
  write(pcm: Int16Array): void;
  /**
   * The stream ended well: the WAV is completed and its layer queued. `keys`: the emotion keys as
   * the frames used them, written as the WAV's sidecar so the layer equals the stream (docs/live-engine.md#emotion).
   */
  finish(stream: number, keys: readonly EmotionKey[]): void;
  /** The stream failed or the client left: the partial WAV goes. */
  abort(): void;
}

export class Recorder {
  private queue: Promise<void> = Promise.resolve();
  private seq = 0;

  constructor(
    readonly dir: string,
    /** the server's run settings (character included); each take adds its header's parameters */
    private readonly settings: (plan: StreamPlan) => Readonly<Record<string, unknown>>,
    private readonly log: (e: ServeEvent) => void,
  ) {}

  begin(sampleRate: number, plan: StreamPlan): RecordTake {
    const name = `live-${new Date().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '')}-${++this.seq}`;
    const wav = path.join(this.dir, `${name}.wav`);
    const partial = path.join(this.dir, `.${name}.wav.partial`);
    const fd = fs.openSync(partial, 'w');
    fs.writeSync(fd, wavHeader(sampleRate, 0));
    let bytes = 0;
    let open = true;
    const close = () => {
      if (open) fs.closeSync(fd);
      open = false;
    };
    return {
      write: (pcm) => {
        fs.writeSync(fd, new Uint8Array(pcm.buffer, pcm.byteOffset, pcm.byteLength));
        bytes += pcm.byteLength;
      },
      abort: () => {
        close();
        fs.rmSync(partial, { force: true });
      },
      finish: (stream, keys) => {
        fs.writeSync(fd, wavHeader(sampleRate, bytes), 0, 44, 0);
        fs.fsyncSync(fd);
        close();
        if (keys.length) {
          const emotions = keys.map((k) => ({ time: k.time, ...k.emotions }));
          writeFileAtomic(sidecarPath(wav), `${JSON.stringify({ emotions }, null, 1)}\n`);
        }
        fs.renameSync(partial, wav);
        this.queue = this.queue.then(() => this.run(wav, name, stream, plan));
      },
    };
  }

  /** Resolves once every queued layer is written (or has failed and said so). */
  idle(): Promise<void> {
    return this.queue;
  }

  private async run(wav: string, name: string, stream: number, plan: StreamPlan): Promise<void> {
    try {
      const [r] = await processLines([wav], { ...this.settings(plan), outDir: this.dir } as JobSettingsInput);
      if (r.ok) this.log({ event: 'recorded', stream, name, wav, layers: r.layers, report: r.report, frames: r.frames });
      else this.log({ event: 'record-failed', stream, name, wav, message: r.error.message });
    } catch (err) {
      this.log({ event: 'record-failed', stream, name, wav, message: err instanceof Error ? err.message : String(err) });
    }
  }
}

/** The 44-byte header of a 16-bit mono PCM WAV holding `dataBytes` of samples. */
function wavHeader(sampleRate: number, dataBytes: number): Buffer {
  const h = Buffer.alloc(44);
  h.write('RIFF', 0, 'ascii');
  h.writeUInt32LE(36 + dataBytes, 4);
  h.write('WAVEfmt ', 8, 'ascii');
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20);
  h.writeUInt16LE(1, 22);
  h.writeUInt32LE(sampleRate, 24);
  h.writeUInt32LE(sampleRate * 2, 28);
  h.writeUInt16LE(2, 32);
  h.writeUInt16LE(16, 34);
  h.write('data', 36, 'ascii');
  h.writeUInt32LE(dataBytes, 40);
  return h;
}

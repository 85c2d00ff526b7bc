// The live server on this machine (docs/benchmark.md): `a2f serve` (the built CLI in a child
// process, as it is deployed) driven over loopback gRPC by clients that send 16 kHz audio in 20 ms
// chunks at real-time pace, as a microphone does. First-frame latency and steady lag of one stream,
// then how many such streams at once it keeps in real time, per model.
import { type ChildProcess, spawn } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { connect, streamClip, type ClipResult } from '@a2f/serve';
import { dialogueSamples } from './dialogue.js';
import { ensureBenchPack } from './bench-pack.js';
import { liveRows, type LiveFigures, type LiveModelFigures, type LivePlan, type LiveTry } from './live-rows.js';
import { loadAverage } from './machine.js';
import { benchPlan } from './plan.js';
import { REPO_ROOT } from './repo.js';

const CLI = path.join(REPO_ROOT, 'packages', 'cli', 'dist', 'bin.js');
const RATE = 16000;
const CHUNK = 320;
/** A frame later than this after its audio was recorded is one the stream cannot keep up with (the server's own slow limit). */
const LATE_S = 1;

interface Server {
  readonly port: number;
  readonly lookAheadSeconds: number;
  stop(): Promise<void>;
}

function startServe(model: string, maxStreams: number): Promise<Server> {
  const child: ChildProcess = spawn(
    process.execPath,
    [CLI, 'serve', '--port', '0', '--model', model, '--max-streams', String(maxStreams)],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr = (stderr + d).slice(-2000)));
  return new Promise((resolve, reject) => {
    let buf = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      buf += d;
      const m = /"event":"listening"[^\n]*"port":(\d+)/.exec(buf);
      if (m)
        resolve({
          port: Number(m[1]),
          // The v2.3 window (8 320 samples, 4 160 before its end at 16 kHz) and the default model's: 260 ms.
          lookAheadSeconds: 0.26,
          stop: async () => {
            child.kill('SIGTERM');
            await exited;
          },
        });
    });
    void exited.then((code) => reject(new Error(`a2f serve exited (${code}) before it listened:\n${stderr}`)));
  });
}

/**
 * Each frame's arrival after the chunk holding the last sample its window needs was recorded
 * (the client sends a chunk as soon as its last sample is, as a microphone delivers it), in seconds.
 */
function lags(r: ClipResult, arrivals: readonly number[], lookAhead: number): number[] {
  const start = r.audioStartAt ?? 0;
  return arrivals.map((at, i) => {
    const chunk = Math.floor((Math.ceil((i / 30 + lookAhead) * RATE) - 1) / CHUNK);
    return (at - (start + (((chunk + 1) * CHUNK) / RATE) * 1000)) / 1000;
  });
}

async function streams(port: number, count: number, seconds: number, lookAhead: number, seed: number) {
  const clips = Array.from({ length: count }, (_, i) =>
    Int16Array.from(dialogueSamples(seconds, RATE, seed + i), (v) => Math.max(-32768, Math.min(32767, Math.round(v * 32767)))),
  );
  return Promise.all(
    clips.map(async (pcm) => {
      const conn = connect(`127.0.0.1:${port}`);
      const arrivals: number[] = [];
      const r = await streamClip(conn, {
        pcm,
        sampleRate: RATE,
        chunkSamples: CHUNK,
        realTime: true,
        onMessage: (m, at) => {
          if (m.stream_part === 'animation_data') arrivals.push(at);
        },
      });
      conn.close();
      const status = r.messages.find((m) => m.stream_part === 'status')?.status as { message?: string } | undefined;
      return { r, lag: lags(r, arrivals, lookAhead), slow: status?.message?.includes('slower than real time') ?? false };
    }),
  );
}

const median = (xs: readonly number[]): number | null => {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};

async function measureModel(label: string, model: string, plan: LivePlan, log: (line: string) => void): Promise<LiveModelFigures> {
  const server = await startServe(model, Math.max(...plan.counts));
  try {
    const tries: LiveTry[] = [];
    let firstFrameSeconds: number | null = null;
    let steadyLagSeconds: number | null = null;
    for (const n of plan.counts) {
      const results = await streams(server.port, n, plan.streamSeconds, server.lookAheadSeconds, 100 * n);
      const failed = results.find((x) => x.r.code !== 0);
      if (failed) throw new Error(`a stream failed: ${failed.r.details}`);
      const worst = Math.max(...results.flatMap((x) => x.lag));
      const held = worst <= LATE_S && !results.some((x) => x.slow);
      tries.push({ streams: n, held, worstLagSeconds: worst });
      if (n === 1) {
        const { r, lag } = results[0];
        firstFrameSeconds = r.firstFrameAt !== undefined && r.audioStartAt !== undefined ? (r.firstFrameAt - r.audioStartAt) / 1000 : null;
        steadyLagSeconds = median(lag.slice(30));
      }
      log(
        `  ${label}: ${n} stream${n > 1 ? 's' : ''} at once, worst frame ${(1000 * worst).toFixed(0)} ms after its audio: ` +
          (held ? 'held' : 'not held'),
      );
      if (!held) break;
    }
    const heldCounts = tries.filter((t) => t.held).map((t) => t.streams);
    return {
      model: label,
      firstFrameSeconds,
      steadyLagSeconds,
      realTimeStreams: heldCounts.length ? Math.max(...heldCounts) : null,
      tries,
    };
  } catch (err) {
    return {
      model: label,
      firstFrameSeconds: null,
      steadyLagSeconds: null,
      realTimeStreams: null,
      tries: [],
      note: (err as Error).message,
    };
  } finally {
    await server.stop();
  }
}

/** The default model, then the v2.3-shaped pack in `packDir`. */
export async function measureLive(plan: LivePlan, packDir: string, log: (line: string) => void): Promise<LiveFigures> {
  const models = [await measureModel('default model', 'default', plan, log), await measureModel('v2.3-shaped pack', packDir, plan, log)];
  return { streamSeconds: plan.streamSeconds, lookAheadSeconds: 0.26, models };
}

/** The live rows alone (bench --live-only): a table, or JSON with `json`. */
export async function liveOnly(quick: boolean, json: boolean): Promise<number> {
  const cores = os.availableParallelism();
  const plan = benchPlan({ quick, device: 'cpu', seed: 1 }, cores);
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const start = loadAverage();
  log(`bench --live-only${quick ? ' --quick' : ''}: ${cores} cores, load average ${start.toFixed(2)}`);
  const pack = ensureBenchPack({ seed: plan.seed, mini: plan.miniGeometry });
  const live = await measureLive(plan.live, pack.dir, log);
  const load = { start, end: loadAverage() };
  if (json) process.stdout.write(`${JSON.stringify({ cores, load, live }, null, 2)}\n`);
  else {
    const rows = liveRows(live).map((cells) => `| ${cells.join(' | ')} |`);
    process.stdout.write(
      `${cores} cores, load average ${load.start.toFixed(2)} at the start, ${load.end.toFixed(2)} at the end\n\n` +
        `| figure | value | settings |\n| --- | --- | --- |\n${rows.join('\n')}\n`,
    );
  }
  return 0;
}

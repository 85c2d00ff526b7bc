// Audio cut short or damaged on its way in (docs/audio-input.md): `a2f run` fails the line, and
// with --allow-truncated animates what is there and records the shortfall; the watch folder
// writes an error file once the file has settled. Real files cut from the committed samples.
import { existsSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { usdReadbackMany, type UsdValue } from '../usd/validate.js';
import { CHARACTER, DIALOGUE, readJson, runCli, tempDir } from './helpers.js';
import {
  HANG_MS,
  HOOK_HANG_MS,
  checkLayer,
  killAll,
  readLog,
  startWatch,
  waitUntil,
  type LogEvent,
  type WatchProc,
} from './watch-helpers.js';

interface Line {
  ok: boolean;
  audio: string;
  layers?: string[];
  report?: string;
  error?: { code: string; message: string; fix?: string };
}
interface Truncation {
  code: string;
  reason: string;
  declaredSeconds?: number;
  goodSeconds: number;
  decodedSeconds: number;
}
interface Report {
  durationSeconds: number;
  truncation?: Truncation;
  provenance: { audio: { truncation?: Truncation } };
}
interface ErrorFile {
  audio: string;
  code: string;
  why: string;
  fix: string;
  transient: boolean;
}

const sample = (name: string): Buffer => readFileSync(path.join(DIALOGUE, name));

/** Cut copies of real encoded files: the 20 KB WAV, a FLAC cut to a third, MP3 and Ogg halves. */
function cutCopies(dir: string): Record<string, { file: string; declared: number | undefined }> {
  const cuts = {
    'hello-20k.wav': { from: 'line01_hello.wav', bytes: 20_000, declared: 70543 / 22050 },
    'who-knew-third.flac': {
      from: 'line03_who_knew.flac',
      bytes: Math.floor(sample('line03_who_knew.flac').length / 3),
      declared: 103390 / 44100,
    },
    'mp3-half.mp3': { from: 'line04_mp3.mp3', bytes: Math.floor(sample('line04_mp3.mp3').length / 2), declared: 127494 / 44100 },
    'ogg-half.ogg': { from: 'line05_ogg.ogg', bytes: Math.floor(sample('line05_ogg.ogg').length / 2), declared: undefined },
  };
  return Object.fromEntries(
    Object.entries(cuts).map(([name, c]) => {
      const file = path.join(dir, name);
      writeFileSync(file, sample(c.from).subarray(0, c.bytes));
      return [name, { file, declared: c.declared }];
    }),
  );
}

describe('a2f run on truncated and damaged audio', () => {
  const inbox = tempDir('trunc-in');
  const cuts = cutCopies(inbox);
  const flipped = path.join(inbox, 'flipped.flac');
  const bad = Buffer.from(sample('line03_who_knew.flac'));
  bad[Math.floor(bad.length * 0.6)]! ^= 0x10;
  writeFileSync(flipped, bad);
  const files = Object.values(cuts).map((c) => c.file);

  it('fails each cut or damaged line (exit 1) with TRUNCATED/CORRUPT, naming the file and how far it got, writing no layer', async () => {
    const out = tempDir('trunc-refused');
    const r = await runCli(['run', ...files, flipped, '--character', CHARACTER, '--out', out, '--json']);
    expect(r.code, r.stderr).toBe(1);
    const lines = (JSON.parse(r.stdout) as { lines: Line[] }).lines;
    expect(lines).toHaveLength(files.length + 1);
    for (const line of lines) {
      const corrupt = line.audio === flipped;
      expect(line.ok, line.audio).toBe(false);
      expect(line.error!.code).toBe(corrupt ? 'CORRUPT' : 'TRUNCATED');
      expect(line.error!.message.startsWith(`${line.audio}: is ${corrupt ? 'damaged' : 'cut short'}: `)).toBe(true);
      expect(line.error!.message).toMatch(/the intact audio ends at \d+\.\d{3} s/);
      expect(line.error!.fix).toMatch(/--allow-truncated/);
    }
    expect(lines.find((l) => l.audio === cuts['hello-20k.wav']!.file)!.error!.message).toContain('of the 3.199 s its header announces');
    expect(existsSync(out) ? readdirSync(out).filter((f) => f.endsWith('.usda')) : []).toEqual([]);
  });

  it('with --allow-truncated animates what is there and records the shortfall in report.json and the layer', async () => {
    const out = tempDir('trunc-allowed');
    const r = await runCli(['run', ...files, flipped, '--character', CHARACTER, '--out', out, '--json', '--allow-truncated']);
    expect(r.code, r.stderr).toBe(0);
    const lines = (JSON.parse(r.stdout) as { lines: Line[] }).lines;
    const reports = new Map<string, Report>();
    for (const line of lines) {
      expect(line.ok, line.audio).toBe(true);
      const report = readJson<Report>(line.report!);
      reports.set(line.audio, report);
      const t = report.truncation!;
      expect(t.code).toBe(line.audio === flipped ? 'CORRUPT' : 'TRUNCATED');
      expect(report.provenance.audio.truncation).toEqual(t);
      // What was animated is what was decoded, and it is short of the whole line.
      expect(report.durationSeconds).toBeCloseTo(t.decodedSeconds, 9);
      expect(t.goodSeconds).toBeGreaterThan(0.2);
      const cut = Object.values(cuts).find((c) => c.file === line.audio);
      if (cut?.declared !== undefined) {
        expect(t.declaredSeconds).toBeCloseTo(cut.declared, 3);
        expect(t.decodedSeconds).toBeLessThan(cut.declared * 0.6);
      }
    }
    // The line's summary says so too, not only the files.
    expect(r.stderr).toMatch(/ok {4}hello-20k\.wav → .*; audio cut short, animated 0\.453 s of 3\.199 s \(--allow-truncated/);
    expect(r.stderr).toMatch(/ok {4}flipped\.flac → .*; audio damaged, animated /);
    const wav = reports.get(cuts['hello-20k.wav']!.file)!.truncation!;
    expect(wav.reason).toBe('is cut short: its WAV data chunk declares 141,086 bytes but the file holds 19,956');
    expect(wav.decodedSeconds).toBeCloseTo(9978 / 22050, 9);

    // The layer's provenance, as real USD reads it back.
    const readback = await usdReadbackMany(lines.map((l) => ({ root: l.layers![0]!, others: [CHARACTER] })));
    readback.forEach((rb, i) => {
      const a2f = (rb.metadata.customLayerData as Record<string, UsdValue>).a2f as Record<string, Record<string, UsdValue>>;
      const recorded = a2f.audio!.truncation as Record<string, UsdValue>;
      const expected = reports.get(lines[i]!.audio)!.truncation!;
      expect(recorded.code).toBe(expected.code);
      expect(recorded.reason).toBe(expected.reason);
      expect(recorded.decodedSeconds as number).toBeCloseTo(expected.decodedSeconds, 6);
    });
  });
});

describe('a2f watch on truncated audio', () => {
  const inbox = tempDir('trunc-watch-in');
  const out = tempDir('trunc-watch-out');
  const logDir = tempDir('trunc-watch-log');
  const headerOnly = sample('line01_hello.wav').subarray(0, 44);
  const flac = sample('line03_who_knew.flac');
  const third = flac.subarray(0, Math.floor(flac.length / 3));
  let first: WatchProc;
  let events: LogEvent[];

  const drop = (name: string, bytes: Uint8Array): void => {
    writeFileSync(path.join(inbox, `${name}.part`), bytes);
    renameSync(path.join(inbox, `${name}.part`), path.join(inbox, name));
  };
  const errorFile = (stem: string): string => path.join(out, `${stem}.error.json`);

  beforeAll(async () => {
    const log = path.join(logDir, 'first.jsonl');
    first = startWatch(inbox, out, log);
    await waitUntil(() => readLog(log).some((e) => e.ev === 'ready'), 'the watcher to be ready', HANG_MS, [first]);
    drop('header-only.wav', headerOnly);
    drop('cut.flac', third);
    drop('grows.flac', third);
    // The header-only WAV says it is longer than it is, so it is waited for (a copy may still be
    // running) for the grace period (30 s) before it is taken and failed.
    await waitUntil(() => ['header-only', 'cut', 'grows'].every((s) => existsSync(errorFile(s))), 'three error files', HANG_MS, [first]);
    // The rest of the copy arrives: new content, processed again, the error file goes.
    drop('grows.flac', flac);
    await waitUntil(
      () => existsSync(path.join(out, 'grows.usda')) && !existsSync(errorFile('grows')),
      'grows.flac to be animated once whole',
      HANG_MS,
      [first],
    );
    first.child.kill('SIGINT');
    expect(await first.exited).toEqual({ code: 0, signal: null });
    events = readLog(log);
  }, HOOK_HANG_MS);
  afterAll(killAll);

  it('writes <name>.error.json (TRUNCATED, how far it got, the fix) and no layer for a header-only WAV and a cut FLAC', () => {
    for (const [stem, name] of [
      ['header-only', 'header-only.wav'],
      ['cut', 'cut.flac'],
    ] as const) {
      const e = readJson<ErrorFile>(errorFile(stem));
      expect(e.audio).toBe(name);
      expect(e.code).toBe('TRUNCATED');
      expect(e.transient).toBe(false);
      expect(e.why).toContain(path.join(inbox, name));
      expect(e.why).toMatch(/the intact audio ends at \d+\.\d{3} s of the \d+\.\d{3} s its header announces/);
      expect(existsSync(path.join(out, `${stem}.usda`))).toBe(false);
    }
    expect(readJson<ErrorFile>(errorFile('header-only')).fix).toMatch(/holds no audio/);
    expect(readJson<ErrorFile>(errorFile('cut')).fix).toMatch(/--allow-truncated/);
    // Permanent failures: never retried.
    expect(events.filter((e) => e.ev === 'retry')).toEqual([]);
  });

  it('animates a file completed after its cut copy failed, whole, and removes its error file', () => {
    checkLayer(path.join(out, 'grows.usda'));
    const report = readJson<Report>(path.join(out, 'grows.report.json'));
    expect(report.truncation).toBeUndefined();
    expect(report.durationSeconds).toBeCloseTo(103390 / 44100, 9);
  });

  it(
    'with --allow-truncated (a new settings key) animates the cut FLAC and records the shortfall',
    async () => {
      const log = path.join(logDir, 'second.jsonl');
      const second = startWatch(inbox, out, log, ['--allow-truncated']);
      await waitUntil(() => existsSync(path.join(out, 'cut.usda')), 'cut.flac to be animated', HANG_MS, [second]);
      second.child.kill('SIGINT');
      expect(await second.exited).toEqual({ code: 0, signal: null });
      const report = readJson<Report>(path.join(out, 'cut.report.json'));
      expect(report.truncation).toMatchObject({ code: 'TRUNCATED', declaredSeconds: 103390 / 44100 });
      expect(report.durationSeconds).toBeCloseTo(report.truncation!.decodedSeconds, 9);
      expect(report.durationSeconds).toBeLessThan(103390 / 44100 / 2);
      expect(existsSync(errorFile('cut'))).toBe(false);
      checkLayer(path.join(out, 'cut.usda'));
    },
    HOOK_HANG_MS,
  );
});

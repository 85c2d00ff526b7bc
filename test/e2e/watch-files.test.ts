import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readdirSync, symlinkSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadAudio } from '@a2f/audio';
import { usdReadbackMany } from '../usd/validate.js';
import { sleep, speechWav } from '@a2f/test-utils';
import { CHARACTER, DIALOGUE, readJson, tempDir } from './helpers.js';
import {
  checkLayer,
  countEvents,
  HANG_MS,
  HOOK_HANG_MS,
  killAll,
  readLog,
  settledCount,
  startWatch,
  waitUntil,
  walk,
  type LogEvent,
  type WatchProc,
} from './watch-helpers.js';

interface ErrorFile {
  audio: string;
  what: string;
  why: string;
  fix: string;
  code: string;
  transient: boolean;
}

// A copy that pauses longer than --settle-ms is, by design, taken as finished (a slow copy tool
// must write under a temporary name). So the pauses are a twentieth of the settle time: only a
// test process stalled for ~2 s between two writes could break this, and the writer measures its
// own longest pause so such a failure says so.
const SETTLE_MS = 2000;
const PAUSE_MS = 100;

/** Copies bytes into `file` in `chunks` pieces with `pauseMs` between them, like a slow network copy. */
async function slowCopy(
  bytes: Uint8Array,
  file: string,
  chunks: number,
  pauseMs: number,
): Promise<{ ended: number; longestPause: number }> {
  const fd = openSync(file, 'w');
  const step = Math.ceil(bytes.length / chunks);
  let longestPause = 0;
  try {
    for (let off = 0; off < bytes.length; off += step) {
      writeSync(fd, bytes, off, Math.min(step, bytes.length - off));
      if (off + step < bytes.length) {
        const t = Date.now();
        await sleep(pauseMs);
        longestPause = Math.max(longestPause, Date.now() - t);
      }
    }
  } finally {
    closeSync(fd);
  }
  return { ended: Date.now(), longestPause };
}

describe('a2f watch: slow copies, bad files among good ones, and path traversal attempts', () => {
  const inbox = tempDir('files-in');
  const out = tempDir('files-out');
  const outside = tempDir('files-outside');
  const log = path.join(tempDir('files-log'), 'watch.jsonl');
  let proc: WatchProc;
  let events: LogEvent[];
  const copies: Record<string, { ended: number; longestPause: number }> = {};
  const good = ['good01.wav', 'good02.wav', 'sh020/good03.wav', 'sh020/good04.wav'];
  const bad: Record<string, string> = {
    'corrupt.wav': 'a RIFF header over garbage',
    'empty.wav': 'zero bytes',
    'notes.txt': 'text',
    'frame.png': 'an image',
    'noise.mp3': 'random bytes named .mp3',
  };
  const sidecarAttempts: Record<string, string> = {
    'up.wav': '../../escape/{name}.usda',
    'abs.wav': '', // filled with an absolute path outside the output root
    'drive.wav': 'C:\\evil\\{name}.usda',
    'dirup.wav': '{dir}/../../{name}.usda',
    'link.wav': 'linked/{name}.usda',
  };
  const nameAttempts = ['take\\..\\..\\escape.wav', 'C:evil.wav'];
  const total = () => good.length + 2 + Object.keys(bad).length + Object.keys(sidecarAttempts).length + nameAttempts.length + 1;

  beforeAll(async () => {
    sidecarAttempts['abs.wav'] = path.join(outside, 'abs', '{name}.usda');
    symlinkSync(outside, path.join(out, 'linked'));
    // {stem} is the raw file name, so names can carry traversal attempts into the path.
    // --rescan-ms: chokidar drops names holding a backslash on Linux; the watcher's own walk finds them.
    proc = startWatch(inbox, out, log, ['--settle-ms', String(SETTLE_MS), '--rescan-ms', '1000', '--paths', '{dir}/{stem}.usda']);
    await waitUntil(() => readLog(log).some((e) => e.ev === 'ready'), 'the watcher to be ready', HANG_MS, [proc]);

    const copying = [
      slowCopy(speechWav(150, 1.2), path.join(inbox, 'slow.wav'), 8, PAUSE_MS).then((c) => {
        copies['slow.wav'] = c;
      }),
      slowCopy(readFileSync(path.join(DIALOGUE, 'line03_who_knew.flac')), path.join(inbox, 'slow.flac'), 8, PAUSE_MS).then((c) => {
        copies['slow.flac'] = c;
      }),
    ];
    mkdirSync(path.join(inbox, 'sh020'));
    writeFileSync(path.join(inbox, 'sh020', '.keep'), ''); // hidden: ignored
    good.forEach((g, i) => {
      writeFileSync(path.join(inbox, g), speechWav(120 + 10 * i));
    });
    const corrupt = Buffer.from(speechWav(140));
    corrupt.fill(0xa5, 12); // keep RIFF/WAVE, destroy every chunk after it
    writeFileSync(path.join(inbox, 'corrupt.wav'), corrupt);
    writeFileSync(path.join(inbox, 'empty.wav'), '');
    writeFileSync(path.join(inbox, 'notes.txt'), 'INT. STUDIO - DAY\nline 12: "Who knew?"\n');
    writeFileSync(
      path.join(inbox, 'frame.png'),
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]),
    );
    writeFileSync(path.join(inbox, 'noise.mp3'), Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 2654435761) >>> 24)));
    let f0 = 200;
    for (const [audio, output] of Object.entries(sidecarAttempts)) {
      writeFileSync(path.join(inbox, audio.replace(/\.wav$/, '.a2f.json')), JSON.stringify({ output }));
      writeFileSync(path.join(inbox, audio), speechWav(f0++));
    }
    for (const name of nameAttempts) writeFileSync(path.join(inbox, name), speechWav(f0++));
    writeFileSync(path.join(inbox, 'badjson.a2f.json'), '{ "fps": 24, }');
    writeFileSync(path.join(inbox, 'badjson.wav'), speechWav(f0++));
    await Promise.all(copying);

    await waitUntil(() => settledCount(out) >= total(), `${total()} outcomes`, HANG_MS, [proc]);
    proc.child.kill('SIGINT');
    expect(await proc.exited).toEqual({ code: 0, signal: null });
    events = readLog(log);
  }, HOOK_HANG_MS);
  afterAll(killAll);

  const errorFile = (rel: string): ErrorFile => readJson<ErrorFile>(path.join(out, rel));

  it('takes a slowly copied file once, after the copy ended, whole (WAV and FLAC)', async () => {
    const processing = countEvents(events, 'processing');
    for (const name of ['slow.wav', 'slow.flac']) {
      const why = `${name}: the copy's longest pause was ${copies[name]!.longestPause} ms (settle ${SETTLE_MS} ms)`;
      expect(processing.get(name), why).toBe(1);
      const started = events.find((e) => e.ev === 'processing' && e.path === name)!;
      expect(Date.parse(started.t), why).toBeGreaterThanOrEqual(copies[name]!.ended);
    }
    // Same stem side by side: each named with its extension, so neither overwrites the other.
    const wav = readJson<{ durationSeconds: number; frames: number }>(path.join(out, 'slow.wav.report.json'));
    expect(wav.durationSeconds).toBeCloseTo(1.2, 6);
    expect(wav.frames).toBe(36);
    const flac = readJson<{ durationSeconds: number }>(path.join(out, 'slow.flac.report.json'));
    const source = await loadAudio(path.join(DIALOGUE, 'line03_who_knew.flac'));
    expect(flac.durationSeconds).toBe(source.info.durationSeconds);
  });

  it('writes a layer for every good file, and an error file (what, why, fix) for each bad one', () => {
    for (const g of good) checkLayer(path.join(out, g.replace(/\.wav$/, '.usda')));
    const expected: Record<string, string> = {
      'corrupt.wav': '',
      'empty.wav': 'EMPTY',
      'notes.txt': 'NOT_AUDIO',
      'frame.png': 'NOT_AUDIO',
      'noise.mp3': '',
    };
    for (const name of Object.keys(bad)) {
      const e = errorFile(name.replace(/\.[^.]+$/, '.error.json'));
      expect(e.audio).toBe(name);
      expect(e.what).toBe(`${name} could not be animated (${e.code})`);
      expect(e.why).toContain(path.join(inbox, name));
      expect(e.fix.length).toBeGreaterThan(10);
      expect(e.transient).toBe(false);
      if (expected[name]) expect(e.code).toBe(expected[name]);
    }
    // Bad files failed once each, were never retried, and nothing else failed.
    const failed = countEvents(events, 'failed');
    for (const name of Object.keys(bad)) expect(failed.get(name), name).toBe(1);
    expect(events.filter((e) => e.ev === 'retry')).toEqual([]);
  });

  it('refuses sidecar templates that would leave the output root, with a clear error, writing nothing outside', () => {
    for (const [audio, template] of Object.entries(sidecarAttempts)) {
      const e = errorFile(audio.replace(/\.wav$/, '.error.json'));
      expect({ audio, code: e.code }).toEqual({ audio, code: 'OUTPUT_PATH' });
      expect(e.why).toContain(audio.replace(/\.wav$/, '.a2f.json')); // names the sidecar
      expect(e.fix).toMatch(/relative template|inside the output folder/);
      void template;
    }
    expect(errorFile('up.error.json').why).toMatch(/".." would leave the output folder/);
    expect(errorFile('abs.error.json').why).toMatch(/is absolute/);
    expect(errorFile('drive.error.json').why).toMatch(/drive letter/);
    expect(errorFile('dirup.error.json').why).toMatch(/".." would leave/);
    expect(errorFile('link.error.json').why).toMatch(/symbolic link to .* outside the output folder/);
    expect(readdirSync(outside)).toEqual([]);
    expect(existsSync(path.join(out, '..', 'escape'))).toBe(false);
    expect(countEvents(events, 'processing').get('up.wav')).toBeUndefined();
  });

  it('refuses file names that carry separators or drive letters into the path, and reports a bad sidecar', () => {
    const failures = events.filter((e) => e.ev === 'failed');
    const byPath = new Map(failures.map((e) => [e.path, e]));
    expect(byPath.get('take\\..\\..\\escape.wav')).toMatchObject({ code: 'OUTPUT_PATH', message: expect.stringMatching(/path separator/) });
    expect(byPath.get('C:evil.wav')).toMatchObject({ code: 'OUTPUT_PATH', message: expect.stringMatching(/":"/) });
    expect(byPath.get('badjson.wav')).toMatchObject({
      code: 'BAD_SIDECAR',
      message: expect.stringMatching(/badjson\.a2f\.json: at \$: is not valid JSON/),
    });
    // Their error files land in the output root under a safe name.
    for (const e of failures) {
      const file = path.join(out, String(e.errorFile));
      expect(path.relative(out, file).startsWith('..')).toBe(false);
      expect(readJson<ErrorFile>(file).audio).toBe(e.path);
    }
  });

  it(
    'leaves only layers, reports and error files in the output tree, which real USD opens',
    async () => {
      const files = walk(out).filter((f) => !f.startsWith('.a2f-watch/') && f !== 'linked'); // the test's own symlink
      expect(files.filter((f) => !/\.(usda|report\.json|error\.json)$/.test(f))).toEqual([]);
      const layers = files.filter((f) => f.endsWith('.usda'));
      expect(layers.sort()).toEqual(
        ['good01.usda', 'good02.usda', 'sh020/good03.usda', 'sh020/good04.usda', 'slow.flac.usda', 'slow.wav.usda'].sort(),
      );
      const results = await usdReadbackMany(layers.map((l) => ({ root: path.join(out, l), others: [CHARACTER] })));
      expect(results.map((r, i) => ({ l: layers[i], ok: r.ok, errors: r.errors })).filter((r) => !r.ok)).toEqual([]);
    },
    HOOK_HANG_MS,
  );
});

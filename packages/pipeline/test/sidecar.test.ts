import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeWav } from '@a2f/audio';
import { removeTempDirs, tempDir, thrown, voicedLine } from '@a2f/test-utils';
import { makeMiniPack } from '../../../models/nvidia/make-mini-pack.mjs';
import { JobContext, parseSidecar, processLines, readSidecar, sidecarEmotionKeys, sidecarPath, type LineSuccess } from '../src/index.js';

// The repository's samples (tests may read the repository; shipped code carries its own assets).
const SAMPLES_DIR = path.resolve(import.meta.dirname, '../../../samples');

const work = tempDir('sidecar');
afterAll(removeTempDirs);
const CHARACTER = path.join(SAMPLES_DIR, 'character', 'face.usda');
const EMOTIONS = ['amazement', 'anger', 'cheekiness', 'disgust', 'fear', 'grief', 'joy', 'outofbreath', 'pain', 'sadness'];

const problem = thrown;

/** 0.8 s of a voiced tone at 16 kHz. */
function tone(file: string): string {
  const partials = [
    [140, 0.3],
    [700, 0.2],
  ] as const;
  writeFileSync(file, encodeWav([voicedLine({ rate: 16000, seconds: 0.8, from: 0.125, to: 0.6875, partials })], 16000, 'pcm16'));
  return file;
}

describe('the sidecar schema', () => {
  const file = path.join(work, 'shots', 'take_01.a2f.json');

  it('lives next to the audio as <name without extension>.a2f.json', () => {
    expect(sidecarPath('/a/b/take_01.wav')).toBe('/a/b/take_01.a2f.json');
    expect(sidecarPath('/a/b/take.v2.flac')).toBe('/a/b/take.v2.a2f.json');
  });

  it('reads every field, resolving paths against the sidecar folder', () => {
    const s = parseSidecar(
      {
        $comment: 'line 12',
        emotions: [{ time: 0, joy: 0.5 }],
        fps: '29.97',
        character: '../assets/hero.usda',
        model: 'default',
        output: '{name}/anim',
      },
      file,
    );
    expect(s).toEqual({
      file,
      emotion: { emotions: [{ time: 0, joy: 0.5 }] },
      fps: { num: 30000, den: 1001 },
      character: path.join(work, 'assets', 'hero.usda'),
      model: 'default',
      output: '{name}/anim',
    });
    expect(parseSidecar({ model: '../packs/mark' }, file).model).toBe(path.join(work, 'packs', 'mark'));
    expect(parseSidecar({ a2e: '../packs/audio2emotion' }, file).a2e).toBe(path.join(work, 'packs', 'audio2emotion'));
    expect(parseSidecar({}, file)).toEqual({ file });
  });

  it('names the file, the JSON path and the fix for every mistake', () => {
    const cases: [unknown, RegExp][] = [
      [{ emotoin: { joy: 1 } }, /at \$\.emotoin: unknown field/],
      [{ emotion: { joy: 1 }, emotions: [] }, /at \$: has both "emotion" and "emotions"/],
      [{ emotion: [1] }, /at \$\.emotion: expected an object/],
      [{ emotions: [] }, /at \$\.emotions: expected a non-empty array/],
      [{ fps: 'fast' }, /at \$\.fps: invalid frame rate "fast"/],
      [{ fps: true }, /at \$\.fps: expected a number or a string/],
      [{ character: 3 }, /at \$\.character: expected a path/],
      [{ output: '' }, /at \$\.output: expected an output path template/],
      [[1, 2], /at \$: expected an object, found an array of 2/],
      [{ exportFps: 30, facsNames: [] }, /is an a2f_export animation JSON/],
    ];
    for (const [json, message] of cases) {
      const err = problem(() => parseSidecar(json, file));
      expect(err.code).toBe('BAD_SIDECAR');
      expect(err.message.startsWith(`${file}: at `)).toBe(true);
      expect(err.message).toMatch(message);
      expect(err.fix).toMatch(/\w/);
    }
    expect(problem(() => parseSidecar({ character: 3 }, file)).message).toBe(
      `${file}: at $.character: expected a path, found number 3. Give the character as a path relative to the sidecar's folder.`,
    );
  });

  it('checks emotion names against the model, and refuses emotion for a model without an emotion input', () => {
    const s = parseSidecar(
      {
        emotions: [
          { time: 0, Joy: 0.6 },
          { time: 1.5, anger: 0.3 },
        ],
      },
      file,
    );
    expect(sidecarEmotionKeys(s, EMOTIONS, 'mark')).toEqual([
      { time: 0, emotions: { joy: 0.6 } },
      { time: 1.5, emotions: { anger: 0.3 } },
    ]);
    expect(sidecarEmotionKeys(parseSidecar({ fps: 24 }, file), EMOTIONS, 'mark')).toBeUndefined();
    expect(problem(() => sidecarEmotionKeys(parseSidecar({ emotions: [{ time: 0, glee: 1 }] }, file), EMOTIONS, 'mark')).message).toMatch(
      /at \$\.emotions\[0\]\.glee: unknown emotion "glee"/,
    );
    const none = problem(() => sidecarEmotionKeys(s, null, 'default'));
    expect(none.message).toMatch(/at \$\.emotions: the model "default" has no emotion input/);
    expect(none.fix).toContain('--model models/packs/<name>');
  });

  it('reads the file: none is null, broken JSON is an error naming it', () => {
    const dir = path.join(work, 'read');
    mkdirSync(dir);
    expect(readSidecar(path.join(dir, 'a.wav'))).toBeNull();
    writeFileSync(path.join(dir, 'b.a2f.json'), '{ "fps": 24, }');
    expect(problem(() => readSidecar(path.join(dir, 'b.wav'))).message).toMatch(/b\.a2f\.json: at \$: is not valid JSON/);
    writeFileSync(path.join(dir, 'c.a2f.json'), '\uFEFF{ "fps": 24 }');
    expect(readSidecar(path.join(dir, 'c.mp3'))?.fps).toEqual({ num: 24, den: 1 });
  });
});

describe('sidecars in a batch', () => {
  it('switch model, character and fps per line from a cache, and a bad sidecar fails only its line', async () => {
    const pack = makeMiniPack(path.join(work, 'packs', 'mark'), { variant: 'mark', seed: 2 }).dir;
    const takes = path.join(work, 'takes');
    const alt = path.join(work, 'alt');
    mkdirSync(takes);
    mkdirSync(alt);
    const altCharacter = path.join(alt, 'hero.usda');
    copyFileSync(CHARACTER, altCharacter);
    const plain = tone(path.join(takes, 'plain.wav'));
    const nvidia = tone(path.join(takes, 'nvidia.wav'));
    writeFileSync(
      sidecarPath(nvidia),
      JSON.stringify({
        model: '../packs/mark',
        emotions: [
          { time: 0, joy: 0.8 },
          { time: 0.5, sadness: 0.4 },
        ],
        fps: 24,
        character: '../alt/hero.usda',
      }),
    );
    const again = tone(path.join(takes, 'again.wav'));
    writeFileSync(sidecarPath(again), JSON.stringify({ model: pack, emotion: { anger: 0.5 } }));
    const noEmotion = tone(path.join(takes, 'no_emotion.wav'));
    writeFileSync(sidecarPath(noEmotion), JSON.stringify({ emotion: { joy: 1 } }));
    const typo = tone(path.join(takes, 'typo.wav'));
    writeFileSync(sidecarPath(typo), JSON.stringify({ fsp: 24 }));

    const out = path.join(work, 'out');
    const results = await processLines([plain, nvidia, again, noEmotion, typo], { character: CHARACTER, outDir: out, exportJson: true });
    expect(results.map((r) => r.ok)).toEqual([true, true, true, false, false]);

    const report = (r: (typeof results)[number]) => JSON.parse(readFileSync((r as LineSuccess).report, 'utf8'));
    expect(report(results[0]).provenance.model.id).toBe('a2f-default-articulators');
    const n = report(results[1]);
    expect(n).toMatchObject({
      model: pack,
      character: altCharacter,
      fps: { num: 24, den: 1 },
      sidecar: sidecarPath(nvidia),
      frames: Math.ceil(0.8 * 24),
    });
    expect(n.provenance.model.id).toBe('nvidia-a2f-mark-v2.3');
    // Provenance names the sidecar relative to the layer's folder (out/ → takes/), never by an absolute path.
    expect(n.provenance.parameters.emotion).toEqual({
      source: '../takes/nvidia.a2f.json',
      times: [0, 0.5],
      joy: [0.8, 0],
      sadness: [0, 0.4],
    });
    expect(readFileSync((results[1] as LineSuccess).layers[0], 'utf8')).toContain('@../alt/hero.usda@');
    expect(report(results[2]).provenance.parameters.emotion).toMatchObject({ times: [0], anger: [0.5] });

    const failed = results.slice(3).map((r) => (r.ok ? null : r.error));
    expect(failed[0]).toMatchObject({
      code: 'BAD_SIDECAR',
      message: expect.stringMatching(/no_emotion\.a2f\.json: at \$\.emotion: the model "default" has no emotion input/),
    });
    expect(failed[1]).toMatchObject({
      code: 'BAD_SIDECAR',
      message: expect.stringMatching(/typo\.a2f\.json: at \$\.fsp: unknown field/),
      fix: expect.stringContaining('"fps"'),
    });
  });

  it('refuses --emotion or --param for a model that cannot take them before any line runs', async () => {
    const out = path.join(work, 'refused');
    await expect(JobContext.create({ character: CHARACTER, outDir: out, emotion: 'joy=0.5' })).rejects.toMatchObject({
      code: 'BAD_SETTING',
      file: '--emotion',
    });
    await expect(JobContext.create({ character: CHARACTER, outDir: out, params: { skin_strength: 1.2 } })).rejects.toMatchObject({
      code: 'BAD_OPTION',
      message: expect.stringContaining('takes no parameter overrides'),
    });
  });

  it('will not let --export-json overwrite a sidecar when writing into the audio folder', async () => {
    const dir = path.join(work, 'same');
    mkdirSync(dir);
    const audio = tone(path.join(dir, 'line.wav'));
    const [r] = await processLines([audio], { character: CHARACTER, outDir: dir, exportJson: true });
    expect(r.ok ? null : r.error).toMatchObject({ code: 'OUTPUT_CLASH', fix: expect.stringContaining('--out') });
  });
});

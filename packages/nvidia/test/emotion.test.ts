import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createEmotionTrack, parseEmotionArg, parseEmotionSidecar, readEmotionSidecar } from '@a2f/inference';
import { removeTempDirs, tempDir, thrown } from '@a2f/test-utils';
import { implicitEmotion, type EmotionDatabase } from '../src/index.js';

afterAll(removeTempDirs);

const NAMES = ['amazement', 'anger', 'cheekiness', 'disgust', 'fear', 'grief', 'joy', 'outofbreath', 'pain', 'sadness'];
const JOY = NAMES.indexOf('joy');
const ANGER = NAMES.indexOf('anger');

const message = (fn: () => unknown): string => thrown(fn).message;

describe('implicit emotion row', () => {
  // 3 columns; row r holds [r, 10r, 100r]; shots a: rows 0–3, b: rows 4–5.
  const db: EmotionDatabase = {
    file: '/p/implicit_emo_db.npz',
    rows: Float32Array.from({ length: 18 }, (_, i) => Math.floor(i / 3) * 10 ** (i % 3)),
    width: 3,
    shots: [
      { name: 'a', start: 0, size: 4 },
      { name: 'b', start: 4, size: 2 },
    ],
  };

  it('is row emo_spec_start[shot] + frame', () => {
    expect(Array.from(implicitEmotion(db, 'b', 1))).toEqual([5, 50, 500]);
    expect(Array.from(implicitEmotion(db, 'a', 0))).toEqual([0, 0, 0]);
  });

  it('is bounds-checked and lists the known shots', () => {
    expect(message(() => implicitEmotion(db, 'c', 0, '/p/model_config.json'))).toBe(
      '/p/model_config.json: source_shot "c" is not a shot of /p/implicit_emo_db.npz; it has "a" (4 frames), "b" ' +
        '(2 frames). Set "source_shot" to one of those names (the pack\'s own model_config.json has a valid one).',
    );
    expect(message(() => implicitEmotion(db, 'b', 2))).toMatch(/source_frame 2 is outside shot "b", which has frames 0…1/);
    expect(message(() => implicitEmotion(db, 'a', -1))).toMatch(/source_frame -1/);
  });
});

describe('explicit emotion track', () => {
  const implicit = Float32Array.of(0.5, -0.5);
  const defaults = NAMES.map((_, i) => i / 100);
  const info = { explicitEmotions: NAMES, defaultEmotion: defaults };

  it('interpolates linearly between keys and holds before the first and after the last', () => {
    const track = createEmotionTrack({
      implicit,
      info,
      keys: [
        { time: 3, emotions: { joy: 0.8 } },
        { time: 1, emotions: { JOY: 0.2, anger: 1 } },
      ],
    });
    const at = (t: number) => track.explicitAt(t);
    expect(at(0)[JOY]).toBeCloseTo(0.2, 6);
    expect(at(1)[JOY]).toBeCloseTo(0.2, 6);
    expect(at(2)[JOY]).toBeCloseTo(0.5, 6);
    expect(at(2.5)[JOY]).toBeCloseTo(0.65, 6);
    expect(at(9)[JOY]).toBeCloseTo(0.8, 6);
    // anger is 1 at t=1 and the default at t=3 (names a key leaves out take default_emotion).
    expect(at(2)[ANGER]).toBeCloseTo((1 + defaults[ANGER]) / 2, 6);
    expect(at(0)[0]).toBeCloseTo(defaults[0], 6);
  });

  it('emotionForFrames lays out [implicit | explicit] per frame', () => {
    const track = createEmotionTrack({
      implicit,
      info,
      keys: [
        { time: 0, emotions: { joy: 0 } },
        { time: 1, emotions: { joy: 1 } },
      ],
    });
    expect(track.width).toBe(2 + NAMES.length);
    const rows = track.emotionForFrames([0, 0.25, 2]);
    expect(rows.length).toBe(3 * track.width);
    for (let f = 0; f < 3; f++) expect(Array.from(rows.subarray(f * track.width, f * track.width + 2))).toEqual([0.5, -0.5]);
    expect(rows[2 + JOY]).toBe(0);
    expect(rows[track.width + 2 + JOY]).toBeCloseTo(0.25, 6);
    expect(rows[2 * track.width + 2 + JOY]).toBe(1);
  });

  it('without keys is default_emotion throughout', () => {
    const track = createEmotionTrack({ implicit, info });
    expect(Array.from(track.explicitAt(4))).toEqual(Array.from(Float32Array.from(defaults)));
  });

  it('rejects unknown names (listing the valid ones), out-of-range values and duplicate times', () => {
    expect(message(() => createEmotionTrack({ implicit, info, keys: [{ time: 0, emotions: { happy: 1 } }], origin: 'keys.json' }))).toBe(
      `keys.json: key 0: unknown emotion "happy". Use one of: ${NAMES.join(', ')}.`,
    );
    expect(message(() => createEmotionTrack({ implicit, info, keys: [{ time: 0, emotions: { joy: 1.2 } }] }))).toMatch(
      /key 0: "joy" must be a number from 0 to 1, found number 1.2/,
    );
    expect(
      message(() =>
        createEmotionTrack({
          implicit,
          info,
          keys: [
            { time: 1, emotions: {} },
            { time: 1, emotions: {} },
          ],
        }),
      ),
    ).toMatch(/two keys at time 1/);
    expect(message(() => createEmotionTrack({ implicit, info, keys: [{ time: -1, emotions: {} }] }))).toMatch(/time must be seconds ≥ 0/);
  });
});

describe('CLI form name=value,…', () => {
  it('parses with the network spelling of each name', () => {
    expect(parseEmotionArg('joy=0.6, Anger=.2', NAMES)).toEqual({ joy: 0.6, anger: 0.2 });
    expect(parseEmotionArg('sadness=1', NAMES)).toEqual({ sadness: 1 });
  });

  it('explains what is wrong', () => {
    expect(message(() => parseEmotionArg('happy=0.2', NAMES))).toBe(`--emotion: unknown emotion "happy". Use one of: ${NAMES.join(', ')}.`);
    expect(message(() => parseEmotionArg('joy', NAMES))).toMatch(/"joy" is not name=value/);
    expect(message(() => parseEmotionArg('joy=lots', NAMES))).toMatch(/"joy" must be a number from 0 to 1/);
    expect(message(() => parseEmotionArg('joy=1.5', NAMES))).toMatch(/"joy" must be a number from 0 to 1, found number 1.5/);
    expect(message(() => parseEmotionArg('joy=0.1,JOY=0.2', NAMES))).toMatch(/"joy" is given twice/);
    expect(message(() => parseEmotionArg(' , ', NAMES))).toMatch(/is empty/);
  });
});

describe('sidecar <audio>.a2f.json', () => {
  const file = '/audio/line01.wav.a2f.json';

  it('accepts timed keys and a constant', () => {
    expect(
      parseEmotionSidecar(
        {
          emotions: [
            { time: 0, joy: 0.6 },
            { time: 1.5, Joy: 0, anger: 0.3 },
          ],
        },
        file,
        NAMES,
      ),
    ).toEqual([
      { time: 0, emotions: { joy: 0.6 } },
      { time: 1.5, emotions: { joy: 0, anger: 0.3 } },
    ]);
    expect(parseEmotionSidecar({ $comment: 'calm', emotion: { sadness: 0.4 } }, file, NAMES)).toEqual([
      { time: 0, emotions: { sadness: 0.4 } },
    ]);
  });

  it('errors give the file, the JSON path and the fix', () => {
    const err = (json: unknown) => message(() => parseEmotionSidecar(json, file, NAMES));
    expect(
      err({
        emotions: [
          { time: 0, joy: 0.6 },
          { time: 1, joy: 2 },
        ],
      }),
    ).toBe(
      `${file}: at $.emotions[1].joy: expected a number from 0 to 1, found number 2. Emotion strengths run from 0 (absent) to 1 (full).`,
    );
    expect(err({ emotions: [{ time: 1 }, { time: 0.5 }] })).toMatch(
      /at \$\.emotions\[1\]\.time: 0\.5 is not after the previous key's 1\. List keys in increasing time order/,
    );
    expect(err({ emotions: [{ joy: 1 }] })).toMatch(/at \$\.emotions\[0\]\.time: expected seconds ≥ 0, found nothing/);
    expect(err({ emotion: { happy: 1 } })).toMatch(/at \$\.emotion\.happy: unknown emotion "happy"\. Use one of: amazement, anger/);
    expect(err({ emotion: { joy: 0.1 }, emotions: [] })).toMatch(/at \$: expected exactly one of "emotion" or "emotions"/);
    expect(err({ emotions: [] })).toMatch(/at \$\.emotions: expected a non-empty array of keys, found an array of 0/);
    expect(err({ emotion: { joy: 0.1 }, fps: 30 })).toMatch(/at \$\.fps: unknown field/);
    expect(err([1])).toMatch(/at \$: expected an object, found an array of 1/);
    expect(err({ emotions: [{ time: 0, joy: 0.1, JOY: 0.2 }] })).toMatch(/at \$\.emotions\[0\]\.JOY: "joy" is given twice/);
  });

  it('reads the file and reports bad JSON with its name', async () => {
    const dir = tempDir();
    const good = path.join(dir, 'a.wav.a2f.json');
    writeFileSync(good, '\uFEFF{ "emotion": { "fear": 0.25 } }');
    expect(await readEmotionSidecar(good, NAMES)).toEqual([{ time: 0, emotions: { fear: 0.25 } }]);
    const bad = path.join(dir, 'b.wav.a2f.json');
    writeFileSync(bad, '{ "emotion": { "fear": 0.25, } }');
    await expect(readEmotionSidecar(bad, NAMES)).rejects.toThrow(
      new RegExp(`${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: is not valid JSON`),
    );
  });
});

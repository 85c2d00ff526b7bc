// The page's curves (src/viewer/curves-data.ts) from a real preview blob of a layer whose every value
// is known (fixtures.ts): weights exactly as written, the jaw joint's angle from its rest pose in
// degrees, the groups, and which channels count as still. No browser: this part of the page is plain math.
import { removeTempDirs, tempDir } from '@a2f/test-utils';
import { afterAll, describe, expect, it } from 'vitest';
import { readBlob } from '../src/data.js';
import { buildPreview } from '../src/index.js';
import { buildCurves, toApiCurves } from '../src/viewer/curves-data.js';
import { groupOf } from '../src/viewer/groups.js';
import { CHANNELS, FPS, FRAMES, JAW_DEGREES, makeLayer, OPEN_FRAME, weightAt } from './fixtures.js';

afterAll(() => removeTempDirs());

async function curvesOf(jaw: 'joint' | 'blendshape') {
  const made = makeLayer(tempDir(`viewer-curves-${jaw}`), { jaw });
  const { html } = await buildPreview(made.layer);
  const b64 = /id="a2f-data">([^<]*)</.exec(html)![1]!;
  return buildCurves(readBlob(new Uint8Array(Buffer.from(b64, 'base64'))));
}

describe('the curves the page draws', () => {
  it('holds every blendshape weight exactly as the layer stores it, x in seconds from the first frame', async () => {
    const set = await curvesOf('blendshape');
    expect(set.seconds).toHaveLength(FRAMES);
    expect(set.seconds[OPEN_FRAME]).toBe(OPEN_FRAME / FPS);
    for (const channel of CHANNELS) {
      const c = set.curves.find((s) => s.kind === 'blendShape' && s.name === channel)!;
      expect(c, channel).toBeDefined();
      expect(c.values).toEqual(Array.from({ length: FRAMES }, (_, f) => Math.fround(weightAt(channel, f))));
      expect(c.moves).toBe(true);
    }
    // The API hands out copies: a script that edits them does not change the chart.
    const api = toApiCurves(set);
    (api.series[0]!.values as number[])[0] = 42;
    expect(set.curves[0]!.values[0]).not.toBe(42);
  });

  it('plots the jaw joint as degrees turned from its rest pose: 0 closed, JAW_DEGREES fully open', async () => {
    const set = await curvesOf('joint');
    const jaw = set.curves.find((c) => c.kind === 'joint' && c.name.endsWith('/jaw'))!;
    expect(jaw.group).toBe('jaw/mouth');
    expect(jaw.moves).toBe(true);
    for (let f = 0; f < FRAMES; f++) expect(jaw.values[f]).toBeCloseTo(weightAt('jawOpen', f) * JAW_DEGREES, 3);
    // Eyes that never turn are still: a flat line at 0°, hidden until asked for.
    const eyes = set.curves.filter((c) => c.kind === 'joint' && /eye_[LR]$/.test(c.name));
    expect(eyes).toHaveLength(2);
    for (const e of eyes) {
      expect(e.group).toBe('eyes/brows');
      expect(e.moves).toBe(false);
      for (const v of e.values) expect(v).toBeCloseTo(0, 6);
    }
  });

  it('groups channels by name: jaw/mouth, eyes/brows, tongue, other', () => {
    expect(groupOf('jawOpen', 'blendShape')).toBe('jaw/mouth');
    expect(groupOf('mouthSmileLeft', 'blendShape')).toBe('jaw/mouth');
    expect(groupOf('root/head/jaw', 'joint')).toBe('jaw/mouth');
    expect(groupOf('eyeBlinkLeft', 'blendShape')).toBe('eyes/brows');
    expect(groupOf('browInnerUp', 'blendShape')).toBe('eyes/brows');
    expect(groupOf('root/head/eye_L', 'joint')).toBe('eyes/brows');
    expect(groupOf('tongueOut', 'blendShape')).toBe('tongue');
    expect(groupOf('root/head/jaw/tongue', 'joint')).toBe('tongue');
    expect(groupOf('cheekPuff', 'blendShape')).toBe('other');
    expect(groupOf('noseSneerLeft', 'blendShape')).toBe('other');
  });
});

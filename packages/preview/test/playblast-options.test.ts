// playblast()'s options and its refusals, checked before any browser starts: sizes yuv420p can hold,
// one destination, a view it knows, ffmpeg looked for before the page is built, Chromium's own error.
// The frames and the video themselves are checked in test/e2e/preview-playblast.test.ts (real Chromium).
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { rejection, removeTempDirs, tempDir } from '@a2f/test-utils';
import { afterAll, describe, expect, it } from 'vitest';
import { PLAYBLAST_DEFAULTS, playblast } from '../src/index.js';
import { checkPlayblastOptions, frameFileName, videoFrames } from '../src/playblast.js';
import { makeLayer } from './fixtures.js';

afterAll(removeTempDirs);

const LAYER = '/nowhere/line.usda';

describe('playblast options', () => {
  it('defaults to 1280×720, front view', () => {
    expect(PLAYBLAST_DEFAULTS).toEqual({ width: 1280, height: 720, view: 'front' });
    expect(checkPlayblastOptions(LAYER, { out: 'a.mp4' })).toMatchObject({
      width: 1280,
      height: 720,
      view: 'front',
      out: path.resolve('a.mp4'),
    });
  });

  it('refuses an odd width or height with the even size to use instead', async () => {
    const err = await rejection(playblast(LAYER, { out: '/tmp/x.mp4', width: 321, height: 240 }));
    expect(err.code).toBe('BAD_OPTION');
    expect(err.problem).toMatch(/321x240 has an odd side/);
    expect(err.problem).toMatch(/yuv420p/);
    expect(err.fix).toMatch(/--size 322x240/);
    expect((await rejection(playblast(LAYER, { framesDir: '/tmp/f', width: 320, height: 241 }))).fix).toMatch(/--size 320x242/);
  });

  it('refuses sizes that are not whole numbers in range', async () => {
    for (const [width, height] of [
      [0, 240],
      [320.5, 240],
      [320, 9000],
      [Number.NaN, 240],
    ] as const) {
      const err = await rejection(playblast(LAYER, { out: '/tmp/x.mp4', width, height }));
      expect(err.code).toBe('BAD_OPTION');
      expect(err.problem).toMatch(/not two whole numbers from 2 to 4096/);
    }
  });

  it('needs exactly one of out and framesDir', async () => {
    const neither = await rejection(playblast(LAYER, {}));
    expect(neither.code).toBe('BAD_OPTION');
    expect(neither.fix).toMatch(/exactly one of -o <file.mp4> and --frames <dir>/);
    const both = await rejection(playblast(LAYER, { out: '/tmp/x.mp4', framesDir: '/tmp/f' }));
    expect(both.problem).toMatch(/either a video or frames, not both/);
  });

  it('writes only .mp4 and knows three views', async () => {
    expect((await rejection(playblast(LAYER, { out: '/tmp/x.mov' }))).problem).toMatch(/"\/tmp\/x.mov" does not end in .mp4/);
    const view = await rejection(playblast(LAYER, { out: '/tmp/x.mp4', view: 'top' as never }));
    expect(view.code).toBe('BAD_OPTION');
    expect(view.fix).toBe('Use --view front|side|three-quarter');
  });

  it('refuses frames into a file and a video onto a folder', async () => {
    const dir = tempDir('playblast-paths');
    const file = path.join(dir, 'taken.png');
    writeFileSync(file, 'x');
    const frames = await rejection(playblast(LAYER, { framesDir: file }));
    expect(frames.code).toBe('BAD_OPTION');
    expect(frames.problem).toMatch(/is a file, not a folder for frames/);
    const folder = path.join(dir, 'clip.mp4');
    mkdirSync(folder);
    const video = await rejection(playblast(LAYER, { out: folder }));
    expect(video.code).toBe('BAD_OPTION');
    expect(video.problem).toMatch(/clip\.mp4" is a folder/);
  });

  it('looks for ffmpeg before reading the layer, and says how to install it', async () => {
    const err = await rejection(playblast(LAYER, { out: '/tmp/x.mp4', ffmpeg: '/nonexistent/ffmpeg' }));
    expect(err.code).toBe('FFMPEG_NOT_FOUND');
    expect(err.fix).toMatch(/sudo apt-get install ffmpeg/);
    expect(err.fix).toMatch(/--ffmpeg <path>/);
  });

  it("reports a missing Chromium with browser.ts's error, leaving no video, frames or temporary files", async () => {
    const root = tempDir('playblast-chromium');
    const { layer } = makeLayer(root, { jaw: 'blendshape' });
    const out = path.join(root, 'renders', 'line.mp4');
    const err = await rejection(playblast(layer, { out, chromium: path.join(root, 'no-chromium') }));
    expect(err.code).toBe('CHROMIUM_NOT_FOUND');
    expect(err.fix).toMatch(/apt-get install chromium/);
    expect(existsSync(out)).toBe(false);
    // the output folder exists only once encoding starts
    expect(existsSync(path.dirname(out)) ? readdirSync(path.dirname(out)) : []).toEqual([]);
    const frames = path.join(root, 'frames');
    expect((await rejection(playblast(layer, { framesDir: frames, chromium: path.join(root, 'no-chromium') }))).code).toBe(
      'CHROMIUM_NOT_FOUND',
    );
    expect(existsSync(frames) ? readdirSync(frames) : []).toEqual([]);
  });
});

describe('frame files and counts', () => {
  it('names frames zero-padded from 0, with more digits only when needed', () => {
    expect(frameFileName(0, 75)).toBe('frame_00000.png');
    expect(frameFileName(74, 75)).toBe('frame_00074.png');
    expect(frameFileName(123_456, 200_000)).toBe('frame_123456.png');
    expect(frameFileName(7, 200_000)).toBe('frame_000007.png');
  });

  it('covers the audio with whole frames: the last one is cut at the audio by ffmpeg', () => {
    expect(videoFrames(2.5, 30)).toBe(75);
    expect(videoFrames(2.4918, 30)).toBe(75);
    expect(videoFrames(2.5001, 30)).toBe(76);
    expect(videoFrames(1, 30000 / 1001)).toBe(30);
    expect(videoFrames(0.001, 30)).toBe(1);
  });
});

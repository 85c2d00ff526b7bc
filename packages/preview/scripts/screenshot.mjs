#!/usr/bin/env node
// Regenerates the README's picture of a preview page (docs/images/preview.png): the sample line
// "papa" run with --jaw joint on the sample character, its page opened in headless Chromium at
// 1280×800, shown at an open vowel with the pointer over the curves. Run from the repository root
// after `npm run build`: node packages/preview/scripts/screenshot.mjs [out.png]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium, writePreview } from '../dist/index.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const out = path.resolve(process.argv[2] ?? path.join(root, 'docs/images/preview.png'));
const work = mkdtempSync(path.join(tmpdir(), 'a2f-screenshot-'));
try {
  const cli = path.join(root, 'packages/cli/dist/bin.js');
  const line = path.join(root, 'samples/dialogue/line02_papa.wav');
  const character = path.join(root, 'samples/character/face.usda');
  const run = spawnSync(process.execPath, [cli, 'run', line, '--character', character, '--jaw', 'joint', '--out', work], {
    encoding: 'utf8',
  });
  if (run.status !== 0) throw new Error(`a2f run failed (exit ${run.status}): ${run.stderr.trim()}`);
  const page = (await writePreview(path.join(work, 'line02_papa.usda'))).file;
  const browser = await launchChromium();
  try {
    const tab = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await tab.goto(`file://${page}`);
    await tab.waitForFunction(() => window.a2fPreviewReady === true || window.a2fPreviewError !== undefined);
    const error = await tab.evaluate(() => window.a2fPreviewError);
    if (error) throw new Error(`the page failed: ${error}`);
    // The frame where the jaw joint turns furthest: the mouth at its most open.
    const frame = await tab.evaluate(() => {
      const jaw = window.a2fPreview.curves().series.find((s) => s.kind === 'joint' && s.name.endsWith('/jaw'));
      return jaw ? jaw.values.indexOf(Math.max(...jaw.values)) : 0;
    });
    await tab.evaluate((f) => window.a2fPreview.setFrame(f), frame);
    const over = await tab.evaluate((f) => {
      const box = document.querySelector('.u-over').getBoundingClientRect();
      const info = window.a2fPreview.info();
      return { x: box.left + (box.width * (f + 0.5)) / info.frames, y: box.top + box.height * 0.4 };
    }, frame);
    await tab.mouse.move(over.x, over.y);
    await tab.screenshot({ path: out });
    console.log(`wrote ${path.relative(process.cwd(), out)} (${Math.round(statSync(out).size / 1024)} KB), frame ${frame}`);
  } finally {
    await browser.close();
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

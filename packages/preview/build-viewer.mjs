#!/usr/bin/env node
// Bundles the preview page's script (src/viewer/main.ts with three.js and uPlot) into one classic
// script and one stylesheet in assets/, which page.ts inlines into every preview: a page opened from
// file:// may not load ES modules or fetch files, so everything it runs has to be inside it
// (docs/preview.md, "Why one file").
import { mkdirSync } from 'node:fs';
import { build } from 'esbuild';

mkdirSync('assets', { recursive: true });
await build({
  entryPoints: ['src/viewer/main.ts'],
  bundle: true,
  format: 'iife',
  platform: 'browser',
  target: ['chrome110', 'firefox115', 'safari16'],
  minify: true,
  legalComments: 'eof',
  outfile: 'assets/viewer.js',
  logLevel: 'warning',
});

// The page file: where it goes, its one-file layout under a no-network Content-Security-Policy, the
// blob inside it, and a viewer script that cannot close its own <script> element early.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { removeTempDirs, tempDir } from '@a2f/test-utils';
import { afterAll, describe, expect, it } from 'vitest';
import { BlobBuilder, PREVIEW_MAGIC, type PreviewHeader, readBlob } from '../src/data.js';
import { pageHtml } from '../src/page.js';
import { previewPath, writePreview } from '../src/index.js';
import { makeLayer } from './fixtures.js';

afterAll(removeTempDirs);

describe('previewPath', () => {
  it('is <stem>.preview.html beside the layer, whatever its format', () => {
    expect(previewPath('/shots/line02.usda')).toBe('/shots/line02.preview.html');
    expect(previewPath('/shots/line02.v2.usdc')).toBe('/shots/line02.v2.preview.html');
    expect(previewPath('take.usdz')).toBe('take.preview.html');
  });
});

describe('pageHtml', () => {
  const b = new BlobBuilder();
  const ref = b.add('f32', [1, 2, 3]);
  const html = pageHtml('a <b> & "c"', b.finish({ magic: PREVIEW_MAGIC, notes: [] } as unknown as PreviewHeader));

  it('forbids every network use and escapes the title', () => {
    expect(html).toContain(`content="default-src 'none'; script-src 'unsafe-inline' 'wasm-unsafe-eval'; style-src 'unsafe-inline';`);
    expect(html).toContain('<title>a &lt;b&gt; &amp; &quot;c&quot; · a2f preview</title>');
    expect(html.startsWith('<!doctype html><html lang="en"><head><meta charset="utf-8">')).toBe(true);
  });

  it('carries the blob as base64 in a data script the page decodes', () => {
    const b64 = /<script type="application\/octet-stream" id="a2f-data">([^<]*)<\/script>/.exec(html)![1]!;
    expect(Array.from(readBlob(new Uint8Array(Buffer.from(b64, 'base64'))).f32(ref))).toEqual([1, 2, 3]);
  });

  it('closes its two script elements only where they end: the viewer cannot end its own early', () => {
    expect(html.match(/<\/script/gi)?.length).toBe(2);
    expect(html.match(/<\/script>/gi)?.length).toBe(2);
    // "<!--" inside a script would switch the HTML parser into a state where "</script>" no longer ends it.
    expect(html).not.toContain('<!--');
    expect(html.indexOf('<div id="a2f-app"></div>')).toBeLessThan(html.indexOf('id="a2f-data"'));
  });
});

describe('writePreview', () => {
  it('writes into a folder given as out, or to a .html file given as out', async () => {
    const made = makeLayer(tempDir('page-out'), { jaw: 'blendshape' });
    const folder = tempDir('page-folder');
    const a = await writePreview(made.layer, { out: folder, audio: false });
    expect(a.file).toBe(path.join(folder, 'line.preview.html'));
    const file = path.join(folder, 'custom.html');
    const b = await writePreview(made.layer, { out: file, audio: false });
    expect(b.file).toBe(file);
    expect(readFileSync(file).length).toBe(b.bytes);
    expect(existsSync(previewPath(made.layer))).toBe(false);
  });
});

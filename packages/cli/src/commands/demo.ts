import { readdirSync } from 'node:fs';
import path from 'node:path';
import { AUDIO_EXTENSIONS } from '@a2f/audio';
import { SAMPLE_CHARACTER, SAMPLE_DIALOGUE } from '../assets.js';
import { runBatch } from './run.js';

export function sampleLines(): string[] {
  return readdirSync(SAMPLE_DIALOGUE)
    .filter((f) => AUDIO_EXTENSIONS.includes(path.extname(f).toLowerCase()))
    .sort()
    .map((f) => path.join(SAMPLE_DIALOGUE, f));
}

/** The main job on the embedded defaults: every sample line onto the sample character. */
export async function runDemo(outDir: string, json: boolean): Promise<number> {
  const lines = sampleLines();
  if (!json) process.stderr.write(`a2f demo: ${lines.length} sample lines → ${SAMPLE_CHARACTER}, embedded default model\n`);
  const code = await runBatch(lines, { character: SAMPLE_CHARACTER, outDir, model: 'default', layering: 'override' }, { json });
  if (!json && code === 0) {
    const rel = path.relative(process.cwd(), outDir) || '.';
    process.stderr.write(
      [
        '',
        `Layers are in ${path.resolve(outDir)}`,
        'Each <line>.usda sublayers the sample character, so it opens on its own:',
        `  usdview ${rel}/line01_hello.usda        (Pixar/NVIDIA usdview; press play)`,
        '  Omniverse / Houdini Solaris: open the layer, or sublayer it over your shot (Sublayer LOP)',
        '  Blender: File > Import > Universal Scene Description; Maya: File > Import with the USD plug-in',
        `Per-line reports (binding, provenance): ${rel}/<line>.report.json`,
        '',
      ].join('\n'),
    );
  }
  return code;
}

// Layers the scene tests preview, made the way a run makes them: @a2f/usd's buildAnimationLayers
// over the sample character, from a FaceAnimation whose every value the tests know, with a WAV
// written beside it (silent, then loud) and a report like the one a run writes.
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createFaceAnimation, type JawMode, parseBindingPreset, quatFromAxisAngle, rational } from '@a2f/animation';
import { encodeWav } from '@a2f/audio';
import { sha256Text } from '@a2f/base';
import { buildAnimationLayers, inspectCharacter } from '@a2f/usd';

export const repoRoot = path.resolve(import.meta.dirname, '../../..');
export const sampleCharacter = path.join(repoRoot, 'samples/character/face.usda');

export const FPS = 30;
export const FRAMES = 45;
/** The frame the mouth is fully open (jawOpen 1, or the jaw joint at JAW_DEGREES); frames before 15 are closed. */
export const OPEN_FRAME = 30;
export const JAW_DEGREES = 20;
export const CHANNELS = ['jawOpen', 'mouthFunnel', 'eyeBlinkLeft'] as const;

/** jawOpen: 0 until frame 15, a ramp to 1 at frame 25, then held; mouthFunnel f/100; eyeBlinkLeft 0.5 on odd frames. */
export function weightAt(channel: (typeof CHANNELS)[number], f: number): number {
  if (channel === 'jawOpen') return f < 15 ? 0 : Math.min(1, (f - 15) / 10);
  if (channel === 'mouthFunnel') return f / 100;
  return f % 2 === 1 ? 0.5 : 0;
}

/** 1.5 s at 48 kHz stereo: 0.5 s of silence, then a 220 Hz tone at amplitude 0.8. */
export function dialogueWav(): Uint8Array {
  const rate = 48000;
  const n = rate * 1.5;
  const left = new Float32Array(n);
  for (let i = rate / 2; i < n; i++) left[i] = 0.8 * Math.sin((2 * Math.PI * 220 * i) / rate);
  return encodeWav([left, left.slice()], rate, 'pcm16');
}

export interface MadeLayer {
  readonly dir: string;
  readonly layer: string;
  readonly character: string;
  readonly audio: string;
  readonly sha256: string;
}

/**
 * `<root>/character/face.usda` (the sample, or `character` in its own format), `<root>/<shots>/line.usda` over it, the audio at
 * `<root>/audio/line.wav` and `<root>/<shots>/line.report.json` naming it (as a run writes them).
 */
export function makeLayer(
  root: string,
  opts: { jaw: JawMode; shots?: string; report?: boolean; character?: string; layering?: 'override' | 'reference' },
): MadeLayer {
  const shots = path.join(root, opts.shots ?? 'shots');
  for (const d of ['character', 'audio']) mkdirSync(path.join(root, d), { recursive: true });
  mkdirSync(shots, { recursive: true });
  const from = opts.character ?? sampleCharacter;
  const character = path.join(root, 'character', `face${path.extname(from)}`);
  copyFileSync(from, character);
  const wav = dialogueWav();
  const audio = path.join(root, 'audio/line.wav');
  writeFileSync(audio, wav);
  const sha256 = sha256Text(wav);
  const anim = createFaceAnimation({
    fps: rational(FPS),
    frameCount: FRAMES,
    channels: [...CHANNELS],
    joints: ['jaw', 'eye_L', 'eye_R'],
    provenance: {
      tool: { name: 'a2f', version: '0.1.0-test' },
      model: { id: 'fixture', kind: 'test' },
      parameters: {},
      audio: { file: 'line.wav', sha256, sampleRate: 48000, channels: 2, durationSeconds: 1.5 },
    },
  });
  const w = anim.weights as Float32Array;
  for (let f = 0; f < FRAMES; f++) for (const [i, c] of CHANNELS.entries()) w[f * CHANNELS.length + i] = weightAt(c, f);
  const jaw = anim.joints[0]!.rotations as Float32Array;
  // The jaw joint opens with jawOpen: pitch about +X (down for this Y-up, +Z-forward face).
  for (let f = 0; f < FRAMES; f++) jaw.set(quatFromAxisAngle([1, 0, 0], (weightAt('jawOpen', f) * JAW_DEGREES * Math.PI) / 180), f * 4);
  const preset = parseBindingPreset(JSON.parse(readFileSync(path.join(repoRoot, 'templates/bindings/arkit.json'), 'utf8')), 'arkit.json');
  const { layers, report } = buildAnimationLayers(anim, inspectCharacter(character), {
    layering: opts.layering ?? 'override',
    preset,
    name: 'line',
    characterAssetPath: path.relative(shots, character),
    bind: { jaw: opts.jaw },
  });
  for (const l of layers) writeFileSync(path.join(shots, l.fileName), l.text());
  // The reference pattern writes line.anim.usda and line.shot.usda; the shot is what a user opens.
  const layer = path.join(shots, opts.layering === 'reference' ? 'line.shot.usda' : 'line.usda');
  if (opts.report !== false) {
    const binding = { preset: report.preset, jaw: report.jaw, unboundShapes: ['tongueOut'] };
    writeFileSync(path.join(shots, 'line.report.json'), JSON.stringify({ audio: path.relative(shots, audio), binding }, null, 1));
  }
  return { dir: shots, layer, character, audio, sha256 };
}

// One training utterance, audio and phoneme timeline, from espeak-ng or festival through the repo's
// lip-sync tools (tools/lipsync, which compiles its espeak-ng phonemizer on first use).

import { readFileSync } from 'node:fs';
import { decodeAudioBytes } from '@a2f/audio';
import { synthesize, synthesizeFestival } from '@a2f/lipsync';

export async function speak({ engine = 'espeak', text, voice, wpm, pitch, leadMs, tailMs, dir }) {
  const id = 'u';
  const made =
    engine === 'festival'
      ? await synthesizeFestival({ text, outDir: dir, id, leadMs, tailMs })
      : await synthesize({ text, voice, wpm, pitch, leadMs, tailMs, outDir: dir, id });
  const decoded = await decodeAudioBytes(readFileSync(made.wav), made.wav);
  return { samples: decoded.channels[0], rate: decoded.sampleRate, timeline: made.timeline };
}

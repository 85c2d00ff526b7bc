import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { AUDIO_EXTENSIONS } from '@a2f/audio';

/**
 * Expands the audio arguments: a folder stands for the audio files directly inside it (sorted, not
 * recursive), so `a2f run takes/` processes a session's takes. Files are passed through as given,
 * whatever their extension, so that a wrong file gets its own clear error rather than being skipped.
 */
export function expandAudioArgs(args: readonly string[]): string[] {
  const out: string[] = [];
  for (const arg of args) {
    let isDir = false;
    try {
      isDir = statSync(arg).isDirectory();
    } catch {
      /* reported by the decoder, with the fix */
    }
    if (!isDir) {
      out.push(arg);
      continue;
    }
    const found = readdirSync(arg, { withFileTypes: true })
      .filter((e) => !e.isDirectory() && !e.name.startsWith('.') && AUDIO_EXTENSIONS.includes(path.extname(e.name).toLowerCase()))
      .map((e) => e.name)
      .sort()
      .map((f) => path.join(arg, f));
    out.push(...(found.length ? found : [arg]));
  }
  return out;
}

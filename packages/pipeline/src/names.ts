import path from 'node:path';

/**
 * Output file names are the user's names: the audio file's stem as given, with only what a file
 * system forbids replaced. The rule, and why each part of it exists, is in docs/output-names.md.
 */

/** Longest stem in UTF-8 bytes: leaves room under 255 for `.report.json`, a disambiguation and our temporary-file affixes. */
export const MAX_STEM_BYTES = 200;

// Separators, NUL and control characters everywhere; `<>:"|?*` because studios share folders with Windows.
const FORBIDDEN = /[\u0000-\u001f\u007f/\\<>:"|?*]/g;
const WINDOWS_DEVICE = /^(con|prn|aux|nul|com[1-9]|lpt[1-9])$/i;

/** `name` made usable as a file name on Linux, macOS and Windows; a valid name comes back unchanged. */
export function safeFileName(name: string): string {
  let s = truncateUtf8(name.replace(FORBIDDEN, '_'), MAX_STEM_BYTES);
  // A leading dot hides the file (and our temporary files start with one); Windows drops trailing dots and spaces.
  s = s.replace(/^\./, '_').replace(/[. ]+$/, (tail) => '_'.repeat(tail.length));
  if (WINDOWS_DEVICE.test(s.split('.')[0]!)) s = s.replace(/^[^.]*/, (device) => `${device}_`);
  return s === '' ? 'line' : s;
}

/** The file name without its last extension (`take.01.wav` → `take.01`; `.wav` alone is a stem). */
export function stemOf(file: string): string {
  const base = path.basename(file);
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(0, dot) : base;
}

/** The output stem of an audio file: its stem as given, made file-system safe. */
export const fileStem = (file: string): string => safeFileName(stemOf(file));

/**
 * Distinct output stems for a batch, in order. Names are compared as a case- and
 * normalisation-insensitive file system would (macOS, Windows): the first input keeps its stem,
 * a later one whose stem is taken gets its whole file name (`take.mp3`), then ` (2)`, ` (3)`…
 */
export function uniqueStems(files: readonly string[]): string[] {
  const taken = new Set<string>();
  const key = (s: string) => s.normalize('NFC').toLowerCase();
  return files.map((file) => {
    const stem = fileStem(file);
    const candidates = [stem, safeFileName(path.basename(file))];
    let name = candidates.find((c) => !taken.has(key(c)));
    for (let n = 2; name === undefined; n++) if (!taken.has(key(`${stem} (${n})`))) name = `${stem} (${n})`;
    taken.add(key(name));
    return name;
  });
}

/** At most `max` UTF-8 bytes, cut on a character boundary. */
function truncateUtf8(s: string, max: number): string {
  if (Buffer.byteLength(s) <= max) return s;
  let out = '';
  let bytes = 0;
  for (const ch of s) {
    bytes += Buffer.byteLength(ch);
    if (bytes > max) break;
    out += ch;
  }
  return out;
}

// Headless Chromium for playblasts, the benchmark and the browser tests: Debian's `chromium` (or the
// one a user names), driven by playwright-core, never a browser a tool downloads itself. WebGL runs
// on SwiftShader, Chromium's CPU renderer, so no GPU is needed (docs/playblast.md, "Chromium").
import { accessSync, constants } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';
import { PreviewError } from './errors.js';

/** Flags for a headless Chromium on a machine with no GPU and no network. */
export const CHROMIUM_ARGS: readonly string[] = [
  '--no-sandbox',
  '--disable-gpu',
  '--use-angle=swiftshader',
  '--enable-unsafe-swiftshader',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
  '--autoplay-policy=no-user-gesture-required',
  '--mute-audio',
];

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable'];

/** The Chromium to run: the one given, else $A2F_CHROMIUM, else the first of the usual places that exists. */
export function findChromium(given?: string): string {
  const named = given ?? process.env.A2F_CHROMIUM;
  if (named) {
    if (executable(named)) return named;
    throw new PreviewError(
      'CHROMIUM_NOT_FOUND',
      named,
      'is not an executable Chromium',
      'Give the path of a Chromium or Chrome binary (--chromium or $A2F_CHROMIUM), or install one: sudo apt-get install chromium',
    );
  }
  const found = CANDIDATES.find(executable);
  if (found) return found;
  throw new PreviewError(
    'CHROMIUM_NOT_FOUND',
    CANDIDATES[0]!,
    'no Chromium was found (playblasts render the preview page in a headless Chromium)',
    'Install it (Debian/Ubuntu: sudo apt-get install chromium), or name one with --chromium <path> or $A2F_CHROMIUM',
  );
}

/** A headless Chromium; playwright-core gives it a fresh temporary profile and removes it on close. */
export async function launchChromium(opts: { chromium?: string } = {}): Promise<Browser> {
  const executablePath = findChromium(opts.chromium);
  try {
    return await chromium.launch({ executablePath, headless: true, args: [...CHROMIUM_ARGS] });
  } catch (err) {
    throw new PreviewError(
      'BROWSER_FAILED',
      executablePath,
      `Chromium did not start: ${(err as Error).message.split('\n')[0]}`,
      'Check that it runs (chromium --headless --version); it needs no display, but it needs its libraries (sudo apt-get install chromium)',
      { cause: err },
    );
  }
}

function executable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

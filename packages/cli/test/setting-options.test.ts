// `a2f run` and `a2f watch` options come from pipeline's settings table, and their values are
// checked there: a library caller and the CLI get the same defaults and the same errors.
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type JobSettingsInput,
  namesOf,
  outputSettings,
  processLines,
  resolveSettings,
  resolveWatchSettings,
  SETTINGS,
  type SettingSpec,
} from '@a2f/pipeline';
import { Watcher } from '@a2f/watch';
import { describe, expect, it, vi } from 'vitest';
import { rejection } from '@a2f/test-utils';
import yargs from 'yargs';
import { fatalError } from '../src/fatal.js';
import { main } from '../src/index.js';
import { helpText, settingOptions, settingsFromArgs } from '../src/setting-options.js';

// The repository's samples (tests may read the repository; shipped code carries its own assets).
const SAMPLES_DIR = path.resolve(import.meta.dirname, '../../../samples');

const CHARACTER = path.join(SAMPLES_DIR, 'character', 'face.usda');
const LINE = path.join(SAMPLES_DIR, 'dialogue', 'line02_papa.wav');
const RUN = [...namesOf('job'), ...namesOf('run')];
const WATCH = [...namesOf('job'), ...namesOf('watch')];
const squash = (text: string): string => text.replace(/\s+/g, ' ');

async function cli(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => out.push(String(s)) > 0);
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => err.push(String(s)) > 0);
  // yargs prints --help through console.log
  const l = vi.spyOn(console, 'log').mockImplementation((...s: unknown[]) => out.push(`${s.join(' ')}\n`));
  try {
    const code = await main(argv);
    return { code, out: out.join(''), err: err.join('') };
  } finally {
    o.mockRestore();
    e.mockRestore();
    l.mockRestore();
  }
}

const refusal = rejection;

describe('run and watch options from the settings table', () => {
  it('gives each flag the type, default, choices and help text of its setting', () => {
    for (const [names, demand] of [
      [RUN, true],
      [WATCH, false],
    ] as const) {
      const options = settingOptions(names, demand) as Record<string, Record<string, unknown>>;
      for (const name of names) {
        const spec: SettingSpec = SETTINGS[name];
        if (spec.flag === undefined) continue;
        const o = options[spec.flag]!;
        expect(o.type, name).toBe(spec.type);
        expect(o.describe, name).toBe(helpText(spec));
        expect(o.default, name).toBe(typeof spec.default === 'object' ? undefined : spec.default);
        expect(o.choices, name).toEqual(spec.choices ? [...spec.choices] : undefined);
        expect(o.demandOption, name).toBe(demand && spec.required ? true : undefined);
      }
    }
  });

  it('--help shows every setting with the help text and default of the table', async () => {
    for (const [command, names] of [
      ['run', RUN],
      ['watch', WATCH],
    ] as const) {
      const r = await cli([command, '--help']);
      expect(r.code).toBe(0);
      const help = squash(r.out);
      for (const name of names) {
        const spec: SettingSpec = SETTINGS[name];
        if (spec.flag === undefined) continue;
        expect(help, `${command} --${spec.flag}`).toContain(`--${spec.flag} ${squash(helpText(spec))}`);
      }
    }
    expect(squash((await cli(['watch', '--help'])).out)).toMatch(
      new RegExp(`--concurrency ${helpText(SETTINGS.concurrency)} \\[number\\] \\[default: ${SETTINGS.concurrency.default}\\]`),
    );
  });

  it("the README's watch option table shows the table's defaults", () => {
    const readme = readFileSync(fileURLToPath(new URL('../../../README.md', import.meta.url)), 'utf8');
    const byFlag = new Map(WATCH.map((n) => [(SETTINGS[n] as SettingSpec).flag, SETTINGS[n] as SettingSpec]));
    let compared = 0;
    for (const row of readme.split('\n').filter((l) => /^\| `--/.test(l))) {
      const [option = '', shown = ''] = row.split('|').slice(1, 3);
      const flags = [...option.matchAll(/`--([a-z-]+)/g)].map((m) => m[1]!);
      const values = shown.split(',').map((d) => d.trim());
      flags.forEach((flag, i) => {
        const spec = byFlag.get(flag);
        const value = values.length === flags.length ? values[i] : i === 0 ? values[0] : undefined;
        if (!spec || spec.default === undefined || value === undefined) return;
        if (value === 'off') expect(spec.default, flag).toBe(false);
        else if (/^`[^`]*`$/.test(value)) expect(String(spec.default), flag).toBe(value.slice(1, -1));
        else return;
        compared++;
      });
    }
    expect(compared).toBeGreaterThanOrEqual(10);
  });

  it('parses to what the library resolves with nothing given, so a table default moves both (and the watch key with them)', () => {
    const parsed = yargs([]).options(settingOptions(WATCH)).parseSync() as Record<string, unknown>;
    const base = { character: '/x/face.usda', outDir: '/o' };
    const fromCli = resolveSettings({ ...settingsFromArgs(parsed, namesOf('job')), ...base } as JobSettingsInput);
    const fromCode = resolveSettings(base);
    expect(fromCli).toEqual(fromCode);
    expect(resolveWatchSettings(settingsFromArgs(parsed, namesOf('watch')))).toEqual(resolveWatchSettings());
    expect(outputSettings(fromCli)).toEqual(outputSettings(fromCode));
    expect(fromCode.seed).toBe(SETTINGS.seed.default);
    expect(resolveWatchSettings().concurrency).toBe(SETTINGS.concurrency.default);
  });

  it('refuses a bad value with the error a library caller gets, and writes nothing', async () => {
    const work = path.join(os.tmpdir(), `a2f-settings-${process.pid}`);
    const inbox = path.join(SAMPLES_DIR, 'dialogue');
    const out = path.join(work, 'out');

    const w = await cli(['watch', inbox, '--out', out, '--character', CHARACTER, '--concurrency', '0', '--json']);
    expect(w.code).toBe(2);
    const fromCode = fatalError(await refusal(Watcher.start({ inbox, out, job: { character: CHARACTER }, concurrency: 0 })), 'watch');
    expect(JSON.parse(w.out).error).toEqual(fromCode);
    expect(fromCode).toMatchObject({ code: 'BAD_SETTING', message: '--concurrency: 0 is not a whole number >= 1' });
    expect(w.err).toContain('a2f watch: --concurrency: 0 is not a whole number >= 1. Give the lines to run at once, e.g. --concurrency 2.');

    const r = await cli(['run', LINE, '--character', CHARACTER, '--out', out, '--seed=-1', '--json']);
    expect(r.code).toBe(2);
    const runFromCode = fatalError(await refusal(processLines([LINE], { character: CHARACTER, outDir: out, seed: -1 })), 'run');
    expect(JSON.parse(r.out).error).toEqual(runFromCode);
    expect(runFromCode).toMatchObject({ code: 'BAD_SETTING', message: '--seed: -1 is not a whole number >= 0' });

    const repeated = await cli(['watch', inbox, '--out', out, '--character', CHARACTER, '--retries', '1', '--retries', '2']);
    expect(repeated.code).toBe(2);
    expect(repeated.err).toContain('--retries: is given more than once ([1,2]); it takes one value, a whole number >= 0');
    expect(existsSync(out)).toBe(false);
  });
});

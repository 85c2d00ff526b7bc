// The settings table: its defaults pass its own checks, bad values are refused the same way for
// every caller, and the parts that decide the output are the ones the table marks.
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { thrown } from '@a2f/test-utils';
import {
  type JobError,
  type JobSettingsInput,
  namesOf,
  outputSettings,
  provenanceSettings,
  resolveRunSettings,
  resolveSettings,
  resolveWatchSettings,
  SETTING_NAMES,
  SETTINGS,
  type SettingSpec,
} from '../src/index.js';

const base = { character: '/x/face.usda', outDir: '/o' };
const refusal = (fn: () => unknown): JobError => thrown(fn) as JobError;

describe('the settings table', () => {
  it('holds a default each setting accepts, help, the fix for a bad value, and unique flags', () => {
    const flags = new Set<string>();
    for (const name of SETTING_NAMES) {
      const spec: SettingSpec = SETTINGS[name];
      if (spec.default !== undefined) expect(v.safeParse(spec.schema, spec.default).success, name).toBe(true);
      expect(typeof spec.help === 'function' ? spec.help() : spec.help, name).not.toBe('');
      expect(spec.fix, name).toMatch(/\.$/);
      for (const f of [spec.flag, spec.alias]) {
        if (f === undefined) continue;
        expect(flags.has(f), `${name}: --${f} twice`).toBe(false);
        flags.add(f);
      }
    }
    expect(namesOf('watch')).toEqual(expect.arrayContaining(['concurrency', 'settleMs', 'rescanMs', 'lockStaleMs', 'paths']));
  });

  it("fills in every default from the table, and resolving twice changes nothing (the watch resolves a job's settings once)", () => {
    const s = resolveSettings(base);
    for (const name of namesOf('job')) {
      const spec: SettingSpec = SETTINGS[name];
      if (spec.default === undefined) continue;
      const value = spec.group === 'inference' ? (s.inference as Record<string, unknown>)[name] : (s as Record<string, unknown>)[name];
      expect(value, name).toEqual(v.parse(spec.schema, spec.default));
    }
    expect(s.fps).toEqual({ num: 30, den: 1 });
    expect(resolveSettings(s)).toEqual(s);
    const w = resolveWatchSettings();
    expect(w).toMatchObject({ concurrency: SETTINGS.concurrency.default, settleMs: SETTINGS.settleMs.default, once: false });
    expect(resolveRunSettings()).toEqual({ failFast: false, clobber: true });
  });

  it('refuses bad values naming the option, the problem and the fix, for library callers as for the CLI', () => {
    const job = (input: Partial<JobSettingsInput>) => refusal(() => resolveSettings({ ...base, ...input } as JobSettingsInput));
    expect(job({ fps: -1 })).toMatchObject({
      code: 'BAD_SETTING',
      file: '--fps',
      problem: '-1 is not a frame rate',
      fix: 'Use a number such as 30, 29.97 or a ratio such as 30000/1001.',
    });
    expect(job({ seed: 1.5 })).toMatchObject({ file: '--seed', problem: '1.5 is not a whole number >= 0' });
    expect(job({ layering: 'flat' as never })).toMatchObject({ file: '--layering', problem: '"flat" is not a layering' });
    expect(job({ solvePath: 'fast' as never })).toMatchObject({ file: '--solver', fix: 'Use "coefficients" or "mesh".' });
    expect(job({ emotion: ' ' })).toMatchObject({ file: '--emotion', problem: 'is empty' });
    expect(job({ inference: { threads: 0 } })).toMatchObject({ file: '--threads', problem: '0 is not a whole number >= 1' });
    expect(job({ inference: { device: 'tpu' as never } })).toMatchObject({ file: '--device', problem: '"tpu" is not an execution device' });
    expect(refusal(() => resolveSettings({ outDir: '/o' } as JobSettingsInput))).toMatchObject({
      file: '--character',
      problem: 'is missing',
    });

    expect(refusal(() => resolveWatchSettings({ concurrency: 0 }))).toMatchObject({
      code: 'BAD_SETTING',
      file: '--concurrency',
      problem: '0 is not a whole number >= 1',
      fix: 'Give the lines to run at once, e.g. --concurrency 2.',
    });
    expect(refusal(() => resolveWatchSettings({ lockStaleMs: 10 }))).toMatchObject({
      problem: '10 is not a number of milliseconds >= 1000',
    });
    expect(refusal(() => resolveWatchSettings({ settleMs: Number.POSITIVE_INFINITY }))).toMatchObject({
      problem: 'Infinity is not a number of milliseconds >= 0',
    });
    // yargs collects a repeated flag into a list
    expect(refusal(() => resolveWatchSettings({ retries: [1, 2] as never }))).toMatchObject({
      file: '--retries',
      problem: 'is given more than once ([1,2]); it takes one value, a whole number >= 0',
    });
    expect(refusal(() => resolveWatchSettings({ depth: -1 }))).toMatchObject({ file: 'depth' });
  });

  it('keeps the report settings hash of layers written before the table (same keys, same order)', () => {
    expect(JSON.stringify({ ...provenanceSettings(resolveSettings(base)), sidecar: null })).toBe(
      '{"character":"/x/face.usda","fps":{"num":30,"den":1},"model":"default","layering":"override","preset":"arkit",' +
        '"sublayerCharacter":true,"seed":0,"exportJson":false,"params":{},"blinks":true,"jaw":"auto","sidecar":null}',
    );
    const full = resolveSettings({
      ...base,
      fps: '29.97',
      emotion: 'joy=1',
      solvePath: 'mesh',
      blinkIntervalSeconds: 2,
      channels: 'jaw*',
      excludeChannels: ['m*'],
      params: { a: '1' },
      allowTruncated: true,
      inference: { device: 'cuda', threads: 2 },
    });
    expect(JSON.stringify({ ...provenanceSettings(full), sidecar: null })).toBe(
      '{"character":"/x/face.usda","fps":{"num":30000,"den":1001},"model":"default","layering":"override","preset":"arkit",' +
        '"sublayerCharacter":true,"seed":0,"exportJson":false,"emotion":"joy=1","params":{"a":"1"},"solvePath":"mesh",' +
        '"blinks":true,"jaw":"auto","blinkIntervalSeconds":2,"channels":["jaw*"],"excludeChannels":["m*"],"sidecar":null}',
    );
  });

  it('puts exactly the settings the table marks as changing the output into outputSettings', () => {
    const out = (input: Partial<JobSettingsInput>) => outputSettings(resolveSettings({ ...base, ...input } as JobSettingsInput));
    const plain = out({});
    expect(Object.keys(plain).sort()).toEqual(
      namesOf('job')
        .filter((n) => (SETTINGS[n] as SettingSpec).effect !== 'none' && (SETTINGS[n] as SettingSpec).default !== undefined)
        .concat('character')
        .sort(),
    );
    expect(out({ outDir: '/elsewhere', inference: { threads: 3, batchSize: 8 } })).toEqual(plain);
    expect(out({ inference: { device: 'cuda' } })).not.toEqual(plain);
    expect(out({ allowTruncated: true })).not.toEqual(plain);
    expect(provenanceSettings(resolveSettings({ ...base, allowTruncated: true, inference: { device: 'cuda' } }))).toEqual(
      provenanceSettings(resolveSettings(base)),
    );
  });
});

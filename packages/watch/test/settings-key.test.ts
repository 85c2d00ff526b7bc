// The watch key's settings part comes from the resolved settings the table marks as changing the
// output, and a watcher started from code checks its settings as `a2f watch` does.
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  DEFAULT_SHOT_PATTERN,
  type JobSettingsInput,
  namesOf,
  outputSettings,
  resolveSettings,
  resolveWatchSettings,
  SETTINGS,
  type SettingName,
  type SettingSpec,
  type WatchSettingsInput,
} from '@a2f/pipeline';
import { describe, expect, it } from 'vitest';
import { fingerprint, Watcher } from '../src/index.js';
// The settings part of the key and its JSON are internal; these tests pin them so journals keep matching.
import { settingsFingerprint, stableJson } from '@a2f/pipeline';
import { tempDir } from '@a2f/test-utils';

const base = { character: '/x/face.usda', outDir: '/o' };
const extras = { presetSha256: 'P', template: 'T', tool: 'V' };
const key = (job: Partial<JobSettingsInput> = {}, watch: WatchSettingsInput = {}) =>
  settingsFingerprint(
    outputSettings({ ...resolveSettings({ ...base, ...job } as JobSettingsInput), ...resolveWatchSettings(watch) }),
    extras,
  );

/** Another valid value of a setting than its default. */
function another(name: SettingName): unknown {
  const spec: SettingSpec = SETTINGS[name];
  if (name === 'fps') return '25';
  if (spec.choices) return spec.choices.find((c) => c !== spec.default);
  if (typeof spec.default === 'boolean') return !spec.default;
  if (typeof spec.default === 'number') return spec.default + 1;
  if (typeof spec.default === 'string') return `${spec.default}-other`;
  return { lower_face_strength: '1.2' };
}

describe('the watch key from the settings table', () => {
  it('holds the same JSON as before the table, so journals written then still match', () => {
    const before = {
      character: '/x/face.usda',
      controls: { blinkIntervalSeconds: 'model default', blinks: true, channels: null, excludeChannels: null, jaw: 'auto' },
      device: 'cpu',
      emotion: null,
      exportJson: false,
      fps: '30',
      layering: 'override',
      params: {},
      preset: 'arkit',
      presetSha256: 'P',
      seed: 0,
      shotPattern: DEFAULT_SHOT_PATTERN,
      solver: null,
      sublayer: true,
      template: 'T',
      tool: 'V',
    };
    expect(key()).toBe(fingerprint(before));
    expect(stableJson(before)).toContain('"controls":{"blinkIntervalSeconds":"model default"');
  });

  it("moves with each output setting's table default, and with no setting that leaves the output alone", () => {
    const plain = key();
    const checked: string[] = [];
    for (const name of [...namesOf('job'), ...namesOf('watch')]) {
      const spec: SettingSpec = SETTINGS[name];
      // The model is its own part of the key; the path template's text stands for `paths`.
      if (spec.default === undefined || name === 'model' || name === 'paths') continue;
      const given = (value: unknown) =>
        spec.scope === 'watch'
          ? key({}, { [name]: value })
          : spec.group === 'inference'
            ? key({ inference: { [name]: value } })
            : key({ [name]: value });
      // Given as the table's default: the same key as not given; any other value: another key when it changes the output.
      expect(given(spec.default), name).toBe(plain);
      if (spec.effect === 'none') expect(given(another(name)), name).toBe(plain);
      else expect(given(another(name)), name).not.toBe(plain);
      checked.push(name);
    }
    expect(checked).toEqual(
      expect.arrayContaining(['fps', 'seed', 'blinks', 'jaw', 'device', 'allowTruncated', 'concurrency', 'shotPattern']),
    );
  });

  it('refuses bad settings from code with the error `a2f watch` gives, before touching a folder', async () => {
    const inbox = tempDir('inbox');
    const out = path.join(tempDir('parent'), 'out');
    const start = (extra: object) => Watcher.start({ inbox, out, job: { character: '/x/face.usda' }, ...extra });
    await expect(start({ concurrency: 0 })).rejects.toMatchObject({
      code: 'BAD_SETTING',
      file: '--concurrency',
      problem: '0 is not a whole number >= 1',
      fix: 'Give the lines to run at once, e.g. --concurrency 2.',
    });
    await expect(start({ job: { character: '/x/face.usda', fps: -1 } })).rejects.toMatchObject({
      code: 'BAD_SETTING',
      file: '--fps',
      problem: '-1 is not a frame rate',
    });
    await expect(start({ lockStaleMs: 5 })).rejects.toMatchObject({ file: '--lock-stale-ms' });
    expect(existsSync(out)).toBe(false);
  });

  it('holds the Audio2Emotion pack by its files, so a pack replaced in place gives another key', () => {
    const pack = tempDir('a2e-key');
    writeFileSync(path.join(pack, 'network.onnx'), 'one');
    const before = key({ a2e: pack });
    expect(key({ a2e: pack })).toBe(before);
    expect(before).not.toBe(key());
    writeFileSync(path.join(pack, 'network.onnx'), 'another network');
    expect(key({ a2e: pack })).not.toBe(before);
  });
});

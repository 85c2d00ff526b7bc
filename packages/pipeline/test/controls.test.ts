// The animation controls in JobSettings: defaults, and the checks library users get as the CLI does.
import { describe, expect, it } from 'vitest';
import { thrown } from '@a2f/test-utils';
import { animationControls, type JobError, resolveSettings, type JobSettingsInput } from '../src/index.js';

const base = { character: 'face.usda', outDir: 'out' };
const failure = (input: Partial<JobSettingsInput>): JobError =>
  thrown(() => resolveSettings({ ...base, ...input } as JobSettingsInput)) as JobError;

describe('animation controls in resolveSettings', () => {
  it("defaults: blinks on at the model's interval, jaw auto, every channel", () => {
    const s = resolveSettings(base);
    expect(s).toMatchObject({ blinks: true, jaw: 'auto' });
    expect(s.blinkIntervalSeconds).toBeUndefined();
    expect(s.channels).toBeUndefined();
    expect(s.excludeChannels).toBeUndefined();
  });

  it("takes globs as the CLI's comma-separated text or as a list", () => {
    const s = resolveSettings({
      ...base,
      channels: ' jaw*, mouth* ,',
      excludeChannels: ['eyeLook*'],
      jaw: 'joint',
      blinkIntervalSeconds: 2,
    });
    expect(s).toMatchObject({ channels: ['jaw*', 'mouth*'], excludeChannels: ['eyeLook*'], jaw: 'joint', blinkIntervalSeconds: 2 });
  });

  it('refuses bad values with the option, the problem and the fix', () => {
    expect(failure({ jaw: 'chin' as never })).toMatchObject({
      code: 'BAD_SETTING',
      file: '--jaw',
      problem: '"chin" is not a jaw mode',
      fix: 'Use one of: auto, joint, blendshape, both.',
    });
    for (const v of [0, 0.2, 601, Number.NaN, '3' as never]) {
      expect(failure({ blinkIntervalSeconds: v })).toMatchObject({
        file: '--blink-interval',
        problem: expect.stringMatching(/is not a number of seconds in \[0\.5, 600\]/),
      });
    }
    expect(failure({ blinks: false, blinkIntervalSeconds: 3 })).toMatchObject({
      file: '--blink-interval',
      problem: 'is given with --no-blinks, which turns blinks off',
    });
    expect(failure({ channels: ' , ' })).toMatchObject({ file: '--channels', problem: 'has no patterns' });
    expect(failure({ excludeChannels: 'eye[L]' })).toMatchObject({
      file: '--exclude-channels',
      problem: expect.stringMatching(/pattern "eye\[L\]" has characters no channel name has/),
    });
  });

  it('gives the watch folder a key part that changes with every choice', () => {
    const key = (input: Partial<JobSettingsInput>) =>
      JSON.stringify(animationControls(resolveSettings({ ...base, ...input } as JobSettingsInput)));
    const keys = [
      key({}),
      key({ blinks: false }),
      key({ blinkIntervalSeconds: 5 }),
      key({ jaw: 'both' }),
      key({ channels: 'jaw*' }),
      key({ excludeChannels: 'jaw*' }),
    ];
    expect(new Set(keys).size).toBe(keys.length);
    expect(key({ jaw: 'auto' })).toBe(keys[0]);
  });
});

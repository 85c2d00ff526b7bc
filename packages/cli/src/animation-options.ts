// The animation controls `a2f run` and `a2f watch` share: blinks, jaw driver, channel filters.
// Their rules are in docs/animation-controls.md; resolveSettings checks the values.
import { JAW_MODES, type JawMode } from '@a2f/animation';
import type { JobSettingsInput } from '@a2f/pipeline';

/** The options that act at binding; `a2f inspect` takes them too, so it shows what a run writes. */
export const BINDING_CONTROL_OPTIONS = {
  jaw: {
    choices: JAW_MODES,
    default: 'auto' as JawMode | 'auto',
    describe:
      'what opens the jaw: the jaw joint, the jaw blendshapes (jawOpen…) or both; auto: blendshape when the mesh carrying jawOpen is skinned to the jaw joint, else both',
  },
  channels: { type: 'string', describe: 'write only channels matching these globs, e.g. "jaw*,mouth*" (our channel names, case ignored)' },
  'exclude-channels': { type: 'string', describe: 'leave out channels matching these globs, e.g. "eyeLook*"' },
} as const;

export const ANIMATION_CONTROL_OPTIONS = {
  blinks: {
    type: 'boolean',
    default: true,
    describe: 'procedural blinks; --no-blinks keeps the eyes open (eyeBlink channels held at 0) for every model',
  },
  'blink-interval': {
    type: 'number',
    describe: "mean seconds between blinks (default: the model's, 3.5 s embedded model, 3 s NVIDIA packs)",
  },
  ...BINDING_CONTROL_OPTIONS,
} as const;

type ControlArgs = { blinks?: boolean; 'blink-interval'?: number; jaw?: string; channels?: string; 'exclude-channels'?: string };

/** The parsed options as job settings; resolveSettings checks them (a repeated --blink-interval is refused there). */
export function controlSettings(a: ControlArgs): Partial<JobSettingsInput> {
  return {
    blinks: a.blinks ?? true,
    jaw: (a.jaw ?? 'auto') as JawMode | 'auto',
    ...(a['blink-interval'] === undefined ? {} : { blinkIntervalSeconds: a['blink-interval'] }),
    ...(a.channels === undefined ? {} : { channels: a.channels }),
    ...(a['exclude-channels'] === undefined ? {} : { excludeChannels: a['exclude-channels'] }),
  };
}

import { checkJson } from '@a2f/base';
import type * as v from 'valibot';
import { ParamError } from '../params.js';
import { A2E_CONFIG_SCHEMA, checkConfig, type A2eConfig } from '../pack/a2e-pack.js';

export const A2E_PARAM_KEYS = Object.keys(A2E_CONFIG_SCHEMA) as (keyof A2eConfig)[];

/**
 * `--a2e-param key=value` overrides of model_config.json's post_processing_config, checked as the
 * file's values are. Text from the command line: numbers as written, true/false for
 * enable_preferred_emotion, comma-separated numbers for preferred_emotion, name:index pairs for
 * emotion_correspondence (the names given replace theirs, the others stay).
 */
export function applyA2eOverrides(
  config: A2eConfig,
  emotions: readonly string[],
  overrides: Readonly<Record<string, number | string | boolean>>,
  origin = '--a2e-param',
): { config: A2eConfig; correspondence: number[]; applied: Record<string, unknown> } {
  const out: Record<string, unknown> = { ...config };
  const applied: Record<string, unknown> = {};
  for (const [key, given] of Object.entries(overrides)) {
    if (!Object.hasOwn(A2E_CONFIG_SCHEMA, key)) {
      throw new ParamError('BAD_OPTION', origin, `unknown Audio2Emotion parameter "${key}"`, `Use one of: ${A2E_PARAM_KEYS.join(', ')}.`);
    }
    let input: unknown = given;
    if (typeof given === 'string') {
      const text = given.trim();
      if (key === 'enable_preferred_emotion')
        input = text === 'true' || text === '1' ? true : text === 'false' || text === '0' ? false : text;
      else if (key === 'preferred_emotion') input = text.split(',').map((s) => (s.trim() === '' ? Number.NaN : Number(s)));
      else if (key === 'emotion_correspondence') input = correspondenceText(text, config.emotion_correspondence, origin);
      else if (text !== '' && Number.isFinite(Number(text))) input = Number(text);
    }
    const schema = A2E_CONFIG_SCHEMA[key as keyof typeof A2E_CONFIG_SCHEMA] as v.GenericSchema;
    out[key] = checkJson(
      schema,
      input,
      (i) => new ParamError('BAD_OPTION', origin, `"${key}" is ${i.foundText}, expected ${i.expected}`, i.fix),
    );
    applied[key] = out[key];
  }
  const next = out as unknown as A2eConfig;
  let correspondence: number[];
  try {
    correspondence = checkConfig(next, emotions, origin);
  } catch (err) {
    const e = err as ParamError;
    throw new ParamError(
      'BAD_OPTION',
      origin,
      e.problem,
      'Give preferred_emotion one value per A2F emotion, and indices below output_emotion_length.',
    );
  }
  return { config: next, correspondence, applied };
}

function correspondenceText(text: string, base: Readonly<Record<string, number>>, origin: string): Record<string, number> {
  const out = { ...base };
  for (const part of text.split(',')) {
    const m = /^\s*([^:\s]+)\s*:\s*(-?\d+)\s*$/.exec(part);
    if (!m) {
      throw new ParamError(
        'BAD_OPTION',
        origin,
        `emotion_correspondence "${part}" is not name:index`,
        'Write pairs such as emotion_correspondence=happy:6,sad:-1 (index into the A2F emotions; −1 drops it).',
      );
    }
    out[m[1]] = Number(m[2]);
  }
  return out;
}

// Provenance as a USD dictionary (customLayerData `a2f`): what made this layer, from what, how.
import { fpsLabel, type FaceAnimation } from '@a2f/animation';
import type { Dictionary, DictionaryValue } from './writer.js';

/**
 * A JSON-like value as a dictionary value. USD dictionaries hold scalars, homogeneous arrays and
 * nested dictionaries; anything else (null, mixed or nested arrays, empty arrays) is kept as its
 * JSON text in a string rather than dropped.
 */
export function toDictionaryValue(value: unknown, key: string): DictionaryValue | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`provenance "${key}" is ${value}; USD layers only hold finite numbers`);
    return value;
  }
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (Array.isArray(value)) {
    const kinds = new Set(value.map((v) => typeof v));
    const homogeneous = value.length > 0 && kinds.size === 1 && ['string', 'number', 'boolean'].includes([...kinds][0]);
    if (homogeneous && !value.some((v) => typeof v === 'number' && !Number.isFinite(v))) return value as string[] | number[] | boolean[];
    return JSON.stringify(value);
  }
  if (typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype) {
    return toDictionary(value as Record<string, unknown>, key);
  }
  return JSON.stringify(value) ?? String(value);
}

export function toDictionary(obj: Readonly<Record<string, unknown>>, path = ''): Dictionary {
  const out: Record<string, DictionaryValue> = {};
  for (const [k, v] of Object.entries(obj)) {
    const d = toDictionaryValue(v, path ? `${path}.${k}` : k);
    if (d !== undefined) out[k] = d;
  }
  return out;
}

/** The `a2f` dictionary for a layer made from `anim`. */
export function provenanceDictionary(anim: FaceAnimation, extra: Readonly<Record<string, unknown>> = {}): Dictionary {
  const p = anim.provenance;
  return toDictionary({
    tool: { name: p.tool.name, version: p.tool.version },
    model: { id: p.model.id, kind: p.model.kind, version: p.model.version, sha256: p.model.sha256 },
    parameters: p.parameters,
    audio: p.audio && {
      file: p.audio.file,
      sha256: p.audio.sha256,
      sampleRate: p.audio.sampleRate,
      channels: p.audio.channels,
      durationSeconds: p.audio.durationSeconds,
      truncation: p.audio.truncation,
    },
    fps: fpsLabel(anim.fps),
    frameCount: anim.frameCount,
    ...extra,
  });
}

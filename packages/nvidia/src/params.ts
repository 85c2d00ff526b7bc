/**
 * Audio2Face-3D v2.3 post-processing parameters, with NVIDIA's exact key names (model_config.json
 * `"config"` object, bs_*_config.json `"blendshape_params"` object), the SDK's defaults and valid
 * ranges, and validating parsers. Reference: docs/nvidia/postprocess.md#parameters (defaults/ranges are the SDK
 * validators in `audio2face/internal/animator.h`), docs/nvidia/solver.md#config (solver config keys), docs/nvidia/emotion.md (source_shot).
 */
import { checkJson, expects, jsonObject } from '@a2f/base';
import { InferenceError } from '@a2f/inference';
import * as v from 'valibot';

/** Every `model_config.json` → `"config"` key the SDK reads, plus the runtime `blink_offset`. */
export interface FaceParams {
  readonly input_strength: number;
  readonly lower_face_smoothing: number;
  readonly upper_face_smoothing: number;
  readonly lower_face_strength: number;
  readonly upper_face_strength: number;
  readonly face_mask_level: number;
  readonly face_mask_softness: number;
  readonly skin_strength: number;
  readonly blink_strength: number;
  readonly eyelid_open_offset: number;
  readonly lip_open_offset: number;
  readonly tongue_strength: number;
  readonly tongue_height_offset: number;
  readonly tongue_depth_offset: number;
  readonly lower_teeth_strength: number;
  readonly lower_teeth_height_offset: number;
  readonly lower_teeth_depth_offset: number;
  readonly eyeballs_strength: number;
  readonly saccade_strength: number;
  readonly right_eye_rot_x_offset: number;
  readonly right_eye_rot_y_offset: number;
  readonly left_eye_rot_x_offset: number;
  readonly left_eye_rot_y_offset: number;
  readonly eye_saccade_seed: number;
  readonly source_shot: string;
  readonly source_frame: number;
  /**
   * Runtime only (docs/nvidia/postprocess.md#blinks): not in the file; SDK default 0, range 0..1. A constant; animated blinks use a track.
   */
  readonly blink_offset: number;
}

export type FaceParamKey = keyof FaceParams;

interface NumberSpec {
  readonly kind: 'number';
  /** SDK validator default; undefined where the SDK has none and the file must say it */
  readonly default?: number;
  readonly min: number;
  readonly max: number;
  readonly integer?: boolean;
  /** false: runtime knob, not part of model_config.json */
  readonly inFile: boolean;
}
interface StringSpec {
  readonly kind: 'string';
  readonly inFile: true;
}
export type FaceParamSpec = NumberSpec | StringSpec;

const num = (def: number | undefined, min: number, max: number, extra: Partial<NumberSpec> = {}): NumberSpec => ({
  kind: 'number',
  default: def,
  min,
  max,
  inFile: true,
  ...extra,
});

/**
 * Defaults and ranges: SDK `Validator<float>(default, min, max)` in animator.h (docs/nvidia/postprocess.md#parameters).
 * input_strength has no SDK validator (it is model data); we only require it finite and ≥ 0.
 * source_frame is read as `std::size_t`; eye_saccade_seed is a float in the SDK.
 */
export const FACE_PARAM_SPECS: Readonly<Record<FaceParamKey, FaceParamSpec>> = {
  input_strength: num(undefined, 0, Number.POSITIVE_INFINITY),
  lower_face_smoothing: num(0.0023, 0, 0.1),
  upper_face_smoothing: num(0.001, 0, 0.1),
  lower_face_strength: num(1.3, 0, 2),
  upper_face_strength: num(1.0, 0, 2),
  face_mask_level: num(0.6, 0, 1),
  face_mask_softness: num(0.0085, 0.001, 0.5),
  skin_strength: num(1.0, 0, 2),
  blink_strength: num(1.0, 0, 2),
  eyelid_open_offset: num(0.06, -1, 1),
  lip_open_offset: num(-0.03, -0.2, 0.2),
  tongue_strength: num(1.5, 0, 3),
  tongue_height_offset: num(0.2, -3, 3),
  tongue_depth_offset: num(0.13, -3, 3),
  lower_teeth_strength: num(1.0, 0, 2),
  lower_teeth_height_offset: num(0.0, -3, 3),
  lower_teeth_depth_offset: num(0.0, -3, 3),
  eyeballs_strength: num(1.0, 0, 2),
  saccade_strength: num(1.0, 0, 2),
  right_eye_rot_x_offset: num(0.0, -10, 10),
  right_eye_rot_y_offset: num(0.0, -10, 10),
  left_eye_rot_x_offset: num(0.0, -10, 10),
  left_eye_rot_y_offset: num(0.0, -10, 10),
  eye_saccade_seed: num(0.0, 0, 4999),
  source_shot: { kind: 'string', inFile: true },
  source_frame: num(undefined, 0, Number.MAX_SAFE_INTEGER, { integer: true }),
  blink_offset: num(0, 0, 1, { inFile: false }),
};

export const FACE_PARAM_KEYS = Object.keys(FACE_PARAM_SPECS) as readonly FaceParamKey[];

/**
 * An invalid parameter file or override: an InferenceError (code, file, problem, fix), so callers
 * catch one class and reports flatten it with the fix. `file` is the file, or the override's
 * origin such as "--param".
 */
export class ParamError extends InferenceError {
  declare readonly code: 'PACK_FIELD' | 'BAD_OPTION';
  constructor(code: 'PACK_FIELD' | 'BAD_OPTION', file: string, problem: string, fix: string) {
    super(code, file, problem, fix);
    this.name = 'ParamError';
  }
}

const rangeText = (s: NumberSpec): string => {
  const kind = s.integer ? 'an integer' : 'a number';
  if (s.max === Number.POSITIVE_INFINITY || s.max === Number.MAX_SAFE_INTEGER) return `${kind} ≥ ${s.min}`;
  return `${kind} in [${s.min}, ${s.max}]`;
};

/** One schema per parameter, shared by the file and the overrides, so both say the same. */
function paramSchema(key: FaceParamKey): v.GenericSchema<unknown, number | string> {
  const spec = FACE_PARAM_SPECS[key];
  if (spec.kind === 'string') {
    return expects(
      v.pipe(v.string(), v.nonEmpty()),
      'a non-empty string',
      `Set "${key}" to a shot name from implicit_emo_db.npz (emo_spec_names)`,
    );
  }
  return expects(
    v.pipe(
      v.number(),
      v.finite(),
      v.minValue(spec.min),
      v.maxValue(spec.max),
      v.check((n) => !spec.integer || Number.isInteger(n)),
    ),
    rangeText(spec),
    `Set "${key}" to ${rangeText(spec)} (the SDK's range, docs/nvidia/postprocess.md "Parameters")`,
  );
}
const PARAM_SCHEMAS = Object.fromEntries(FACE_PARAM_KEYS.map((k) => [k, paramSchema(k)])) as Record<
  FaceParamKey,
  v.GenericSchema<unknown, number | string>
>;

const MODEL_CONFIG = jsonObject(
  {
    // Every key optional here: a missing one takes the SDK default or is an error, decided below.
    config: jsonObject(Object.fromEntries(FACE_PARAM_KEYS.map((k) => [k, v.optional(PARAM_SCHEMAS[k])])), 'an object', {
      extraKeys: true,
    }),
  },
  'an object',
  { extraKeys: true },
);

/**
 * Reads `model_config.json` (shape `{"config": {...}}`). Keys the SDK has a default for may be
 * missing: they take that default and a note is pushed to `notes`. input_strength, source_shot and
 * source_frame have no SDK default and are required (the SDK's `config.at(...)` throws for them).
 * Unknown keys are ignored with a note (microservice-era files carry extras such as prediction_delay).
 * A `blink_offset` in the file is accepted (validated) although the SDK never reads one from there.
 */
export function parseModelConfig(json: unknown, file: string, notes: string[] = []): FaceParams {
  const { config } = checkJson(MODEL_CONFIG, json, (i) =>
    i.keys.length < 2
      ? new ParamError(
          'PACK_FIELD',
          file,
          `expected an object with a "config" object, found ${i.foundText}`,
          'Use the model_config.json shipped with the model pack',
        )
      : new ParamError('PACK_FIELD', file, `"${i.field}" is ${i.foundText}, expected ${i.expected}`, i.fix),
  );
  const out: Record<string, number | string> = {};
  for (const key of FACE_PARAM_KEYS) {
    const spec = FACE_PARAM_SPECS[key];
    const value = config[key];
    if (value !== undefined) {
      out[key] = value;
    } else if (spec.kind === 'number' && spec.default !== undefined) {
      out[key] = spec.default;
      if (spec.inFile) notes.push(`${file}: "${key}" is missing; using the SDK default ${spec.default}`);
    } else {
      throw new ParamError(
        'PACK_FIELD',
        file,
        `"config.${key}" is missing and has no SDK default`,
        `Add "${key}" (${spec.kind === 'string' ? 'a shot name from implicit_emo_db.npz' : rangeText(spec)}) ` +
          "or restore the pack's original model_config.json",
      );
    }
  }
  for (const key of Object.keys(config)) {
    if (!Object.hasOwn(FACE_PARAM_SPECS, key)) notes.push(`${file}: ignoring "config.${key}" (not an Audio2Face-3D SDK parameter)`);
  }
  return out as unknown as FaceParams;
}

/**
 * Applies user overrides (e.g. `--param skin_strength=1.2`), validated like the file. `origin`
 * names where they came from in errors. Numeric strings are accepted for numeric keys. Returns a
 * new object; `params` is untouched.
 */
export function applyOverrides(params: FaceParams, overrides: Readonly<Record<string, number | string>>, origin: string): FaceParams {
  const out: Record<string, number | string> = { ...params };
  for (const [key, value] of Object.entries(overrides)) {
    if (!Object.hasOwn(FACE_PARAM_SPECS, key)) {
      throw new ParamError('BAD_OPTION', origin, `unknown parameter "${key}"`, `Use one of: ${FACE_PARAM_KEYS.join(', ')}`);
    }
    const spec = FACE_PARAM_SPECS[key as FaceParamKey];
    // Overrides arrive as text from the command line: a numeric string is a number here.
    const text = typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value));
    const input = spec.kind === 'number' && text ? Number(value) : value;
    out[key] = checkJson(
      PARAM_SCHEMAS[key as FaceParamKey],
      input,
      (i) => new ParamError('BAD_OPTION', origin, `"${key}" is ${i.foundText}, expected ${i.expected}`, i.fix),
    );
  }
  return out as unknown as FaceParams;
}

/** `bs_skin_config.json` / `bs_tongue_config.json` → `"blendshape_params"` (docs/nvidia/solver.md#config), NVIDIA key names. */
export interface SolverConfig {
  readonly strengthL1regularization: number;
  readonly strengthL2regularization: number;
  readonly strengthTemporalSmoothing: number;
  readonly strengthSymmetry: number;
  /** cm; optional in the file, SDK default 54.7 (`kDefaultTemplateBBSize`) */
  readonly templateBBSize: number;
  readonly numPoses: number;
  /** per pose, non-zero = solved for */
  readonly bsSolveActivePoses: readonly number[];
  /** per pose, a group id (−1 = none); see the pair rule in solver/pairs.ts */
  readonly bsSolveCancelPoses: readonly number[];
  readonly bsSolveSymmetryPoses: readonly number[];
  readonly bsWeightMultipliers: readonly number[];
  readonly bsWeightOffsets: readonly number[];
}

export const DEFAULT_TEMPLATE_BB_SIZE = 54.7;

const SOLVER_STRENGTHS = ['strengthL1regularization', 'strengthL2regularization', 'strengthTemporalSmoothing', 'strengthSymmetry'] as const;
const SOLVER_INT_ARRAYS = ['bsSolveActivePoses', 'bsSolveCancelPoses', 'bsSolveSymmetryPoses'] as const;
const SOLVER_FLOAT_ARRAYS = ['bsWeightMultipliers', 'bsWeightOffsets'] as const;
const SOLVER_FIX = "Restore the pack's original file";

// SDK validators (blendshape_solver.h): the four strengths ≥ 0, templateBBSize ≥ 1.
const atLeast = (min: number) => expects(v.pipe(v.number(), v.finite(), v.minValue(min)), `a number ≥ ${min}`);
const perPose = (integer: boolean) =>
  expects(
    v.array(integer ? expects(v.pipe(v.number(), v.integer()), 'an integer') : expects(v.pipe(v.number(), v.finite()), 'a number')),
    'an array of numbers, one per pose',
  );
const SOLVER_CONFIG = jsonObject(
  {
    blendshape_params: jsonObject(
      {
        strengthL1regularization: atLeast(0),
        strengthL2regularization: atLeast(0),
        strengthTemporalSmoothing: atLeast(0),
        strengthSymmetry: atLeast(0),
        templateBBSize: v.optional(atLeast(1)),
        numPoses: expects(v.pipe(v.number(), v.integer(), v.minValue(0)), 'a non-negative integer'),
        bsSolveActivePoses: perPose(true),
        bsSolveCancelPoses: perPose(true),
        bsSolveSymmetryPoses: perPose(true),
        bsWeightMultipliers: perPose(false),
        bsWeightOffsets: perPose(false),
      },
      'an object',
      { extraKeys: true },
    ),
  },
  'an object',
  { extraKeys: true },
);

/**
 * Reads a blendshape solver config. Every key is required except templateBBSize, as in the SDK's
 * `BlendshapeSolverConfigOwner::Init`; each per-pose array must have `numPoses` entries, and
 * `numPoses` must equal `poseCount` (the rig's poses without "neutral") when it is given.
 */
export function parseSolverConfig(json: unknown, file: string, poseCount?: number, notes: string[] = []): SolverConfig {
  const { blendshape_params: p } = checkJson(SOLVER_CONFIG, json, (i) =>
    i.keys.length < 2
      ? new ParamError(
          'PACK_FIELD',
          file,
          `expected an object with a "blendshape_params" object, found ${i.foundText}`,
          'Use the bs_*_config.json shipped with the model pack',
        )
      : new ParamError('PACK_FIELD', file, `"${i.field}" is ${i.foundText}, expected ${i.expected}`, SOLVER_FIX),
  );
  let templateBBSize = DEFAULT_TEMPLATE_BB_SIZE;
  if (p.templateBBSize !== undefined) templateBBSize = p.templateBBSize;
  else notes.push(`${file}: "blendshape_params.templateBBSize" is missing; using the SDK default ${DEFAULT_TEMPLATE_BB_SIZE}`);
  const numPoses = p.numPoses;
  if (poseCount !== undefined && numPoses !== poseCount) {
    throw new ParamError(
      'PACK_FIELD',
      file,
      `"blendshape_params.numPoses" is ${numPoses} but the blendshape data has ${poseCount} poses (besides "neutral")`,
      'Use the config and the .npz from the same pack',
    );
  }
  for (const key of [...SOLVER_INT_ARRAYS, ...SOLVER_FLOAT_ARRAYS]) {
    if (p[key].length !== numPoses)
      throw new ParamError(
        'PACK_FIELD',
        file,
        `"blendshape_params.${key}" has ${p[key].length} entries, expected numPoses = ${numPoses}`,
        SOLVER_FIX,
      );
  }
  const strengths = Object.fromEntries(SOLVER_STRENGTHS.map((k) => [k, p[k]])) as Record<(typeof SOLVER_STRENGTHS)[number], number>;
  const ints = Object.fromEntries(SOLVER_INT_ARRAYS.map((k) => [k, p[k]])) as Record<(typeof SOLVER_INT_ARRAYS)[number], number[]>;
  const floats = Object.fromEntries(SOLVER_FLOAT_ARRAYS.map((k) => [k, p[k]])) as Record<(typeof SOLVER_FLOAT_ARRAYS)[number], number[]>;
  // SDK SetActivePoses: "at least one pose must be set to active".
  if (numPoses > 0 && !ints.bsSolveActivePoses.some((v) => v !== 0)) {
    throw new ParamError('PACK_FIELD', file, '"blendshape_params.bsSolveActivePoses" has no active pose', 'Set at least one entry to 1');
  }
  for (const key of ['bsSolveCancelPoses', 'bsSolveSymmetryPoses'] as const) checkPairIds(ints[key], key, file);
  return { ...strengths, templateBBSize, numPoses, ...ints, ...floats };
}

/**
 * SDK `ValidatePairs` (blendshape_solver_base.cpp): over all poses, every id other than −1 must be
 * used by exactly two poses. (Which pairs are then *solved* is decided over active poses only; see
 * solver/pairs.ts for the −1 quirk.)
 */
function checkPairIds(ids: readonly number[], key: string, file: string): void {
  const uses = new Map<number, number[]>();
  ids.forEach((id, i) => {
    if (id !== -1) uses.set(id, [...(uses.get(id) ?? []), i]);
  });
  for (const [id, poses] of uses) {
    if (poses.length !== 2) {
      throw new ParamError(
        'PACK_FIELD',
        file,
        `"blendshape_params.${key}" uses id ${id} for ${poses.length} pose(s) (indices ${poses.join(', ')}); a pair needs exactly 2`,
        'Give each pair its own id and use -1 for poses without a partner',
      );
    }
  }
}

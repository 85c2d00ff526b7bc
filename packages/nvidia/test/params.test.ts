import { describe, expect, it } from 'vitest';
import { applyOverrides, FACE_PARAM_KEYS, parseModelConfig, parseSolverConfig, ParamError, type FaceParams } from '../src/params.js';
import { thrown } from '@a2f/test-utils';
import { MARK_PARAMS } from './solver-fixtures.js';

/** The Mark model_config.json "config" object (values the SDK test asserts, docs/nvidia/postprocess.md#parameters). */
const markFile = (): Record<string, unknown> => {
  const { blink_offset: _runtime, ...config } = MARK_PARAMS;
  return { config: { ...config } };
};

const catchError = (fn: () => unknown): ParamError => {
  const e = thrown(fn);
  expect(e).toBeInstanceOf(ParamError);
  return e as ParamError;
};

describe('parseModelConfig', () => {
  it('reads every key with its exact NVIDIA name; blink_offset is the runtime default 0', () => {
    const notes: string[] = [];
    const params = parseModelConfig(markFile(), 'model_config.json', notes);
    expect(params).toEqual(MARK_PARAMS);
    expect(notes).toEqual([]);
    expect(FACE_PARAM_KEYS).toHaveLength(27);
  });

  it('fills missing keys with the SDK defaults (animator.h) and notes each one', () => {
    const notes: string[] = [];
    const params = parseModelConfig({ config: { input_strength: 1.3, source_shot: 'p1_neutral', source_frame: 42 } }, 'mc.json', notes);
    const sdkDefaults: Partial<FaceParams> = {
      lower_face_smoothing: 0.0023,
      upper_face_smoothing: 0.001,
      lower_face_strength: 1.3,
      upper_face_strength: 1.0,
      face_mask_level: 0.6,
      face_mask_softness: 0.0085,
      skin_strength: 1.0,
      blink_strength: 1.0,
      eyelid_open_offset: 0.06,
      lip_open_offset: -0.03,
      tongue_strength: 1.5,
      tongue_height_offset: 0.2,
      tongue_depth_offset: 0.13,
      lower_teeth_strength: 1.0,
      lower_teeth_height_offset: 0,
      lower_teeth_depth_offset: 0,
      eyeballs_strength: 1.0,
      saccade_strength: 1.0,
      right_eye_rot_x_offset: 0,
      right_eye_rot_y_offset: 0,
      left_eye_rot_x_offset: 0,
      left_eye_rot_y_offset: 0,
      eye_saccade_seed: 0,
      blink_offset: 0,
    };
    expect(params).toMatchObject(sdkDefaults);
    expect(notes).toHaveLength(23); // every file key with a default; blink_offset is not a file key
    expect(notes[0]).toBe('mc.json: "lower_face_smoothing" is missing; using the SDK default 0.0023');
  });

  it('requires the keys without an SDK default', () => {
    for (const key of ['input_strength', 'source_shot', 'source_frame']) {
      const file = markFile();
      delete (file.config as Record<string, unknown>)[key];
      const err = catchError(() => parseModelConfig(file, '/packs/mark/model_config.json'));
      expect(err.code).toBe('PACK_FIELD');
      expect(err.message).toContain('/packs/mark/model_config.json');
      expect(err.message).toContain(`"config.${key}" is missing`);
    }
  });

  it('names file, key, value and range for out-of-range values', () => {
    const file = markFile();
    (file.config as Record<string, unknown>).face_mask_softness = 0.0001;
    const err = catchError(() => parseModelConfig(file, 'model_config.json'));
    expect(err.message).toBe(
      'model_config.json: "config.face_mask_softness" is number 0.0001, expected a number in [0.001, 0.5]. ' +
        'Set "face_mask_softness" to a number in [0.001, 0.5] (the SDK\'s range, docs/nvidia/postprocess.md "Parameters")',
    );
    const ranges: [string, unknown, string][] = [
      ['lower_face_smoothing', 0.2, '[0, 0.1]'],
      ['tongue_strength', 3.5, '[0, 3]'],
      ['lip_open_offset', -0.25, '[-0.2, 0.2]'],
      ['right_eye_rot_y_offset', 11, '[-10, 10]'],
      ['eye_saccade_seed', 5000, '[0, 4999]'],
      ['skin_strength', '1.1', '[0, 2]'], // strings are not numbers in the file
      ['input_strength', -1, '≥ 0'],
    ];
    for (const [key, value, range] of ranges) {
      const f = markFile();
      (f.config as Record<string, unknown>)[key] = value;
      const e = catchError(() => parseModelConfig(f, 'm.json'));
      expect(e.message).toContain(
        `"config.${key}" is ${typeof value === 'string' ? `the string ${JSON.stringify(value)}` : `number ${value}`}`,
      );
      expect(e.message).toContain(range);
    }
    const f = markFile();
    (f.config as Record<string, unknown>).source_frame = 3.5;
    expect(catchError(() => parseModelConfig(f, 'm.json')).message).toContain('expected an integer ≥ 0');
  });

  it('accepts the range ends and ignores unknown keys with a note', () => {
    const file = markFile();
    Object.assign(file.config as object, { face_mask_softness: 0.001, eye_saccade_seed: 4999, prediction_delay: 0.25 });
    const notes: string[] = [];
    const params = parseModelConfig(file, 'm.json', notes);
    expect(params.face_mask_softness).toBe(0.001);
    expect(params.eye_saccade_seed).toBe(4999);
    expect(notes).toEqual(['m.json: ignoring "config.prediction_delay" (not an Audio2Face-3D SDK parameter)']);
  });

  it('rejects files without a "config" object', () => {
    expect(catchError(() => parseModelConfig({ face_params: {} }, 'x.json')).message).toContain(
      'expected an object with a "config" object',
    );
    expect(catchError(() => parseModelConfig([], 'x.json')).message).toContain('x.json');
  });
});

describe('applyOverrides', () => {
  const base = parseModelConfig(markFile(), 'model_config.json');

  it('applies numbers and numeric strings, leaves the input untouched', () => {
    const out = applyOverrides(
      base,
      { skin_strength: 1.5, blink_offset: '0.25', source_shot: 'p1_neutral', source_frame: '42' },
      '--param',
    );
    expect(out.skin_strength).toBe(1.5);
    expect(out.blink_offset).toBe(0.25);
    expect(out.source_shot).toBe('p1_neutral');
    expect(out.source_frame).toBe(42);
    expect(base.skin_strength).toBe(1.1);
  });

  it('rejects unknown keys, listing the valid ones', () => {
    expect(catchError(() => applyOverrides(base, { toString: 1 }, '--param')).message).toContain('unknown parameter "toString"');
    const err = catchError(() => applyOverrides(base, { skinStrength: 1 }, '--param'));
    expect(err.code).toBe('BAD_OPTION');
    expect(err.message).toContain('--param: unknown parameter "skinStrength"');
    for (const key of FACE_PARAM_KEYS) expect(err.message).toContain(key);
  });

  it('validates like the file: ranges, integers, non-numeric text', () => {
    expect(catchError(() => applyOverrides(base, { blink_offset: 1.5 }, 'job.json')).message).toBe(
      'job.json: "blink_offset" is number 1.5, expected a number in [0, 1]. ' +
        'Set "blink_offset" to a number in [0, 1] (the SDK\'s range, docs/nvidia/postprocess.md "Parameters")',
    );
    expect(catchError(() => applyOverrides(base, { tongue_strength: 'high' }, '--param')).message).toContain(
      '"tongue_strength" is the string "high"',
    );
    expect(catchError(() => applyOverrides(base, { source_frame: 1.5 }, '--param')).message).toContain('an integer');
    expect(catchError(() => applyOverrides(base, { source_shot: 3 }, '--param')).message).toContain('expected a non-empty string');
    expect(catchError(() => applyOverrides(base, { skin_strength: '' }, '--param')).message).toContain('"skin_strength" is the string ""');
  });
});

describe('parseSolverConfig', () => {
  const poses = 6;
  const valid = () => ({
    blendshape_params: {
      strengthL1regularization: 0.5,
      strengthL2regularization: 0.5,
      strengthTemporalSmoothing: 0.3,
      strengthSymmetry: 100,
      templateBBSize: 53.4505028,
      numPoses: poses,
      bsSolveActivePoses: [1, 0, 1, 1, 1, 1],
      bsSolveCancelPoses: [-1, -1, -1, -1, -1, -1],
      bsSolveSymmetryPoses: [0, -1, -1, 0, 4, 4],
      bsWeightMultipliers: [1, 1, 2, 1, 1, 1],
      bsWeightOffsets: [0, 0, 0, 0, 0.1, 0],
    },
  });

  it('reads the NVIDIA keys', () => {
    const cfg = parseSolverConfig(valid(), 'bs_skin_config.json', poses);
    expect(cfg).toEqual(valid().blendshape_params);
  });

  it('defaults templateBBSize to 54.7 with a note (the only optional key)', () => {
    const json = valid();
    delete (json.blendshape_params as Partial<typeof json.blendshape_params>).templateBBSize;
    const notes: string[] = [];
    expect(parseSolverConfig(json, 'c.json', poses, notes).templateBBSize).toBe(54.7);
    expect(notes).toEqual(['c.json: "blendshape_params.templateBBSize" is missing; using the SDK default 54.7']);
    const missing = valid();
    delete (missing.blendshape_params as Partial<typeof missing.blendshape_params>).strengthSymmetry;
    expect(catchError(() => parseSolverConfig(missing, 'c.json')).message).toContain('"blendshape_params.strengthSymmetry" is nothing');
  });

  it('checks array lengths against numPoses and numPoses against the rig', () => {
    const short = valid();
    short.blendshape_params.bsWeightOffsets = [0, 0];
    expect(catchError(() => parseSolverConfig(short, 'c.json')).message).toBe(
      'c.json: "blendshape_params.bsWeightOffsets" has 2 entries, expected numPoses = 6. Restore the pack\'s original file',
    );
    expect(catchError(() => parseSolverConfig(valid(), 'c.json', 52)).message).toContain(
      'numPoses" is 6 but the blendshape data has 52 poses',
    );
  });

  it('applies the SDK validators: strengths ≥ 0, templateBBSize ≥ 1, integer ids, an active pose, pairs of two', () => {
    const neg = valid();
    neg.blendshape_params.strengthL2regularization = -1;
    expect(catchError(() => parseSolverConfig(neg, 'c.json')).message).toBe(
      'c.json: "blendshape_params.strengthL2regularization" is number -1, expected a number ≥ 0. Restore the pack\'s original file',
    );
    const bb = valid();
    bb.blendshape_params.templateBBSize = 0.5;
    expect(catchError(() => parseSolverConfig(bb, 'c.json')).message).toContain('templateBBSize" is number 0.5, expected a number ≥ 1');
    const frac = valid();
    frac.blendshape_params.bsSolveActivePoses = [1, 0, 1, 1, 1, 0.5];
    expect(catchError(() => parseSolverConfig(frac, 'c.json')).message).toContain(
      'bsSolveActivePoses[5]" is number 0.5, expected an integer',
    );
    const none = valid();
    none.blendshape_params.bsSolveActivePoses = [0, 0, 0, 0, 0, 0];
    expect(catchError(() => parseSolverConfig(none, 'c.json')).message).toContain('has no active pose');
    const triple = valid();
    triple.blendshape_params.bsSolveSymmetryPoses = [0, 0, -1, 0, 4, 4];
    expect(catchError(() => parseSolverConfig(triple, 'c.json')).message).toContain('uses id 0 for 3 pose(s) (indices 0, 1, 3)');
    const single = valid();
    single.blendshape_params.bsSolveCancelPoses = [-1, -1, 2, -1, -1, -1];
    expect(catchError(() => parseSolverConfig(single, 'c.json')).message).toContain(
      '"blendshape_params.bsSolveCancelPoses" uses id 2 for 1 pose(s)',
    );
  });

  it('rejects a file without blendshape_params', () => {
    expect(catchError(() => parseSolverConfig({ params: {} }, 'c.json')).message).toContain('"blendshape_params" object');
  });
});

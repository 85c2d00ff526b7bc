import { describe, expect, it } from 'vitest';
import { quatRotate, rational, seededRandom, type Rational, type Vec3 } from '@a2f/animation';
import { EyeAnimator, eyeRotationQuat, type EyeParams } from '../src/postprocess/eyes.js';
import { uniform } from './solver-fixtures.js';

/** A table whose row r holds (r, −r): the output then tells which row was read. */
function indexTable(rows: number): Float32Array {
  const t = new Float32Array(rows * 2);
  for (let r = 0; r < rows; r++) {
    t[2 * r] = r;
    t[2 * r + 1] = -r;
  }
  return t;
}

const saccadeOnly: EyeParams = {
  eyeballs_strength: 0,
  saccade_strength: 1,
  right_eye_rot_x_offset: 0,
  right_eye_rot_y_offset: 0,
  left_eye_rot_x_offset: 0,
  left_eye_rot_y_offset: 0,
  eye_saccade_seed: 0,
};

function rowsRead(fps: Rational, frames: number, params: EyeParams = saccadeOnly, tableRows = 5000): number[] {
  const eyes = new EyeAnimator(indexTable(tableRows), params, fps);
  const out = new Float32Array(6);
  const rows: number[] = [];
  for (let f = 0; f < frames; f++) {
    eyes.step(new Float32Array(4), 0, out);
    // both eyes read the same row, z is always 0
    expect([out[3], out[4]]).toEqual([out[0], out[1]]);
    expect(out[1] + out[0]).toBe(0);
    expect(out[2]).toBe(0);
    expect(out[5]).toBe(0);
    rows.push(out[0]);
  }
  return rows;
}

/**
 * Independent float32 model of the SDK: dt = float(den)/num, increment = dt·30, live time kept in
 * a float32 cell (every store rounds), row = trunc(wrap(seed + live)).
 */
function float32Rows(fps: Rational, frames: number, seed: number, tableRows: number): number[] {
  const cell = new Float32Array(3); // [increment, live time, seed + live time]
  cell[0] = fps.den / fps.num;
  cell[0] = cell[0] * 30;
  const rows: number[] = [];
  for (let f = 0; f < frames; f++) {
    cell[2] = seed + cell[1];
    rows.push(Math.floor(cell[2] % tableRows));
    cell[1] = cell[1] + cell[0];
    cell[1] = cell[1] % tableRows;
  }
  return rows;
}

describe('eye saccades (docs/nvidia/postprocess.md#eyes)', () => {
  it('steps one table row per frame at 30 fps and one per two frames at 60 fps', () => {
    expect(rowsRead(rational(30), 12)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(rowsRead(rational(60), 12)).toEqual([0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5]);
  });

  it('offsets by eye_saccade_seed and wraps at the table length (5000 rows)', () => {
    expect(rowsRead(rational(30), 5, { ...saccadeOnly, eye_saccade_seed: 4998 })).toEqual([4998, 4999, 0, 1, 2]);
    expect(rowsRead(rational(60), 6, { ...saccadeOnly, eye_saccade_seed: 10.5 })).toEqual([10, 11, 11, 12, 12, 13]);
    expect(rowsRead(rational(30), 6, saccadeOnly, 4)).toEqual([0, 1, 2, 3, 0, 1]);
    // live time wraps too: after 5000 frames at 30 fps it is back at row 0
    expect(rowsRead(rational(30), 5002).slice(4998)).toEqual([4998, 4999, 0, 1]);
  });

  it('accumulates live time in float32 like the SDK: at 30000/1001 fps frame 1000 reads row 1000, not 1001', () => {
    const fps = rational(30000, 1001);
    const expected = float32Rows(fps, 3000, 0, 5000);
    const rows = rowsRead(fps, 3000);
    expect(rows).toEqual(expected);
    // exact arithmetic (k·30·1001/30000 = 1.001·k) would read row 1001 at frame 1000: the
    // off-by-one the reference warns about; the float32 increment is 1.0009999275 < 1.001.
    expect(Math.floor((1000 * 30 * 1001) / 30000)).toBe(1001);
    expect(rows[1000]).toBe(1000);
    expect(rows[999]).toBe(999);
    // at 25 fps the float32 increment 1.19999993 < 1.2 is one row short already at frame 5
    expect(rowsRead(rational(25), 12)).toEqual(float32Rows(rational(25), 12, 0, 5000));
    expect(rowsRead(rational(25), 6)[5]).toBe(5);
  });

  it('rot = offset + eyeballs_strength·net + saccade_strength·saccade, right = net[0..1], left = net[2..3]', () => {
    const rand = seededRandom(31);
    const table = Float32Array.from({ length: 20 }, () => uniform(rand, -4, 4));
    const params: EyeParams = {
      eyeballs_strength: 1.2,
      saccade_strength: 0.9,
      right_eye_rot_x_offset: 0.5,
      right_eye_rot_y_offset: -2,
      left_eye_rot_x_offset: -0.5,
      left_eye_rot_y_offset: 2,
      eye_saccade_seed: 3,
    };
    const eyes = new EyeAnimator(table, params, rational(30));
    const out = new Float64Array(6);
    for (let f = 0; f < 12; f++) {
      const net = Float32Array.from({ length: 4 }, () => uniform(rand, -10, 10));
      eyes.step(net, 0, out);
      const row = (3 + f) % 10;
      expect(out[0]).toBeCloseTo(0.5 + 1.2 * net[0] + 0.9 * table[2 * row], 5);
      expect(out[1]).toBeCloseTo(-2 + 1.2 * net[1] + 0.9 * table[2 * row + 1], 5);
      expect(out[3]).toBeCloseTo(-0.5 + 1.2 * net[2] + 0.9 * table[2 * row], 5);
      expect(out[4]).toBeCloseTo(2 + 1.2 * net[3] + 0.9 * table[2 * row + 1], 5);
    }
    eyes.reset();
    expect(eyes.saccadeRow).toBe(3);
  });
});

describe('eye rotation quaternion', () => {
  it('applies pitch about +X first, then yaw about +Y (R = R_y·R_x), in degrees', () => {
    const rad = Math.PI / 180;
    const rx = (a: number, v: Vec3): Vec3 => [v[0], Math.cos(a) * v[1] - Math.sin(a) * v[2], Math.sin(a) * v[1] + Math.cos(a) * v[2]];
    const ry = (a: number, v: Vec3): Vec3 => [Math.cos(a) * v[0] + Math.sin(a) * v[2], v[1], -Math.sin(a) * v[0] + Math.cos(a) * v[2]];
    for (const [x, y] of [
      [10, 0],
      [0, -15],
      [12, 25],
      [-30, 40],
    ]) {
      const q = eyeRotationQuat(x, y);
      for (const v of [
        [0, 0, 1],
        [1, 0, 0],
        [0.3, -0.5, 0.8],
      ] as Vec3[]) {
        const expected = ry(y * rad, rx(x * rad, v));
        const got = quatRotate(q, v);
        for (let k = 0; k < 3; k++) expect(got[k]).toBeCloseTo(expected[k], 12);
      }
    }
  });
});

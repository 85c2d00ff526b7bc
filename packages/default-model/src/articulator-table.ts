// The articulator → ARKit table (format a2f-articulator-table/1): its schema and the errors a table
// author reads. The shipped table and the meaning of every field: templates/articulators/README.md.
import { ARKIT_BLENDSHAPES, TONGUE_BLENDSHAPES } from '@a2f/animation';
import { checkJson, expects, type JsonIssue, jsonObject } from '@a2f/base';
import { InferenceError } from '@a2f/inference';
import * as v from 'valibot';
import { ARTICULATORS, type Articulator, type ArticulatorTable } from './articulators.js';
import { UPPER_FACE_DEFAULTS, type UpperFaceParameters } from './procedural.js';

const SHAPES = [...ARKIT_BLENDSHAPES, ...TONGUE_BLENDSHAPES];
const DEFAULT_VOICE_GATE = [0.2, 0.5] as const;

const number = (min: number, max: number, expected: string) =>
  expects(v.pipe(v.number(), v.finite(), v.minValue(min), v.maxValue(max)), expected);
const optionalNumber = (min: number, max: number, expected: string) => v.optional(number(min, max, expected));
const unit = optionalNumber(0, 1, 'a number in [0, 1]');
const seconds = optionalNumber(0.001, 60, 'a number of seconds in [0.001, 60]');
const degrees = optionalNumber(0.001, 90, 'a number of degrees in [0.001, 90]');

const ROW = jsonObject(Object.fromEntries(SHAPES.map((name) => [name, v.optional(number(-1, 1, 'a number in [-1, 1]'))])), 'an object');
const MODE = v.optional(jsonObject({ holdSeconds: seconds, awaySeconds: seconds }));
const UPPER_FACE = jsonObject({
  brows: v.optional(
    jsonObject({
      probability: unit,
      turnProbability: unit,
      turnPauseSeconds: optionalNumber(0, 60, 'a number of seconds in [0, 60]'),
      minRaise: unit,
      maxRaise: unit,
      outerRatio: unit,
      attackSeconds: seconds,
      decaySeconds: seconds,
      minIntervalSeconds: seconds,
      accentThreshold: optionalNumber(0.01, 1, 'a number in [0.01, 1]'),
    }),
  ),
  saccades: v.optional(
    jsonObject({
      magnitudeScaleDegrees: degrees,
      maxMagnitudeDegrees: degrees,
      gain: optionalNumber(0, 1, 'a number in [0, 1] (0 = the eyes rest)'),
      talking: MODE,
      listening: MODE,
      lookShapeDegrees: degrees,
      turnAwayProbability: unit,
      turnPauseSeconds: optionalNumber(0, 60, 'a number of seconds in [0, 60]'),
      endReturnProbability: unit,
    }),
  ),
  blinks: v.optional(
    jsonObject({
      pauseProbability: unit,
      minSpeechSeconds: optionalNumber(0, 60, 'a number of seconds in [0, 60]'),
      accentProbability: unit,
      refractorySeconds: optionalNumber(0.25, 60, 'a number of seconds in [0.25, 60] (no shorter than a blink)'),
    }),
  ),
});
const RANGE = expects(
  v.tuple([v.pipe(v.number(), v.minValue(0), v.maxValue(1)), v.pipe(v.number(), v.minValue(0), v.maxValue(1))]),
  'two numbers [from, to] in [0, 1]',
);
const TABLE_KEYS = [
  'articulators',
  'jawOpenDegrees',
  'smoothingHalfLife',
  'voiceGate',
  'ranges',
  'upperFace',
  'description',
  'reference',
  'format',
];
const TABLE = jsonObject({
  jawOpenDegrees: number(0, 90, 'a number of degrees in [0, 90]'),
  smoothingHalfLife: number(0, 10, 'a number of seconds in [0, 10] (0 = no smoothing)'),
  articulators: jsonObject(Object.fromEntries(ARTICULATORS.map((name) => [name, ROW])), 'an object'),
  voiceGate: v.optional(RANGE),
  ranges: v.optional(jsonObject(Object.fromEntries(ARTICULATORS.map((name) => [name, v.optional(RANGE)])), 'an object')),
  upperFace: v.optional(UPPER_FACE),
  description: v.optional(v.unknown()),
  reference: v.optional(v.unknown()),
  format: v.optional(v.unknown()),
});

/** What is wrong at a place in the table, worded for a table author. */
function tableProblem(i: JsonIssue): string {
  const at = `"${i.field}"`;
  if (i.keys.length === 0) return `not a JSON object, found ${i.foundText}`;
  if (i.unknownKey) {
    if (i.keys.length === 1) return `unknown key ${at} (allowed: ${TABLE_KEYS.join(', ')})`;
    if ((i.keys[0] === 'articulators' || i.keys[0] === 'ranges') && i.keys.length === 2)
      return `${at} is not an articulator (use ${ARTICULATORS.join(', ')})`;
    if (i.keys[0] === 'articulators') return `${at} is not an ARKit or tongue shape name (lowerCamelCase, e.g. jawOpen, tongueTipUp)`;
    return `unknown key ${at}. ${i.fix}`;
  }
  if (i.missing && i.keys[0] === 'articulators' && i.keys.length === 2)
    return `${at} is missing (give every articulator a row; {} means none)`;
  return `${at} must be ${i.expected}, found ${i.foundText}`;
}

/** Validates an articulator table read from JSON; `origin` names the file in errors. Left-out upper-face parameters take their defaults. */
export function parseArticulatorTable(json: unknown, origin: string): ArticulatorTable {
  const fail = (problem: string) =>
    new InferenceError(
      'PACK_FIELD',
      origin,
      `invalid articulator table: ${problem}`,
      `Expected {"articulators": {${ARTICULATORS.map((name) => `"${name}"`).join(', ')}: {shapeName: weight -1..1}}, ` +
        '"jawOpenDegrees": number, "smoothingHalfLife": seconds, optional "voiceGate", "ranges" and "upperFace"} ' +
        "(the default model's articulators-to-arkit.json is one; templates/articulators/README.md explains every field)",
    );
  const table = checkJson(TABLE, json, (i) => fail(tableProblem(i)));
  const articulators = Object.fromEntries(
    ARTICULATORS.map((name) => [
      name,
      Object.fromEntries(Object.entries(table.articulators[name]).filter((e): e is [string, number] => typeof e[1] === 'number')),
    ]),
  ) as Record<Articulator, Record<string, number>>;
  const given = table.upperFace ?? {};
  const d = UPPER_FACE_DEFAULTS;
  const upperFace: UpperFaceParameters = {
    brows: { ...d.brows, ...defined(given.brows) },
    saccades: {
      ...d.saccades,
      ...defined(given.saccades),
      talking: { ...d.saccades.talking, ...defined(given.saccades?.talking) },
      listening: { ...d.saccades.listening, ...defined(given.saccades?.listening) },
    },
    blinks: { ...d.blinks, ...defined(given.blinks) },
  };
  const voiceGate = table.voiceGate ?? DEFAULT_VOICE_GATE;
  if (!(voiceGate[0] < voiceGate[1])) throw fail(`"voiceGate" must rise: from ${voiceGate[0]} must be below to ${voiceGate[1]}`);
  const ranges: Partial<Record<Articulator, readonly [number, number]>> = {};
  for (const name of ARTICULATORS) {
    const range = table.ranges?.[name];
    if (range === undefined) continue;
    if (!(range[0] < range[1])) throw fail(`"ranges.${name}" must rise: from ${range[0]} must be below to ${range[1]}`);
    ranges[name] = [range[0], range[1]];
  }
  const { minRaise, maxRaise } = upperFace.brows;
  if (minRaise > maxRaise) throw fail(`"upperFace.brows.minRaise" (${minRaise}) must not exceed "upperFace.brows.maxRaise" (${maxRaise})`);
  return {
    articulators,
    jawOpenDegrees: table.jawOpenDegrees,
    smoothingHalfLife: table.smoothingHalfLife,
    voiceGate: [voiceGate[0], voiceGate[1]],
    ranges,
    upperFace,
  };
}

/** The fields that are set (valibot keeps an optional key that was absent out, but typing says undefined). */
function defined<T extends object>(o: T | undefined): Partial<T> {
  return Object.fromEntries(Object.entries(o ?? {}).filter(([, value]) => value !== undefined)) as Partial<T>;
}

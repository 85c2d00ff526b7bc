/** A frame rate as an exact rational (29.97 is 30000/1001, never a rounded float). */
export interface Rational {
  readonly num: number;
  readonly den: number;
}

/** Audio rate every model input is resampled to (A2F `audio_params.samplerate`). */
export const MODEL_SAMPLE_RATE = 16000;

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

export function rational(num: number, den = 1): Rational {
  if (!Number.isInteger(num) || !Number.isInteger(den) || num <= 0 || den <= 0) {
    throw new RangeError(`frame rate ${num}/${den} must be a ratio of positive integers`);
  }
  const g = gcd(num, den);
  return { num: num / g, den: den / g };
}

/** NTSC rates written as decimals map to their exact ratios, as DCCs treat them. */
const NTSC: Record<string, Rational> = {
  '23.976': { num: 24000, den: 1001 },
  '23.98': { num: 24000, den: 1001 },
  '29.97': { num: 30000, den: 1001 },
  '47.952': { num: 48000, den: 1001 },
  '59.94': { num: 60000, den: 1001 },
  '119.88': { num: 120000, den: 1001 },
};

/** Parses "30", "29.97", "30000/1001" or a number into an exact rate. */
export function parseFps(value: string | number | Rational): Rational {
  if (typeof value === 'object') return rational(value.num, value.den);
  const text = String(value).trim();
  if (NTSC[text]) return NTSC[text];
  const ratio = /^(\d+)\s*\/\s*(\d+)$/.exec(text);
  if (ratio) return rational(Number(ratio[1]), Number(ratio[2]));
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0 || n > 1000) {
    throw new RangeError(`invalid frame rate "${text}": use a number such as 30, 29.97 or a ratio such as 30000/1001`);
  }
  const decimals = (text.split('.')[1] ?? '').length;
  const den = 10 ** decimals;
  return rational(Math.round(n * den), den);
}

export const fpsValue = (fps: Rational): number => fps.num / fps.den;
export const fpsLabel = (fps: Rational): string => (fps.den === 1 ? String(fps.num) : `${fps.num}/${fps.den}`);

/** A2F rule: frame k is centred on sample floor(k·rate·den/num). */
export function frameTargetSample(k: number, fps: Rational, sampleRate = MODEL_SAMPLE_RATE): number {
  return Math.floor((k * sampleRate * fps.den) / fps.num);
}

/** Offline frame count: frames run while their target sample lies inside the audio. */
export function frameCountFor(samples: number, fps: Rational, sampleRate = MODEL_SAMPLE_RATE): number {
  return Math.ceil((samples * fps.num) / (sampleRate * fps.den));
}

/** Seconds of frame k (its target sample over the sample rate), as the SDK timestamps it. */
export function frameSeconds(k: number, fps: Rational, sampleRate = MODEL_SAMPLE_RATE): number {
  return frameTargetSample(k, fps, sampleRate) / sampleRate;
}

import { describe, expect, it } from 'vitest';
import { UsageError } from '../src/fatal.js';
import { parseParamArgs } from '../src/param-args.js';

describe('--param key=value', () => {
  it('collects one or many, keeping values as text for the model to check', () => {
    expect(parseParamArgs(undefined)).toEqual({});
    expect(parseParamArgs('lower_face_strength=1.2')).toEqual({ lower_face_strength: '1.2' });
    expect(parseParamArgs(['skin_strength = 0.9', 'source_shot=g2a_neutral'])).toEqual({
      skin_strength: '0.9',
      source_shot: 'g2a_neutral',
    });
  });

  it('refuses malformed and repeated keys with an example', () => {
    expect(() => parseParamArgs(['skin_strength'])).toThrow(/"skin_strength" is not key=value \(e\.g\. --param lower_face_strength=1\.2\)/);
    expect(() => parseParamArgs(['=1'])).toThrow(/not key=value/);
    expect(() => parseParamArgs(['a=1', 'a=2'])).toThrow(/--param a is given twice/);
    // A usage error: the CLI prints it with the command's --help, and --json gives code USAGE.
    expect(() => parseParamArgs(['=1'])).toThrow(UsageError);
  });
});

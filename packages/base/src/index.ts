export { A2fError, isA2fError } from './errors.js';
export { describe, isRecord } from './describe.js';
export { sha256File, sha256Text } from './sha256.js';

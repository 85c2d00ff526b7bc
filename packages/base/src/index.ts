export { A2fError, isA2fError } from './errors.js';
export { describe, isRecord } from './describe.js';
export { sha256File, sha256Text } from './sha256.js';
export {
  checkJson,
  expects,
  jsonMessage,
  jsonObject,
  jsonPath,
  jsonRecord,
  readJsonFile,
  type JsonFix,
  type JsonIssue,
  type JsonKey,
  type JsonObjectOptions,
  type JsonReadFailure,
} from './json.js';
export { writeFileAtomic, writeTextStream, type TextSink } from './atomic.js';

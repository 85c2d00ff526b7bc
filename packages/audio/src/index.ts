export { AUDIO_EXTENSIONS, type AudioFormat } from './detect.js';
export { AudioError, type AudioErrorCode, type Shortfall } from './errors.js';
export { decodeAudioBytes, type DecodedAudio, type DecodeOptions } from './decode.js';
export type { Truncation } from './integrity.js';
export { loadAudio, DEFAULT_SAMPLE_RATE, type AudioInfo, type LoadedAudio, type LoadOptions } from './load.js';
export { mixdown, resample } from './resample.js';
export { StreamResampler } from './resample-stream.js';
export { encodeWav, type WavSampleFormat } from './wav-encode.js';

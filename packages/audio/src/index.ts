export { AUDIO_EXTENSIONS, type AudioFormat } from './detect.js';
export { AudioError, type AudioErrorCode } from './errors.js';
export { decodeAudioBytes, type DecodedAudio } from './decode.js';
export { loadAudio, DEFAULT_SAMPLE_RATE, type AudioInfo, type LoadedAudio } from './load.js';
export { mixdown, resample } from './resample.js';
export { encodeWav, type WavSampleFormat } from './wav-encode.js';

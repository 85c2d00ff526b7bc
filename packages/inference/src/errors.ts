import { A2fError } from '@a2f/base';

/**
 * An inference failure a user can act on. Same shape as the pipeline's JobError (code, file,
 * problem, fix) so reports flatten it without knowing this package.
 */
export class InferenceError extends A2fError<InferenceErrorCode> {}

export type InferenceErrorCode =
  | 'PACK_NOT_FOUND'
  | 'PACK_JSON'
  | 'PACK_FIELD'
  | 'PACK_HASH'
  | 'NETWORK_LOAD'
  | 'NETWORK_MISMATCH'
  | 'CUDA_UNAVAILABLE'
  | 'WORKER_CRASHED'
  | 'INFERENCE_RUN'
  | 'ENGINE_CLOSED'
  | 'BAD_OPTION';

import type { LiveModels, LiveSettingsInput } from '@a2f/pipeline';
import type { ServeEvent } from './events.js';
import type { Recorder } from './record.js';
import type { StreamPlan } from './validate.js';

/** Limits every stream runs under (docs/serve/protocol.md#limits); NVIDIA's service has the same three. */
export interface StreamLimits {
  /** a clip longer than this is refused (OUT_OF_RANGE); 0: no limit; NVIDIA's default is 300 */
  readonly maxSeconds: number;
  /** one audio_with_emotion holding more is refused (INVALID_ARGUMENT); NVIDIA's default is 10 */
  readonly maxChunkSeconds: number;
  /** a stream silent this long is ended (DEADLINE_EXCEEDED); NVIDIA's default is 30 */
  readonly idleSeconds: number;
}

/** What the server gives each call. */
export interface StreamContext {
  /** the post-processing parameter keys the model takes (face parameters map onto these) */
  readonly modelParams: ReadonlySet<string>;
  readonly limits: StreamLimits;
  /** the models every stream shares, loaded once per set of model settings */
  readonly models: LiveModels;
  readonly recorder?: Recorder;
  /** the run settings of one stream: the server's, with the header's parameters over them */
  streamSettings(plan: StreamPlan): LiveSettingsInput;
  log(e: ServeEvent): void;
  /** the call is over: its slot under --max-streams is free */
  release(call: object): void;
}

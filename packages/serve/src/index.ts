export { startServer, SERVE_DEFAULTS } from './server.js';
export type { ServeOptions, LiveServer } from './server.js';
export type { ServeEvent, StreamLimits } from './stream-context.js';
export { connect, openStream, streamClip, pcmHeader } from './client.js';
export type { A2fConnection, ConnectOptions, ClipOptions, ClipResult, AnswerMessage } from './client.js';
export { loadProtocol, PROTO_DIR, CONTROLLER_SERVICE, HEALTH_SERVICE, EMOTION_AGGREGATE_TYPE } from './proto-load.js';
export { FACE_PARAMS, EMOTION_NAMES, MIN_SAMPLE_RATE, MAX_SAMPLE_RATE } from './validate.js';
export { ServeError, StreamError, GrpcStatus } from './errors.js';
export { formatServeEvent } from './events.js';

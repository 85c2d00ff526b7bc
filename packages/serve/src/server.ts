// `a2f serve`'s server: NVIDIA's A2FControllerService/ProcessAudioStream and grpc.health.v1 on one
// port, with the limits, TLS and token of docs/serve/README.md.
import fs from 'node:fs';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { isRecord } from '@a2f/base';
import { LiveModels, loadModelPack, openLiveStream, type LiveSettingsInput, type ModelPack } from '@a2f/pipeline';
import { tokenCheck } from './auth.js';
import { ServeError, StreamError } from './errors.js';
import { healthService } from './health.js';
import { loadProtocol } from './proto-load.js';
import { Recorder } from './record.js';
import { StreamCall, type AudioStreamMsg } from './stream-call.js';
import type { ServeEvent } from './events.js';
import type { StreamContext, StreamLimits } from './stream-context.js';
import type { StreamPlan } from './validate.js';

export interface ServeOptions {
  /** loopback unless asked: a live server is reachable by whoever can reach the port */
  readonly host?: string;
  /** 0 picks a free port (the result says which) */
  readonly port?: number;
  /** the run settings streams use, as `a2f run` takes them (model, params, a2e, …; character for --record) */
  readonly settings: LiveSettingsInput;
  /** streams at once; one more is refused with RESOURCE_EXHAUSTED */
  readonly maxStreams?: number;
  readonly limits?: Partial<StreamLimits>;
  /** a folder: each stream that ends well is written there as WAV + layer */
  readonly record?: string;
  /** PEM files; both or neither */
  readonly tls?: { readonly cert: string; readonly key: string };
  /** calls must carry `authorization: Bearer <token>` */
  readonly token?: string;
  readonly log?: (e: ServeEvent) => void;
}

export interface LiveServer {
  readonly host: string;
  readonly port: number;
  /** streams running now */
  readonly active: number;
  /** Stops taking calls, ends those running (CANCELLED), and waits for queued recordings. */
  close(): Promise<void>;
}

export const SERVE_DEFAULTS = {
  host: '127.0.0.1',
  port: 52000,
  maxStreams: 8,
  maxSeconds: 300,
  maxChunkSeconds: 10,
  idleSeconds: 30,
} as const;

export async function startServer(opts: ServeOptions): Promise<LiveServer> {
  const host = opts.host ?? SERVE_DEFAULTS.host;
  const maxStreams = opts.maxStreams ?? SERVE_DEFAULTS.maxStreams;
  const log = opts.log ?? (() => {});
  const limits: StreamLimits = {
    maxSeconds: opts.limits?.maxSeconds ?? SERVE_DEFAULTS.maxSeconds,
    maxChunkSeconds: opts.limits?.maxChunkSeconds ?? SERVE_DEFAULTS.maxChunkSeconds,
    idleSeconds: opts.limits?.idleSeconds ?? SERVE_DEFAULTS.idleSeconds,
  };
  checkNumber('--max-streams', maxStreams, (v) => Number.isInteger(v) && v >= 1, 'a whole number, 1 or more');
  checkNumber('--max-seconds', limits.maxSeconds, (v) => v >= 0, 'seconds, or 0 for no limit');
  checkNumber('--max-chunk-seconds', limits.maxChunkSeconds, (v) => v > 0, 'seconds above 0');
  const portWanted = opts.port ?? SERVE_DEFAULTS.port;
  checkNumber('--port', portWanted, (v) => Number.isInteger(v) && v >= 0 && v <= 65535, 'a port number from 0 to 65535');
  const credentials = serverCredentials(opts.tls);
  const settings = opts.settings as LiveSettingsInput;
  // Checked before the model loads: a refusal after it would leave the model's workers holding the process open.
  if (opts.record && settings.character === undefined)
    throw new ServeError('BAD_OPTION', '--record', 'recording needs the character the layers drive', 'Add --character <asset>.');
  const pack = await loadModelPack(settings.model ?? 'default');
  const streamSettings = (plan: StreamPlan): LiveSettingsInput => ({ ...settings, params: { ...settings.params, ...plan.params } });
  const models = new LiveModels();
  // A first stream now, closed at once: the settings are checked and the model loaded before any
  // client comes, so a bad flag stops the server here and the first stream does not wait for the load.
  try {
    (await openLiveStream({ settings, sampleRate: 16000, models })).close();
  } catch (err) {
    await models.close();
    throw err;
  }
  let recorder: Recorder | undefined;
  if (opts.record) {
    fs.mkdirSync(opts.record, { recursive: true });
    recorder = new Recorder(path.resolve(opts.record), streamSettings, log);
  }
  const calls = new Set<object>();
  let nextId = 0;
  let closing = false;
  const ctx: StreamContext = {
    modelParams: paramNames(pack),
    limits,
    models,
    recorder,
    streamSettings,
    log,
    release: (call) => calls.delete(call),
  };
  const denied = tokenCheck(opts.token);
  const protocol = loadProtocol();
  const server = new grpc.Server();
  const processAudioStream: grpc.handleBidiStreamingCall<AudioStreamMsg, unknown> = (call) => {
    const refuse = (e: StreamError) => {
      log({ event: 'stream-refused', code: grpc.status[e.code], message: e.message });
      call.emit('error', { code: e.code, details: e.message });
    };
    const why = denied(call.metadata);
    if (why) return refuse(new StreamError(grpc.status.UNAUTHENTICATED, why));
    if (closing) return refuse(new StreamError(grpc.status.UNAVAILABLE, 'the server is shutting down. Try again on another server.'));
    if (calls.size >= maxStreams)
      return refuse(
        new StreamError(
          grpc.status.RESOURCE_EXHAUSTED,
          `this server already runs ${maxStreams} streams, its --max-streams. Retry when one ends, or use another server`,
        ),
      );
    const id = ++nextId;
    calls.add(new StreamCall(call, ctx, id));
  };
  server.addService(protocol.controller.service, { ProcessAudioStream: processAudioStream });
  server.addService(
    protocol.health.service,
    healthService(() => !closing),
  );
  const address = host.includes(':') ? `[${host}]:${portWanted}` : `${host}:${portWanted}`;
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(address, credentials, (err, p) =>
      err
        ? reject(
            new ServeError(
              'LISTEN',
              address,
              `cannot listen: ${err.message}`,
              'Pick a free port with --port, or stop what holds this one.',
            ),
          )
        : resolve(p),
    ),
  ).catch(async (err: unknown) => {
    // The model is loaded by now: its workers would keep a failed start's process alive.
    server.forceShutdown();
    await models.close();
    throw err;
  });
  log({ event: 'listening', host, port, tls: opts.tls !== undefined, token: opts.token !== undefined, maxStreams, model: pack.name });
  return {
    host,
    port,
    get active() {
      return calls.size;
    },
    async close() {
      closing = true;
      await new Promise<void>((resolve) => {
        // Calls still running get CANCELLED; their live streams close through the 'cancelled' handler.
        server.forceShutdown();
        resolve();
      });
      await recorder?.idle();
      await models.close();
    },
  };
}

/** The face post-processing keys an NVIDIA v2.3 pack takes (its model_config.json); other models take none. */
function paramNames(pack: ModelPack): Set<string> {
  const config = pack.postprocess.config as { pack?: { params?: unknown } };
  const params = config.pack?.params;
  return new Set(isRecord(params) ? Object.keys(params) : []);
}

function serverCredentials(tls: ServeOptions['tls']): grpc.ServerCredentials {
  if (!tls) return grpc.ServerCredentials.createInsecure();
  const read = (file: string, what: string) => {
    try {
      return fs.readFileSync(file);
    } catch (err) {
      throw new ServeError('TLS', file, `cannot read the ${what}: ${(err as Error).message}`, `Give a PEM ${what} file.`);
    }
  };
  const cert = read(tls.cert, 'certificate (--tls-cert)');
  const key = read(tls.key, 'private key (--tls-key)');
  try {
    return grpc.ServerCredentials.createSsl(null, [{ cert_chain: cert, private_key: key }], false);
  } catch (err) {
    throw new ServeError(
      'TLS',
      tls.cert,
      `the certificate and key do not load: ${(err as Error).message}`,
      'Give a PEM certificate and its private key.',
    );
  }
}

function checkNumber(flag: string, value: number, ok: (v: number) => boolean, expected: string): void {
  if (!Number.isFinite(value) || !ok(value))
    throw new ServeError('BAD_OPTION', flag, `${value} is not ${expected}`, `Give ${flag} ${expected}.`);
}

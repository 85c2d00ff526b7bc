import type { Argv } from 'yargs';
import { namesOf, type SettingName } from '@a2f/pipeline';
import { formatServeEvent, SERVE_DEFAULTS, startServer, type LiveServer, type ServeEvent } from '@a2f/serve';
import { printFatal, UsageError } from '../fatal.js';
import { onNpmParentGone } from '../npm-parent.js';
import { settingOptions, settingsFromArgs } from '../setting-options.js';

/**
 * The run settings a live stream uses: every job setting but the output folder (--record names it),
 * the frame rate (the protocol streams 30 fps), the export JSON (a recording's emotion sidecar has its
 * name) and Audio2Emotion's (it does not run live: docs/live-engine.md).
 */
const NOT_LIVE = new Set<SettingName>(['outDir', 'fps', 'exportJson', 'a2e', 'a2eWindow', 'a2eSkip', 'a2eParams']);
const SERVE_SETTINGS: readonly SettingName[] = namesOf('job').filter((n) => !NOT_LIVE.has(n));

/** `a2f serve`'s options; cli.ts registers the command with this builder. */
export const serveOptions = (y: Argv) =>
  y
    .options(settingOptions(SERVE_SETTINGS))
    .option('host', {
      type: 'string',
      default: SERVE_DEFAULTS.host,
      describe: 'address to listen on (0.0.0.0 or :: to take other machines)',
    })
    .option('port', { type: 'number', default: SERVE_DEFAULTS.port, describe: "port (NVIDIA's service uses 52000; 0 picks a free one)" })
    .option('max-streams', {
      type: 'number',
      default: SERVE_DEFAULTS.maxStreams,
      describe: 'streams at once; one more gets RESOURCE_EXHAUSTED',
    })
    .option('max-seconds', {
      type: 'number',
      default: SERVE_DEFAULTS.maxSeconds,
      describe: 'longest clip one stream may send (seconds; 0: no limit)',
    })
    .option('max-chunk-seconds', {
      type: 'number',
      default: SERVE_DEFAULTS.maxChunkSeconds,
      describe: 'most audio one audio_with_emotion message may hold (seconds)',
    })
    .option('record', { type: 'string', describe: 'write each stream that ends well here: its audio as WAV and its layer on --character' })
    .option('tls-cert', { type: 'string', describe: 'PEM certificate: serve over TLS (with --tls-key)' })
    .option('tls-key', { type: 'string', describe: 'PEM private key of --tls-cert' })
    .option('token', {
      type: 'string',
      default: process.env.A2F_SERVE_TOKEN,
      defaultDescription: '$A2F_SERVE_TOKEN',
      describe: 'require "authorization: Bearer <token>" on every stream',
    });

export type ServeArgs = ReturnType<typeof serveOptions> extends Argv<infer T> ? T : never;

/**
 * Runs `a2f serve` until SIGINT/SIGTERM: JSON lines on stdout (one per event: listening, each
 * stream's open and end, each recording), human lines on stderr.
 */
export async function serveCommand(a: ServeArgs): Promise<number> {
  const json = (e: ServeEvent) => process.stdout.write(`${JSON.stringify({ t: new Date().toISOString(), ...e })}\n`);
  const log = (e: ServeEvent) => {
    json(e);
    process.stderr.write(`${formatServeEvent(e)}\n`);
  };
  if ((a['tls-cert'] === undefined) !== (a['tls-key'] === undefined))
    return printFatal(
      new UsageError('--tls-cert and --tls-key go together: give both to serve over TLS, or neither', 'serve'),
      false,
      'serve',
    );
  let server: LiveServer;
  try {
    server = await startServer({
      host: a.host,
      port: a.port,
      settings: settingsFromArgs(a, SERVE_SETTINGS),
      maxStreams: a['max-streams'],
      limits: { maxSeconds: a['max-seconds'], maxChunkSeconds: a['max-chunk-seconds'] },
      ...(a.record ? { record: a.record } : {}),
      ...(a['tls-cert'] && a['tls-key'] ? { tls: { cert: a['tls-cert'], key: a['tls-key'] } } : {}),
      ...(a.token ? { token: a.token } : {}),
      log,
    });
  } catch (err) {
    return printFatal(err, false, 'serve');
  }
  await new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (sig: string) => {
      if (stopping) process.exit(130);
      stopping = true;
      process.stderr.write(`a2f serve: ${sig}: ending the streams, finishing recordings (send again to exit at once)\n`);
      void server.close().then(resolve);
    };
    process.on('SIGINT', () => stop('SIGINT'));
    process.on('SIGTERM', () => stop('SIGTERM'));
    onNpmParentGone(() => stop('SIGHUP'));
  });
  return 0;
}

/** One line of the server's log (JSON on the CLI's stdout). */
export type ServeEvent = { readonly event: string } & Readonly<Record<string, unknown>>;

const s = (v: unknown) => (typeof v === 'number' ? v.toFixed(2) : String(v));

/** One human line per server event, for the CLI's stderr (stdout carries the JSON). */
export function formatServeEvent(e: ServeEvent): string {
  const id = e.stream === undefined ? '' : ` #${String(e.stream)}`;
  switch (e.event) {
    case 'listening':
      return (
        `a2f serve: listening on ${String(e.host)}:${String(e.port)}${e.tls ? ' (TLS)' : ''}${e.token ? ' (token required)' : ''}, ` +
        `model ${String(e.model)}, up to ${String(e.maxStreams)} streams`
      );
    case 'stream-open':
      return `stream${id}: open, ${String(e.sampleRate)} Hz`;
    case 'stream-end': {
      const warnings = e.warnings as string[];
      return (
        `stream${id}: done, ${s(e.seconds)} s, ${String(e.frames)} frames, first frame ${s(e.firstFrameLagSeconds)} s late, ` +
        `mean lag ${s(e.meanLagSeconds)} s${e.slow ? ', SLOWER THAN REAL TIME' : ''}${warnings.length ? `; ${warnings.join('; ')}` : ''}`
      );
    }
    case 'stream-error':
      return `stream${id}: ${String(e.code)}: ${String(e.message)}`;
    case 'stream-refused':
      return `stream refused: ${String(e.code)}: ${String(e.message)}`;
    case 'stream-gone':
      return `stream${id}: ${String(e.message)}; dropped`;
    case 'recorded':
      return `stream${id}: recorded ${String(e.wav)} → ${(e.layers as string[]).join(', ')}`;
    case 'record-failed':
      return `stream${id}: recording ${String(e.wav)} failed: ${String(e.message)}`;
    default:
      return `${e.event}: ${JSON.stringify(e)}`;
  }
}

// The live server's figures (measured by live-serve.ts), their table rows, targets and notes: here
// rather than spread over report.ts, table.ts and targets.ts, which only call into this file.

export interface LivePlan {
  /** seconds of audio per stream, streamed at real-time pace */
  readonly streamSeconds: number;
  /** streams at once to try, in order, until one count is not held */
  readonly counts: readonly number[];
}

export interface LiveTry {
  readonly streams: number;
  /** every stream's frames within 1 s of due and no stream reported slower than real time */
  readonly held: boolean;
  /** the latest frame of any stream, seconds after its audio was sent */
  readonly worstLagSeconds: number;
}

export interface LiveModelFigures {
  readonly model: string;
  /** one stream alone: from its first sample's recording to the first frame received (look-ahead included) */
  readonly firstFrameSeconds: number | null;
  /** one stream alone: median of each frame's arrival after the last audio it needs was recorded, past the first second */
  readonly steadyLagSeconds: number | null;
  /** the most streams at once held in real time (null: not even one) */
  readonly realTimeStreams: number | null;
  readonly tries: readonly LiveTry[];
  readonly note?: string;
}

export interface LiveFigures {
  readonly streamSeconds: number;
  /** the look-ahead a frame's window needs past its time, reported by the server */
  readonly lookAheadSeconds: number;
  readonly models: readonly LiveModelFigures[];
  readonly note?: string;
}

const s3 = (x: number | null): string => (x === null ? '—' : `${(1000 * x).toFixed(0)} ms`);

/** [figure, value, settings] rows for the bench table. */
export function liveRows(l: LiveFigures): [string, string, string][] {
  if (l.models.length === 0) return [['live server (a2f serve)', '—', l.note ?? 'not measured']];
  return l.models.flatMap((m): [string, string, string][] => [
    [
      `live server, ${m.model}: first frame`,
      s3(m.firstFrameSeconds),
      `one stream, 16 kHz audio sent in 20 ms chunks as a microphone delivers them, over loopback gRPC: first sample recorded → ` +
        `first frame received (includes the ${(1000 * l.lookAheadSeconds).toFixed(0)} ms look-ahead); ` +
        `steady lag ${s3(m.steadyLagSeconds)} ` +
        '(median, past the first second, of each frame after the last audio it needs was recorded)',
    ],
    [
      `live server, ${m.model}: real-time streams`,
      m.realTimeStreams === null ? '0' : String(m.realTimeStreams),
      `${l.streamSeconds} s streams at once at real-time pace; held = every frame within 1 s of its audio and no stream ` +
        `reported slow; tried ${m.tries.map((t) => `${t.streams}${t.held ? '✓' : '✗'} (worst ${s3(t.worstLagSeconds)})`).join(', ')}` +
        (m.note ? `; ${m.note}` : ''),
    ],
  ]);
}

/** The issue's targets on 2 cores: 4 streams with the default model, 1 with the v2.3-shaped network. */
export function liveTargets<T>(
  l: LiveFigures,
  atLeast: (name: string, value: number | null | undefined, min: number, unit: string, shown?: string, why?: string) => T,
): T[] {
  const of = (model: string) => l.models.find((m) => m.model === model);
  const why = l.note ?? 'not measured';
  return [
    atLeast(
      'live server, real-time streams, default model',
      of('default model')?.realTimeStreams ?? null,
      4,
      'streams',
      '≥ 4 (2 cores)',
      why,
    ),
    atLeast(
      'live server, real-time streams, v2.3-shaped pack',
      of('v2.3-shaped pack')?.realTimeStreams ?? null,
      1,
      'streams',
      '≥ 1 (2 cores)',
      why,
    ),
  ];
}

export function liveNotes(l: LiveFigures): string[] {
  return [
    ...(l.note ? [`live server: ${l.note}`] : []),
    ...l.models.filter((m) => m.note).map((m) => `live server, ${m.model}: ${m.note}`),
  ];
}

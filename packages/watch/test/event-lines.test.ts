import { describe, expect, it } from 'vitest';
import { formatWatchEvent, type WatchEvent } from '../src/index.js';

const ev = (e: Record<string, unknown>): WatchEvent => ({ level: 'info', ...e }) as unknown as WatchEvent;

describe('formatWatchEvent', () => {
  it('prints a finished line with its layers only (not reports)', () => {
    expect(formatWatchEvent(ev({ ev: 'done', path: 'sc1/a.wav', outputs: ['out/a.usda', 'out/a.report.json'], ms: 812 }))).toBe(
      'ok      sc1/a.wav → out/a.usda (812 ms)',
    );
  });

  it('prints a failure with its code, the fix on its own line unless the message has it, and the error file', () => {
    const line = formatWatchEvent(
      ev({
        ev: 'failed',
        path: 'b.wav',
        code: 'TRUNCATED',
        message: 'b.wav: ends early',
        fix: 'Export it again.',
        errorFile: 'out/b.error.json',
      }),
    );
    expect(line).toBe('FAIL    b.wav: [TRUNCATED] b.wav: ends early\n        fix: Export it again.\n        see out/b.error.json');
    const withFix = formatWatchEvent(
      ev({ ev: 'failed', path: 'b.wav', code: 'X', message: 'bad. Export it again.', fix: 'Export it again.', errorFile: 'e' }),
    );
    expect(withFix).not.toContain('fix:');
  });

  it('says when a retry comes, in seconds to one decimal', () => {
    expect(formatWatchEvent(ev({ ev: 'retry', path: 'c.wav', message: 'busy', attempt: 2, delayMs: 1540 }))).toBe(
      'retry   c.wav: busy (attempt 2, again in 1.5 s)',
    );
  });

  it('leaves log-only events to the JSON log', () => {
    expect(formatWatchEvent(ev({ ev: 'progress', path: 'd.wav', stage: 'network' }))).toBeNull();
    expect(formatWatchEvent(ev({ ev: 'journal', entries: 3, inFlight: 0, tornTail: false, badLines: [] }))).toBeNull();
  });
});

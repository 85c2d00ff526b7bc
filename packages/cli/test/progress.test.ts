import { describe, expect, it } from 'vitest';
import { ProgressBar } from '../src/progress.js';

function fakeStream(isTTY: boolean) {
  const writes: string[] = [];
  return { writes, stream: { isTTY, columns: 60, write: (s: string) => writes.push(s) } as unknown as NodeJS.WriteStream };
}

describe('ProgressBar', () => {
  it('draws nothing when not on a terminal', () => {
    const { writes, stream } = fakeStream(false);
    const bar = new ProgressBar(stream);
    bar.update('line.wav infer', 3, 10);
    bar.clear();
    expect(writes).toEqual([]);
  });

  it('redraws one line in place on a terminal, only when it changes, within the width', () => {
    const { writes, stream } = fakeStream(true);
    const bar = new ProgressBar(stream);
    bar.update('line.wav infer', 5, 10);
    bar.update('line.wav infer', 5, 10);
    bar.update('a-very-long-file-name-that-does-not-fit-in-sixty-columns.wav infer', 10, 10);
    bar.clear();
    expect(writes).toHaveLength(3);
    expect(writes[0]).toMatch(/^\r\x1b\[2K█{12}░{12} {2}50% line\.wav infer$/);
    expect(writes[1].replace('\r\x1b[2K', '').length).toBeLessThanOrEqual(59);
    expect(writes[2]).toBe('\r\x1b[2K');
  });
});

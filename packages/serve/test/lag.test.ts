import { describe, expect, it } from 'vitest';
import { LagMeter } from '../src/lag.js';

// Clocks in ms; frames at 30 fps with a 0.26 s look-ahead.
describe('LagMeter', () => {
  it('a real-time client served at once is never late', () => {
    const m = new LagMeter(0.26);
    m.audioStarted(1000);
    for (let i = 0; i < 300; i++) {
      const arrived = 1000 + (i / 30 + 0.26) * 1000;
      m.frame(i / 30, arrived, arrived + 5);
    }
    expect(m.slow).toBe(false);
    expect(m.maxLag).toBeCloseTo(0.005, 6);
    expect(m.firstLag).toBeCloseTo(0.005, 6);
  });

  it('a client that uploads everything at once is owed frames only at real time', () => {
    const m = new LagMeter(0.26);
    m.audioStarted(1000);
    // All audio arrived at t=1000; a server twice as fast as real time is early for every frame.
    for (let i = 0; i < 600; i++) m.frame(i / 30, 1000, 1000 + (i / 30 / 2) * 1000);
    expect(m.slow).toBe(false);
    expect(m.maxLag).toBe(0);
  });

  it('a server at half real time is late by more than 1 s for 3 s on end: slow', () => {
    const m = new LagMeter(0.26);
    m.audioStarted(1000);
    for (let i = 0; i < 300; i++) {
      const arrived = 1000 + (i / 30 + 0.26) * 1000;
      m.frame(i / 30, arrived, 1000 + (i / 30 + 0.26) * 2000);
    }
    expect(m.slow).toBe(true);
    expect(m.maxLag).toBeGreaterThan(8);
    expect(m.lateFor).toBeGreaterThan(3);
  });

  it('late spells shorter than 3 s do not count', () => {
    const m = new LagMeter(0.26);
    m.audioStarted(1000);
    for (let i = 0; i < 300; i++) {
      const arrived = 1000 + (i / 30 + 0.26) * 1000;
      // 1.5 s late for every frame of each 2-second stretch in four, on time otherwise.
      const late = Math.floor(i / 60) % 2 === 0 ? 1500 : 0;
      m.frame(i / 30, arrived, arrived + late);
    }
    expect(m.slow).toBe(false);
    expect(m.lateFor).toBeLessThan(3);
  });
});

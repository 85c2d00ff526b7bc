import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';

/** The CPU model as /proc/cpuinfo names it (os.cpus() where there is no /proc). */
export function cpuModel(): string {
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('model name'));
    if (line) return line.slice(line.indexOf(':') + 1).trim();
  } catch {
    /* not Linux */
  }
  return os.cpus()[0]?.model.trim() ?? 'unknown';
}

/** The onnxruntime-node the inference package resolves (the one that runs the network). */
export function onnxruntimeVersion(): string {
  try {
    const require = createRequire(import.meta.resolve('@a2f/inference'));
    const pkg = require('onnxruntime-node/package.json') as { version: string };
    return pkg.version;
  } catch {
    return 'unknown';
  }
}

export const loadAverage = (): number => os.loadavg()[0] ?? 0;

export function machineInfo(cores: number, loadStart: number, loadEnd: number) {
  return {
    cpus: cores,
    cpuModel: cpuModel(),
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    node: process.version,
    onnxruntime: onnxruntimeVersion(),
    loadAverage: { start: loadStart, end: loadEnd },
  };
}

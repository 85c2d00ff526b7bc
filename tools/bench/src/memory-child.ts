// Runs one line end to end in its own process and prints its peak resident memory: the bench's
// 60-minute memory figure, measured where nothing else (the bench's own packs and sessions) is
// resident. Usage: node memory-child.js '<json: {audio, character, outDir, model, inference}>'
import { readFileSync } from 'node:fs';
import { JobContext, type JobSettingsInput } from '@a2f/pipeline';

interface ChildArgs {
  readonly audio: string;
  readonly settings: JobSettingsInput;
}

/** Peak RSS in bytes: VmHWM (Linux), else what the OS reports through resourceUsage. */
function peakRss(): number {
  try {
    const line = readFileSync('/proc/self/status', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('VmHWM:'));
    if (line) return Number(/(\d+)/.exec(line)![1]) * 1024;
  } catch {
    /* not Linux */
  }
  return process.resourceUsage().maxRSS * 1024;
}

const args = JSON.parse(process.argv[2] ?? '') as ChildArgs;
const t = performance.now();
const ctx = await JobContext.create(args.settings);
let frames = 0;
try {
  const result = await ctx.process(args.audio);
  if (!result.ok) throw new Error(result.error.message);
  frames = result.frames;
} finally {
  await ctx.close();
}
process.stdout.write(JSON.stringify({ peakRssBytes: peakRss(), seconds: (performance.now() - t) / 1000, frames }) + '\n');

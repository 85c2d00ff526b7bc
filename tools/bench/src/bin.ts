#!/usr/bin/env node
// `npm run bench -- [options]`: measures this machine (docs/benchmark.md).
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { benchCommand, benchOptions } from './command.js';

const args = await benchOptions(yargs(hideBin(process.argv)))
  .scriptName('npm run bench --')
  .usage('$0 [options]\n\nMeasure this machine: roofline, network speed, end to end, memory.')
  .strict()
  .version(false)
  .help()
  .wrap(Math.min(110, process.stdout.columns ?? 100))
  .parseAsync();
try {
  process.exitCode = await benchCommand(args);
} catch (err) {
  process.stderr.write(`bench: ${(err as Error).message}\n`);
  process.exitCode = 2;
}

#!/usr/bin/env node
// Scores a model or a folder of ANIMATION.json on a lip-sync corpus (docs/lipsync-eval.md#the-runner).
// Runs the built package (npm run build first): node tools/lipsync/evaluate.mjs --help
import { main } from './dist/cli.js';

process.exitCode = await main(process.argv.slice(2));

// node tools/lipsync/evaluate.mjs: scores a model (or a folder of ANIMATION.json) on a corpus and its
// degraded copies and prints the issue's table and every sentence (docs/lipsync-eval.md#the-runner).
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { A2fError } from '@a2f/base';
import { channelSeries, readAnimation, type Animation } from './anim.js';
import { buildCorpus, type Corpus } from './corpora.js';
import { DEGRADATIONS, isDegradation, type Degradation } from './degrade.js';
import { checksFor, failures } from './expectations.js';
import { openModel } from './run-model.js';
import { detailTable, scoreCorpus, summaryTable, type SetReport } from './score.js';

const USAGE = `usage: node tools/lipsync/evaluate.mjs [--model default|PACK_DIR|ANIM_DIR] [--set dev|heldout|foreign|FILE.tsv]
         [--degrade noise10,music,loud,quiet,phone8k,breaths|all] [--json OUT.json] [--write-anims DIR]
  --model        a pack name or folder (run as a2f run runs it), or a folder of ANIMATION.json (or a2f_export) files
                 named <id>.json or <id>.a2f.json (degraded variants: <folder>/<variant>/<id>.json); default: default
  --set          a corpus of tools/lipsync/corpora or a TSV file of your own (id, voice, wpm, text); default: dev
  --degrade      also score degraded copies (comma-separated, or all)
  --json         write every score as JSON
  --write-anims  save the model's animations as <dir>/<variant>/<id>.json (the judge reads them)`;

const OPTIONS = {
  model: { type: 'string', default: 'default' },
  set: { type: 'string', default: 'dev' },
  degrade: { type: 'string' },
  json: { type: 'string' },
  'write-anims': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;
type Args = ReturnType<typeof parseArgs<{ options: typeof OPTIONS }>>['values'];

export async function main(argv: string[]): Promise<number> {
  let args: Args;
  try {
    args = parseArgs({ args: argv, options: OPTIONS }).values;
  } catch (err) {
    console.error(`${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  if (args.help) {
    console.log(USAGE);
    return 0;
  }
  const wanted = args.degrade === 'all' ? [...DEGRADATIONS] : (args.degrade?.split(',').filter(Boolean) ?? []);
  const bad = wanted.filter((d) => !isDegradation(d));
  if (bad.length) {
    console.error(`--degrade: ${bad.join(', ')} is not a degradation (use ${DEGRADATIONS.join(', ')} or all)`);
    return 2;
  }
  const variants: (Degradation | undefined)[] = [undefined, ...(wanted as Degradation[])];
  const model = args.model!;
  const animDir = isAnimationFolder(model) ? path.resolve(model) : undefined;
  const runner = animDir ? undefined : await openModel(model);
  const source = animDir ? path.basename(animDir) : model;
  const reports: SetReport[] = [];
  try {
    for (const v of variants) {
      const corpus = await buildCorpus(args.set!, v ? { degrade: v } : {});
      const anims = new Map<string, Animation>();
      for (const item of corpus.items) {
        const anim = runner ? await runner.animate(item.wav) : readScorable(animationFile(animDir!, corpus, item.id));
        anims.set(item.id, anim);
        if (args['write-anims']) {
          const dir = path.join(args['write-anims'], corpus.variant);
          mkdirSync(dir, { recursive: true });
          writeFileSync(path.join(dir, `${item.id}.json`), JSON.stringify(anim) + '\n');
        }
      }
      reports.push(scoreCorpus(corpus, anims, source));
    }
  } finally {
    await runner?.close();
  }
  console.log(summaryTable(reports));
  for (const r of reports) console.log(`\n### ${r.set}${r.variant === 'clean' ? '' : ` + ${r.variant}`}\n\n${detailTable(r)}`);
  const failed = reports.flatMap((r) => failures(checksFor(r)));
  const total = reports.reduce((n, r) => n + checksFor(r).length, 0);
  console.log(`\n### The tests' expectations (docs/lipsync-eval.md)\n\n${total - failed.length}/${total} met`);
  for (const f of failed) console.log(`- ${f}`);
  if (args.json) writeFileSync(args.json, JSON.stringify(reports, null, 1) + '\n');
  return 0;
}

/** An animation file the metrics can read: they need jawOpen, so a file without it is named here. */
function readScorable(file: string): Animation {
  const anim = readAnimation(file);
  if (!channelSeries(anim).has('jawopen')) {
    throw new A2fError(
      'ANIMATION',
      file,
      `has no jawOpen channel among its ${anim.names.length} (names are matched ignoring case, separators and a namespace prefix)`,
      'Export the ARKit blendshape weights, jawOpen among them.',
    );
  }
  return anim;
}

/** A folder without pack.json or NVIDIA's model.json, holding JSON files: animations to score. */
function isAnimationFolder(model: string): boolean {
  if (!existsSync(model) || !statSync(model).isDirectory()) return false;
  if (existsSync(path.join(model, 'pack.json')) || existsSync(path.join(model, 'model.json'))) return false;
  return readdirSync(model).some((f) => f.endsWith('.json') || statSync(path.join(model, f)).isDirectory());
}

/** `<id>.json`, or `<id>.a2f.json` as `a2f run --export-json` names it; in `<dir>/<variant>/`, or in `<dir>` for clean lines. */
function animationFile(dir: string, corpus: Corpus, id: string): string {
  const folders = corpus.variant === 'clean' ? [path.join(dir, 'clean'), dir] : [path.join(dir, corpus.variant)];
  const candidates = folders.flatMap((d) => [path.join(d, `${id}.json`), path.join(d, `${id}.a2f.json`)]);
  return candidates.find((f) => existsSync(f)) ?? candidates[0]!;
}

import { readFileSync } from 'node:fs';
import { loadModelPack, modelChannels } from '@a2f/pipeline';
import { JobError, loadPreset, resolveSettings, type JobSettingsInput } from '@a2f/pipeline';
import { bindChannels, inspectCharacter } from '@a2f/usd';

/** Shows what a character offers and how our channels would bind to it, before any audio runs. */
export async function inspectAsset(file: string, presetName: string, json: boolean, opts: Partial<JobSettingsInput> = {}): Promise<number> {
  const character = inspectCharacter(readAsset(file), file);
  const preset = loadPreset(presetName);
  // The model's own channels, bound with the run's code and controls: inspect and a run agree.
  const settings = resolveSettings({ ...opts, character: file, outDir: '.' });
  const model = settings.model;
  const names = modelChannels(await loadModelPack(model));
  const report = bindChannels(names, character, preset, {
    jaw: settings.jaw,
    ...(settings.channels || settings.excludeChannels
      ? {
          channels: {
            ...(settings.channels ? { include: settings.channels } : {}),
            ...(settings.excludeChannels ? { exclude: settings.excludeChannels } : {}),
          },
        }
      : {}),
  });
  if (json) {
    process.stdout.write(JSON.stringify({ ok: true, character, model, channels: names, binding: report }, null, 2) + '\n');
    return 0;
  }
  const { blendShapes, joints } = report;
  const out = [
    file,
    `  SkelRoot   ${character.skelRoot.path}`,
    `  Skeleton   ${character.skeleton.path}: ${character.skeleton.joints.join(', ')}`,
    `  meshes     ${character.meshes.map((m) => `${m.path} (${m.blendShapes.length} blendshapes)`).join(', ') || 'none'}`,
    `  upAxis ${character.upAxis}, metersPerUnit ${character.metersPerUnit}`,
    `binding the channels of model "${model}" with preset "${preset.name}":`,
    `  blendshapes bound ${blendShapes.matches.length} of the model's ${names.blendShapes.length}`,
    `  joints: ${joints.matches.map((m) => `${m.source} → ${m.target}`).join(', ') || 'none'}`,
    `  jaw: ${report.jaw.mode}${report.jaw.requested === 'auto' ? ' (auto)' : ''}: ${report.jaw.reason}`,
  ];
  if (report.dropped.length) out.push(`  left out: ${report.dropped.map((d) => `${d.channel} (${d.why})`).join(', ')}`);
  if (blendShapes.unmatchedSource.length) out.push(`  our blendshapes with no target: ${blendShapes.unmatchedSource.join(', ')}`);
  if (joints.unmatchedSource.length) out.push(`  our joints with no target: ${joints.unmatchedSource.join(', ')}`);
  if (blendShapes.unmatchedTarget.length) out.push(`  asset blendshapes nothing drives: ${blendShapes.unmatchedTarget.join(', ')}`);
  if (joints.unmatchedTarget.length) out.push(`  asset joints nothing drives: ${joints.unmatchedTarget.join(', ')}`);
  for (const note of [...character.notes, ...report.notes]) out.push(`  note: ${note}`);
  process.stdout.write(out.join('\n') + '\n');
  return 0;
}

function readAsset(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new JobError(
      'CHARACTER_NOT_FOUND',
      file,
      code === 'EISDIR' ? 'is a folder, not a .usda layer' : `cannot be read (${code ?? 'error'})`,
      'Pass the path of a character asset (.usda) with a SkelRoot, Skeleton and blendshapes.',
    );
  }
}

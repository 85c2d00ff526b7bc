import { inspectBinding, type JobSettingsInput } from '@a2f/pipeline';

/** Prints what a character offers and how our channels would bind to it, before any audio runs. */
export async function inspectAsset(file: string, presetName: string, json: boolean, opts: Partial<JobSettingsInput> = {}): Promise<number> {
  const { character, model, preset, channels: names, binding: report } = await inspectBinding(file, presetName, opts);
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

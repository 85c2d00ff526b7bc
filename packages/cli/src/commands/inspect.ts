import { readFileSync } from 'node:fs';
import { ARKIT_BLENDSHAPES, JOINT_CHANNELS, TONGUE_BLENDSHAPES, createFaceAnimation, parseFps } from '@a2f/animation';
import { JobError, loadPreset, TOOL } from '@a2f/pipeline';
import { bindAnimation, inspectCharacter } from '@a2f/usd';

/** Shows what a character offers and how our channels would bind to it, before any audio runs. */
export function inspectAsset(file: string, presetName: string, json: boolean): number {
  const character = inspectCharacter(readAsset(file), file);
  const preset = loadPreset(presetName);
  // An empty animation with every channel we can produce: the binding is exactly what a run would do.
  const probe = createFaceAnimation({
    fps: parseFps(30), frameCount: 0, channels: [...ARKIT_BLENDSHAPES, ...TONGUE_BLENDSHAPES], joints: [...JOINT_CHANNELS],
    provenance: { tool: TOOL, model: { id: 'inspect', kind: 'inspect' }, parameters: {} },
  });
  const { report } = bindAnimation(probe, character, preset);
  if (json) {
    process.stdout.write(JSON.stringify({ ok: true, character, binding: report }, null, 2) + '\n');
    return 0;
  }
  const { blendShapes, joints } = report;
  const out = [
    file,
    `  SkelRoot   ${character.skelRoot.path}`,
    `  Skeleton   ${character.skeleton.path}: ${character.skeleton.joints.join(', ')}`,
    `  meshes     ${character.meshes.map((m) => `${m.path} (${m.blendShapes.length} blendshapes)`).join(', ') || 'none'}`,
    `  upAxis ${character.upAxis}, metersPerUnit ${character.metersPerUnit}`,
    `binding with preset "${preset.name}":`,
    `  blendshapes bound ${blendShapes.matches.length} of our ${probe.channels.length}`,
    `  joints: ${joints.matches.map((m) => `${m.source} → ${m.target}`).join(', ') || 'none'}`,
  ];
  if (blendShapes.unmatchedSource.length) out.push(`  our blendshapes with no target: ${blendShapes.unmatchedSource.join(', ')}`);
  if (joints.unmatchedSource.length) out.push(`  our joints with no target: ${joints.unmatchedSource.join(', ')}`);
  if (blendShapes.unmatchedTarget.length) out.push(`  asset blendshapes nothing drives: ${blendShapes.unmatchedTarget.join(', ')}`);
  for (const note of [...character.notes, ...report.notes]) out.push(`  note: ${note}`);
  process.stdout.write(out.join('\n') + '\n');
  return 0;
}

function readAsset(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new JobError('CHARACTER_NOT_FOUND', file, code === 'EISDIR' ? 'is a folder, not a .usda layer' : `cannot be read (${code ?? 'error'})`,
      'Pass the path of a character asset (.usda) with a SkelRoot, Skeleton and blendshapes.');
  }
}

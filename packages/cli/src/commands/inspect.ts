import { inspectBinding, type JobSettingsInput } from '@a2f/pipeline';
import type { UsdaOrigin } from '@a2f/usd';
import { shownPath } from '../shown-path.js';

/** Where a part came from on the composed stage: its layer, and the spec path there when it differs. */
const from = (origin: UsdaOrigin, composedPath: string): string =>
  `  (from ${shownPath(origin.layer)}${origin.path === composedPath ? '' : ` <${origin.path}>`})`;

/** Prints what a character offers and how our channels would bind to it, before any audio runs. */
export async function inspectAsset(file: string, presetName: string, json: boolean, opts: Partial<JobSettingsInput> = {}): Promise<number> {
  const { character, model, preset, channels: names, binding: report } = await inspectBinding(file, presetName, opts);
  if (json) {
    process.stdout.write(JSON.stringify({ ok: true, character, model, channels: names, binding: report }, null, 2) + '\n');
    return 0;
  }
  const { blendShapes, joints } = report;
  const { skelRoot, skeleton } = character;
  const meshes = character.meshes.map((m) => `${m.path} (${m.blendShapes.length} blendshapes)${from(m.origin, m.path)}`).join(', ');
  const out = [file];
  // A composed asset: the layers USD read to make it.
  if (character.layers.length > 1) out.push(`  layers     ${character.layers.map((l) => shownPath(l)).join(', ')}`);
  if (character.variants.length) {
    const selection = (v: (typeof character.variants)[number]) => `${v.path} ${v.set} = ${v.selection}${v.requested ? ' (--variant)' : ''}`;
    out.push(`  variants   ${character.variants.map(selection).join(', ')}`);
  }
  out.push(
    `  SkelRoot   ${skelRoot.path}${from(skelRoot.origin, skelRoot.path)}`,
    `  Skeleton   ${skeleton.path}: ${skeleton.joints.join(', ')}${from(skeleton.origin, skeleton.path)}`,
    `  meshes     ${meshes || 'none'}`,
  );
  const others = character.candidates.filter((c) => c.path !== skeleton.path);
  if (others.length) {
    const other = (c: (typeof others)[number]) =>
      `${c.path} in ${c.skelRoot} (${c.blendShapes.length} blendshapes${c.instancedBy ? `, instanced by ${c.instancedBy}` : ''})`;
    out.push(`  other rigs ${others.map(other).join(', ')}; --skeleton or --skel-root picks one`);
  }
  out.push(
    `  upAxis ${character.upAxis}, metersPerUnit ${character.metersPerUnit}`,
    `binding the channels of model "${model}" with preset "${preset.name}":`,
    `  blendshapes bound ${blendShapes.matches.length} of the model's ${names.blendShapes.length}`,
    `  joints: ${joints.matches.map((m) => `${m.source} → ${m.target}`).join(', ') || 'none'}`,
    `  jaw: ${report.jaw.mode}${report.jaw.requested === 'auto' ? ' (auto)' : ''}: ${report.jaw.reason}`,
  );
  if (report.dropped.length) out.push(`  left out: ${report.dropped.map((d) => `${d.channel} (${d.why})`).join(', ')}`);
  if (blendShapes.unmatchedSource.length) out.push(`  our blendshapes with no target: ${blendShapes.unmatchedSource.join(', ')}`);
  if (joints.unmatchedSource.length) out.push(`  our joints with no target: ${joints.unmatchedSource.join(', ')}`);
  if (blendShapes.unmatchedTarget.length) out.push(`  asset blendshapes nothing drives: ${blendShapes.unmatchedTarget.join(', ')}`);
  if (joints.unmatchedTarget.length) out.push(`  asset joints nothing drives: ${joints.unmatchedTarget.join(', ')}`);
  // The binding's notes start with the character's own; print each once.
  for (const note of new Set([...character.notes, ...report.notes])) out.push(`  note: ${note}`);
  process.stdout.write(out.join('\n') + '\n');
  return 0;
}

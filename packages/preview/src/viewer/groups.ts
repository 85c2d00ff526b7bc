// Which group a channel belongs to in the curves and the mouth region: by the name of the
// blendshape channel (ARKit-style prefixes) or the last segment of a joint's path.

export type ChannelGroup = 'jaw/mouth' | 'eyes/brows' | 'tongue' | 'other';

export const GROUPS: readonly ChannelGroup[] = ['jaw/mouth', 'eyes/brows', 'tongue', 'other'];

/** A joint token's own name: "root/head/jaw" → "jaw". */
export function leaf(token: string): string {
  return token.slice(token.lastIndexOf('/') + 1);
}

export function groupOf(name: string, kind: 'blendShape' | 'joint'): ChannelGroup {
  const n = (kind === 'joint' ? leaf(name) : name).toLowerCase();
  // Tongue first: a tongue joint sits under the jaw, and "tongue" names never mean the mouth corners.
  if (n.startsWith('tongue')) return 'tongue';
  if (n.startsWith('jaw') || n.startsWith('mouth') || n.startsWith('lip') || n === 'chin') return 'jaw/mouth';
  if (n.startsWith('eye') || n.startsWith('brow') || n.startsWith('lid')) return 'eyes/brows';
  return 'other';
}

/**
 * Pose pairs for the cancel and symmetry terms, exactly as the SDK's `getPairs` builds them
 * (blendshape_solver_base.cpp, `Prepare`; docs/nvidia/solver.md#bvls-and-pairs).
 */

/** A pair of indices in *active-pose* space, first < second. */
export type PosePair = readonly [number, number];

/**
 * Takes the per-pose ids of the active poses only, groups active indices by id and keeps the groups
 * of exactly two. Unlike the config validator, `getPairs` does not skip id −1: if exactly two active
 * poses carry −1 they form a pair too (faithful to the SDK). Order of pairs follows first
 * appearance (the SDK iterates an unordered_map; the order changes nothing since pairs are disjoint).
 */
export function getPairs(ids: readonly number[], active: readonly number[]): PosePair[] {
  const groups = new Map<number, number[]>();
  let activeIndex = 0;
  for (let i = 0; i < active.length; i++) {
    if (!active[i]) continue;
    const id = ids[i];
    const group = groups.get(id);
    if (group) group.push(activeIndex);
    else groups.set(id, [activeIndex]);
    activeIndex++;
  }
  const pairs: PosePair[] = [];
  for (const group of groups.values()) if (group.length === 2) pairs.push([group[0], group[1]]);
  return pairs;
}

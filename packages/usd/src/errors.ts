import { A2fError } from '@a2f/base';

/**
 * What a .usda layer or character can be wrong in: its text (USDA_SYNTAX), its format (NOT_USDA:
 * binary, a package, no header) or the skeleton a character needs (BAD_CHARACTER).
 */
export type UsdErrorCode =
  | 'USDA_SYNTAX'
  | 'NOT_USDA'
  | 'BAD_CHARACTER'
  // Binary layers (crate/, layer-file.ts): a crate version we do not read, a crate file cut short
  // or corrupt, a .usdz that is not a zip USD can read (compressed or unaligned entries).
  | 'CRATE_VERSION'
  | 'CRATE_TRUNCATED'
  | 'USDZ_BAD'
  // Composition (stage.ts): a file an arc names is missing, sublayers loop, a variant does not
  // exist, a reference names no prim (no prim path and no defaultPrim).
  | 'ASSET_NOT_FOUND'
  | 'SUBLAYER_CYCLE'
  | 'VARIANT_UNKNOWN'
  | 'BAD_REFERENCE'
  // The character (inspect.ts): no Skeleton reachable, a --skel-root/--skeleton that is not there,
  // a skinned mesh inside an instance (it cannot be animated per instance).
  | 'NO_SKELETON'
  | 'SKELETON_UNKNOWN'
  | 'INSTANCED_SKIN';

/** An error in a USD layer a user gave us; `file` is `<layer>:<line>` where the line is known. */
export class UsdError extends A2fError<UsdErrorCode> {}

/** The .usda text does not parse; `path` and `line` say where (`file` is both, as compilers write it). */
export class UsdaSyntaxError extends UsdError {
  constructor(
    readonly path: string,
    readonly line: number,
    problem: string,
  ) {
    super('USDA_SYNTAX', `${path}:${line}`, problem, 'Correct the .usda text at that line, or export the layer again from the DCC.');
  }
}

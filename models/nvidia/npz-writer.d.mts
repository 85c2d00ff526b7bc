export type NpyData = Float32Array | Float64Array | Int32Array | BigInt64Array | Uint8Array | string[];
export interface NpySpec {
  data: NpyData;
  shape: readonly number[];
  /** default: from the data type ('<U<n>' for strings) */
  descr?: string;
  fortranOrder?: boolean;
}
export declare function npyBytes(array: NpySpec): Uint8Array;
export declare function zipBytes(entries: readonly { name: string; bytes: Uint8Array; deflate?: boolean }[]): Buffer;
export declare function writeNpz(file: string, arrays: Record<string, NpySpec>, opts?: { deflate?: boolean | Set<string> }): number;

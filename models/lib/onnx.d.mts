export declare const DataType: Readonly<{ FLOAT: 1; UINT8: 2; INT8: 3; INT32: 6; INT64: 7; STRING: 8; BOOL: 9; DOUBLE: 11 }>;
export type TensorData = Float32Array | Float64Array | Int32Array | BigInt64Array | Uint8Array;
export type Dim = number | string;
export type AttrValue = number | string | number[] | string[] | { __float: number } | { tensor: TensorData; dims: number[]; name?: string };
export declare function float(v: number): { __float: number };
export declare class GraphBuilder {
  constructor(name: string);
  fresh(stem: string): string;
  input(name: string, dims: Dim[], elemType?: number): string;
  output(name: string, dims: Dim[], elemType?: number): string;
  init(name: string, dims: number[], data: TensorData): string;
  const(stem: string, dims: number[], data: TensorData): string;
  ints(stem: string, values: number[]): string;
  scalar(stem: string, v: number): string;
  // biome-ignore lint/suspicious/noExplicitAny: a node returns one name or a list, by `outputs`; callers know which
  node(opType: string, inputs: string[], outputs?: number | string | string[], attrs?: Record<string, AttrValue>): any;
  toBytes(opts?: {
    opset?: number;
    irVersion?: number;
    producer?: string;
    producerVersion?: string;
    docString?: string;
    metadata?: Record<string, string | number>;
  }): Uint8Array;
}

// Loads our .proto files (packages/serve/proto, written from NVIDIA's public definitions:
// docs/serve/protocol.md) at run time with @grpc/proto-loader, so the package ships no generated code.
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

/** The folder holding the .proto files; clients in other languages generate their stubs from it. */
export const PROTO_DIR = fileURLToPath(new URL('../proto/', import.meta.url));

export const CONTROLLER_SERVICE = 'nvidia_ace.services.a2f_controller.v1.A2FControllerService';
export const HEALTH_SERVICE = 'grpc.health.v1.Health';
/** The type URL of the emotion data each frame carries in `metadata["emotion_aggregate"]`. */
export const EMOTION_AGGREGATE_TYPE = 'type.googleapis.com/nvidia_ace.emotion_aggregate.v1.EmotionAggregate';

const FILES = ['nvidia_ace.services.a2f_controller.v1.proto', 'grpc.health.v1.proto', 'nvidia_ace.emotion_aggregate.v1.proto'];

export interface Protocol {
  readonly controller: grpc.ServiceClientConstructor;
  readonly health: grpc.ServiceClientConstructor;
}

/**
 * The two services as grpc-js constructors. Field names stay snake_case as in the .proto files,
 * enums are their names, a oneof's case is in `stream_part`. With `json`, a google.protobuf.Any
 * arrives decoded (`{ '@type': …, …fields }`): what a client wants; the server reads raw values.
 */
export function loadProtocol(opts: { json?: boolean } = {}): Protocol {
  const def = protoLoader.loadSync(FILES, {
    includeDirs: [PROTO_DIR],
    keepCase: true,
    longs: String,
    enums: String,
    defaults: false,
    oneofs: true,
    json: opts.json ?? false,
  });
  const pkg = grpc.loadPackageDefinition(def);
  return { controller: lookup(pkg, CONTROLLER_SERVICE), health: lookup(pkg, HEALTH_SERVICE) };
}

function lookup(pkg: grpc.GrpcObject, name: string): grpc.ServiceClientConstructor {
  let node: unknown = pkg;
  for (const part of name.split('.')) node = (node as Record<string, unknown>)[part];
  return node as grpc.ServiceClientConstructor;
}

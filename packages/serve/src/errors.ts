import { status } from '@grpc/grpc-js';
import { A2fError } from '@a2f/base';

/**
 * A stream refused or ended early: the gRPC status code the client gets and a message that says
 * what was wrong with which message field, and what to send instead (docs/serve/protocol.md#errors).
 */
export class StreamError extends Error {
  constructor(
    readonly code: status,
    message: string,
  ) {
    super(message);
    this.name = 'StreamError';
  }
}

/** The server cannot start: a bad flag, a certificate that does not read, a port in use. */
export class ServeError extends A2fError<'BAD_OPTION' | 'TLS' | 'LISTEN'> {}

export { status as GrpcStatus };

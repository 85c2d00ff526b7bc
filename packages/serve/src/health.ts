import { status, type sendUnaryData, type ServerUnaryCall, type UntypedServiceImplementation } from '@grpc/grpc-js';
import { CONTROLLER_SERVICE } from './proto-load.js';

/**
 * grpc.health.v1.Health/Check, which NVIDIA's sample client and Maya-ACE call before streaming:
 * SERVING for the server as a whole ("") and for the controller service; any other name is
 * NOT_FOUND, as the health protocol says. Watch is left unimplemented (UNIMPLEMENTED).
 */
export function healthService(serving: () => boolean): UntypedServiceImplementation {
  return {
    Check(call: ServerUnaryCall<{ service?: string }, unknown>, done: sendUnaryData<unknown>) {
      const name = call.request.service ?? '';
      if (name !== '' && name !== CONTROLLER_SERVICE) {
        done({ code: status.NOT_FOUND, details: `no service "${name}" here; ask for "" or "${CONTROLLER_SERVICE}"` });
        return;
      }
      done(null, { status: serving() ? 'SERVING' : 'NOT_SERVING' });
    },
  };
}

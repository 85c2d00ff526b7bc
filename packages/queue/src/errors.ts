import { A2fError } from '@a2f/base';

/** A queue error a user can act on: what, with which file or URL, and the fix. */
export class QueueError extends A2fError {}

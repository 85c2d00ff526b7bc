/**
 * What the watcher reports, one object per event. The CLI prints them for people, or as JSON lines
 * (`--log-json`) for log collectors; tests read the JSON lines. Every event has `ev` and `level`;
 * events about an inbox file have `path` (relative to the inbox, forward slashes).
 */
export type WatchEventName =
  | 'start'
  | 'journal'
  | 'ready'
  | 'seen'
  | 'processing'
  | 'progress'
  | 'done'
  | 'failed'
  | 'retry'
  | 'duplicate'
  | 'dispatched'
  | 'unchanged'
  | 'busy'
  | 'takeover'
  | 'interrupted'
  | 'gone'
  | 'cleanup'
  | 'lock-lost'
  | 'warning'
  | 'error'
  | 'stopping'
  | 'stopped';

export interface WatchEvent {
  readonly ev: WatchEventName;
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  readonly path?: string;
  readonly message?: string;
  readonly [field: string]: unknown;
}

export type EventSink = (e: WatchEvent) => void;

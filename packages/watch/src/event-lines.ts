import type { WatchEvent } from './events.js';

/**
 * One human line (or two, for a failure's fix) for a watcher event, as `a2f watch` prints them on
 * stderr; null for events that only go to the JSON log. Exported so other front ends print the same.
 */
export function formatWatchEvent(e: WatchEvent): string | null {
  const p = e.path ?? '';
  switch (e.ev) {
    case 'start':
      return `a2f watch: watching ${String(e.inbox)} → ${String(e.out)} as "${String(e.instance)}" (state ${String(e.state)})`;
    case 'journal': {
      const bad = (e.badLines as number[]).length;
      if (!e.tornTail && !bad && !e.inFlight) return null;
      const torn = e.tornTail ? ', a torn last record dropped' : '';
      const skipped = bad ? `, ${bad} unreadable records skipped` : '';
      const inFlight = `${String(e.inFlight)} in flight when the last run ended`;
      return `a2f watch: journal replayed (${String(e.entries)} files, ${inFlight}${torn}${skipped})`;
    }
    case 'ready':
      return 'a2f watch: initial scan done; waiting for files';
    case 'done':
      return `ok      ${p} → ${(e.outputs as string[]).filter((f) => f.endsWith('.usda')).join(', ')} (${String(e.ms)} ms)`;
    case 'failed': {
      const fix = e.fix && !String(e.message).includes(String(e.fix)) ? `\n        fix: ${String(e.fix)}` : '';
      return `FAIL    ${p}: [${String(e.code)}] ${String(e.message)}${fix}\n        see ${String(e.errorFile)}`;
    }
    case 'retry': {
      const when = e.delayMs !== undefined ? ` (attempt ${String(e.attempt)}, again in ${Math.round(Number(e.delayMs) / 100) / 10} s)` : '';
      return `retry   ${p}: ${String(e.message)}${when}`;
    }
    case 'duplicate':
      return `dup     ${p}: same audio and settings as ${String(e.of)}; not computed again (${String(e.note)})`;
    case 'dispatched':
      return `queued  ${p}: job ${String(e.id)}${e.added ? '' : ' (already in the queue)'}`;
    case 'busy':
      return `busy    ${p}: another watcher is on it${e.holder ? ` (${JSON.stringify(e.holder)})` : ''}`;
    case 'takeover':
      return `resume  ${p}: took over from a dead watcher (${JSON.stringify(e.from)})`;
    case 'interrupted':
      return `resume  ${p}: was in flight when the ${e.reason === 'crash' ? 'last run died' : 'watcher stopped'}; redoing it`;
    case 'lock-lost':
      return `WARN    ${p}: lock lost (${String(e.reason)})`;
    case 'warning':
      return `WARN    ${String(e.message)}`;
    case 'error':
      return `ERROR   ${p ? `${p}: ` : ''}${String(e.message)}`;
    case 'stopping':
      return `a2f watch: stopping (${String(e.reason)}; ${String(e.inFlight)} line(s) in hand${e.checkpoint ? ', checkpointing' : ''})`;
    case 'stopped':
      return `a2f watch: stopped (${JSON.stringify(e.counts)})`;
    default:
      return null;
  }
}

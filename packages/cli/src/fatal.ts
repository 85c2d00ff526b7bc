/**
 * A command that cannot start (bad option, bad setting, bad output folder) ends with exit 2 and
 * one message: human text on stderr, and with --json also one JSON document on stdout, so a
 * script reading stdout always gets `{ ok, … }`, never nothing.
 */

/** Bad usage: a missing or unknown option, a wrong value. */
export class UsageError extends Error {
  readonly code = 'USAGE';
}

export interface FatalError {
  readonly code: string;
  readonly message: string;
  readonly fix: string;
}

/** The error as { code, message, fix }: the message without the fix a JobError appends to it. */
export function fatalError(err: unknown, command = ''): FatalError {
  const e = (err instanceof Error ? err : new Error(String(err))) as Error & {
    code?: unknown;
    fix?: unknown;
    file?: unknown;
    problem?: unknown;
  };
  const given = typeof e.fix === 'string' && e.fix ? e.fix : undefined;
  const message =
    typeof e.file === 'string' && typeof e.problem === 'string'
      ? `${e.file}: ${e.problem}`
      : given && e.message.endsWith(given)
        ? e.message.slice(0, -given.length).replace(/[\s.]+$/, '')
        : e.message;
  const help = `Run "a2f ${command ? `${command} ` : ''}--help" for usage.`;
  return {
    code: typeof e.code === 'string' ? e.code : err instanceof UsageError ? 'USAGE' : e.name || 'ERROR',
    message,
    fix: given ?? help,
  };
}

/** Prints a fatal error (stderr; stdout too with json) and returns exit code 2. */
export function printFatal(err: unknown, json: boolean, command = ''): number {
  const f = fatalError(err, command);
  process.stderr.write(`a2f${command ? ` ${command}` : ''}: ${f.message}${f.message.endsWith('.') ? '' : '.'} ${f.fix}\n`);
  if (json) process.stdout.write(JSON.stringify({ ok: false, error: f }, null, 2) + '\n');
  return 2;
}

/** Whether the command line asks for JSON, read from argv itself so it holds when parsing fails. */
export function wantsJson(argv: readonly string[]): boolean {
  let json = false;
  for (const arg of argv) {
    if (arg === '--') break;
    if (arg === '--json' || arg === '--json=true') json = true;
    if (arg === '--no-json' || arg === '--json=false') json = false;
  }
  return json;
}

/**
 * A command that cannot start (bad option, bad setting, bad output folder) ends with exit 2 and
 * one message: human text on stderr, and with --json also one JSON document on stdout, so a
 * script reading stdout always gets `{ ok, … }`, never nothing.
 */
import { A2fError } from '@a2f/base';

const usageFix = (command: string): string => `Run "a2f ${command ? `${command} ` : ''}--help" for usage.`;

/**
 * Bad usage: a missing or unknown option, a wrong value. The command line is what to correct, so
 * it stands as the file (`a2f run`); printed, the command already leads the line, so only the
 * problem and the command's help follow it.
 */
export class UsageError extends A2fError<'USAGE'> {
  constructor(problem: string, command = '') {
    super('USAGE', `a2f${command ? ` ${command}` : ''}`, problem, usageFix(command));
  }
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
  if (err instanceof UsageError) return { code: err.code, message: err.problem, fix: usageFix(command) };
  const given = typeof e.fix === 'string' && e.fix ? e.fix : undefined;
  const message =
    typeof e.file === 'string' && typeof e.problem === 'string'
      ? `${e.file}: ${e.problem}`
      : given && e.message.endsWith(given)
        ? e.message.slice(0, -given.length).replace(/[\s.]+$/, '')
        : e.message;
  return {
    code: typeof e.code === 'string' ? e.code : e.name || 'ERROR',
    message,
    fix: given ?? usageFix(command),
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

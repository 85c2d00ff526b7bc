import path from 'node:path';

/** A path as people read it in our messages: relative when it is under the working folder, else absolute. */
export function shownPath(file: string, cwd: string = process.cwd()): string {
  const rel = path.relative(cwd, file);
  if (rel === '') return '.';
  return rel === '..' || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel) ? path.resolve(file) : rel;
}

/**
 * `npx a2f watch` and `npm run a2f -- watch` run us under npm → sh; a SIGTERM to npm ends npm and
 * the shell but never reaches us, which left watchers running as orphans (docs/install.md). Under
 * npm only (npm_command is set), a change of parent means whoever started us is gone: treat it as
 * the signal it stands for. Started directly (systemd, nohup, a shell's `&`), nothing changes.
 */
export function onNpmParentGone(stop: () => void, env: NodeJS.ProcessEnv = process.env, intervalMs = 500): () => void {
  if (!env.npm_command) return () => {};
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(timer);
    stop();
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}

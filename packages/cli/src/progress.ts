/**
 * A one-line progress bar on a TTY; silent elsewhere (CI logs and pipes get the per-line summary
 * lines instead of carriage-return noise).
 */
export class ProgressBar {
  private last = '';
  constructor(
    private readonly stream: NodeJS.WriteStream = process.stderr,
    private readonly enabled = Boolean(stream.isTTY),
  ) {}

  update(label: string, done: number, total: number): void {
    if (!this.enabled) return;
    const width = 24;
    const frac = total > 0 ? Math.min(1, done / total) : 0;
    const fill = Math.round(frac * width);
    const cols = this.stream.columns ?? 80;
    const text = `${'█'.repeat(fill)}${'░'.repeat(width - fill)} ${String(Math.round(frac * 100)).padStart(3)}% ${label}`;
    const line = text.length > cols - 1 ? text.slice(0, cols - 1) : text;
    if (line === this.last) return;
    this.last = line;
    this.stream.write(`\r\x1b[2K${line}`);
  }

  clear(): void {
    if (this.enabled && this.last) this.stream.write('\r\x1b[2K');
    this.last = '';
  }
}

import type { Logger } from '../log';

/**
 * A warning that may happen thousands of times a second (refused connections under a flood): the first
 * is logged at once, then at most one line per interval, saying how many were not logged one by one.
 */
export class ThrottledWarning {
  private last = -Infinity;
  private suppressed = 0;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly log: Logger,
    private readonly event: string,
    private readonly intervalMs = 10_000,
  ) {}

  note(fields: Record<string, unknown>) {
    const now = Date.now();
    if (now - this.last >= this.intervalMs) {
      this.last = now;
      this.log.warn(this.event, fields);
      return;
    }
    this.suppressed++;
    this.timer ??= setTimeout(() => this.flush(fields), this.intervalMs - (now - this.last)).unref();
  }

  private flush(fields: Record<string, unknown>) {
    this.timer = undefined;
    if (this.suppressed === 0) return;
    this.last = Date.now();
    this.log.warn(this.event, { ...fields, more: this.suppressed, seconds: this.intervalMs / 1000 });
    this.suppressed = 0;
  }
}

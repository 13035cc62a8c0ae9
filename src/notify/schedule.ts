import type { Logger } from '../log';

/** The next time the local clock shows `hour`:00 (today if still ahead, else tomorrow). */
export function nextRun(hour: number, now = new Date()): Date {
  const next = new Date(now);
  next.setHours(hour, 0, 0, 0);
  if (next.getTime() <= now.getTime()) next.setDate(next.getDate() + 1);
  return next;
}

/** Runs a job every day at `hour`:00; a failure is logged and the next day comes anyway. Returns a stop. */
export function scheduleDaily(hour: number, job: () => Promise<void>, log: Logger): () => void {
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    const at = nextRun(hour);
    log.info('password expiry reminders scheduled', { at: at.toISOString() });
    timer = setTimeout(() => {
      job()
        .catch((err: unknown) => log.error('password expiry reminders failed', { error: String(err) }))
        .finally(arm);
    }, at.getTime() - Date.now());
    timer.unref();
  };
  arm();
  return () => clearTimeout(timer);
}

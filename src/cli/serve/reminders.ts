import type { Config } from '../../config';
import type { Directory } from '../../directory/directory';
import type { Logger } from '../../log';
import { smtpSender } from '../../notify/mailer';
import { runReminders } from '../../notify/reminders';
import { scheduleDaily } from '../../notify/schedule';
import { openDirectory } from '../../runtime';

/**
 * The daily reminder job, when a mail server is configured: in one process only (the primary, or the
 * only one). It reads notify.* from `config` at each run; restart() schedules it anew after a reload.
 */
export class Reminders {
  private stop?: () => void;

  constructor(
    private readonly data: string,
    private readonly config: Config,
    private readonly log: Logger,
    private readonly directory?: Directory,
  ) {}

  start(): void {
    const { config, log } = this;
    if (!config.notify.enabled) return;
    if (!config.notify.smtp.host) {
      log.info('password expiry reminders are off: notify.smtp.host is not set');
      return;
    }
    this.stop = scheduleDaily(
      config.notify.hour,
      async () => {
        const run = async (d: Directory) => {
          const report = await runReminders(d, config, { dryRun: false, send: smtpSender(config.notify.smtp) });
          log.info('password expiry reminders', { sent: report.sent.length, failed: report.failed.length, skipped: report.skipped });
        };
        if (this.directory) return run(this.directory);
        const opened = await openDirectory(this.data, config, log);
        try {
          await run(opened.directory);
        } finally {
          await opened.close();
        }
      },
      log,
    );
  }

  /** After a reload that changed notify.*: the hour, or whether reminders are sent at all. */
  restart(changed: readonly string[]): void {
    if (!changed.some((k) => k.startsWith('notify.'))) return;
    this.stop?.();
    this.stop = undefined;
    this.start();
  }
}

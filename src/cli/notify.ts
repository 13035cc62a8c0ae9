import type { Command } from 'commander';
import { withDirectory } from './context';

export function registerNotify(program: Command) {
  const notify = program.command('notify').description('password-expiry reminders by email');
  notify
    .command('run')
    .option('--dry-run', 'say what would be sent, send nothing')
    .description('send the reminders that are due now (cairn serve also runs this daily at notify.hour)')
    .action(async (o: { dryRun?: boolean }, cmd: Command) => {
      await withDirectory(cmd, async ({ directory: d }, config) => {
        const { smtpSender } = await import('../notify/mailer');
        const { runReminders } = await import('../notify/reminders');
        const dryRun = o.dryRun === true;
        const report = await runReminders(d, config, { dryRun, send: dryRun ? undefined : smtpSender(config.notify.smtp) });
        const verb = dryRun ? 'would send' : 'sent';
        for (const r of report.sent)
          process.stdout.write(
            `${verb}\t${r.uid}\t${r.to}\t${r.reminder === 'expired' ? 'expired today' : `${r.reminder} days before`}\texpires ${r.expires}\n`,
          );
        for (const r of report.failed) process.stdout.write(`failed\t${r.uid}\t${r.to}\t${r.error}\n`);
        const s = report.skipped;
        process.stdout.write(
          `${report.sent.length} ${verb}, ${report.failed.length} failed (retried next run); skipped: ${s.noMail} without mail, ${s.locked} locked, ${s.services} services\n`,
        );
        if (report.failed.length > 0) process.exitCode = 1;
      });
    });
}

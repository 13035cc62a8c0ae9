import type { Config } from '../config';
import type { Directory } from '../directory/directory';
import { policyInWords } from '../security/policy/in-words';
import type { SendMail } from './mailer';
import { htmlLink, htmlList, loadTemplates, render } from './templates';
import { countReminderRun } from '../metrics/counts';

const DAY = 86400000;

export interface Reminder {
  uid: string;
  to: string;
  /** Which reminder: days before expiry ("14", "7", ...) or "expired". */
  reminder: string;
  expires: string;
}

export interface ReminderReport {
  /** Sent, or with --dry-run, due. */
  sent: Reminder[];
  failed: (Reminder & { error: string })[];
  skipped: { noMail: number; locked: number; services: number };
}

/**
 * One run of the expiry reminders: for every account whose password expires under its policy, the
 * reminders that are due (at `notify.daysBefore` days, and on the day it expired) and not yet sent for this
 * password. A run that missed a day sends only the most urgent one. Failures are retried on the next run.
 */
export async function runReminders(d: Directory, config: Config, options: { dryRun: boolean; send?: SendMail; now?: number }): Promise<ReminderReport> {
  if (options.dryRun) return remindersDue(d, config, options);
  let report: ReminderReport | undefined;
  try {
    report = await remindersDue(d, config, options);
    return report;
  } finally {
    const r = report && {
      sent: report.sent.length,
      failed: report.failed.length,
      skipped: report.skipped.noMail + report.skipped.locked + report.skipped.services,
    };
    countReminderRun(r);
  }
}

async function remindersDue(d: Directory, config: Config, options: { dryRun: boolean; send?: SendMail; now?: number }): Promise<ReminderReport> {
  const now = options.now ?? d.accounts.now();
  const n = config.notify;
  // Unset: the portal's change-password page, when the portal has an address people can reach (publicUrl).
  const changeUrl =
    n.changeUrl || (config.portal.listen !== 'none' && config.portal.publicUrl ? new URL('password', config.portal.publicUrl.replace(/\/?$/, '/')).href : '');
  const templates = loadTemplates(n);
  const thresholds = [...n.daysBefore].sort((a, b) => b - a);
  const report: ReminderReport = { sent: [], failed: [], skipped: { noMail: 0, locked: 0, services: 0 } };
  for (const account of await d.accounts.expiringPasswords()) {
    const { policy, expiresAt } = account;
    const daysLeft = Math.ceil((expiresAt - now) / DAY);
    const due = daysLeft > 0 ? thresholds.filter((t) => daysLeft <= t).map(String) : n.onExpiry && now < expiresAt + DAY ? ['expired'] : [];
    const unsent: string[] = [];
    for (const r of due) if (!(await account.reminderSent(r))) unsent.push(r);
    if (unsent.length === 0) continue;
    if (account.isService) {
      report.skipped.services++;
      continue;
    }
    if (account.lockedAt(now)) {
      report.skipped.locked++;
      continue;
    }
    const to = account.mail;
    if (!to) {
      report.skipped.noMail++;
      continue;
    }
    const uid = account.uid ?? account.dn;
    const reminder: Reminder = { uid, to, reminder: unsent[unsent.length - 1], expires: new Date(expiresAt).toUTCString() };
    if (options.dryRun) {
      report.sent.push(reminder);
      continue;
    }
    const when = daysLeft > 1 ? `in ${daysLeft} days` : daysLeft === 1 ? 'tomorrow' : 'today';
    const rules = policyInWords(policy);
    const values = {
      name: account.name ?? uid,
      uid,
      when,
      expires: reminder.expires,
      instructions: n.instructions,
      changeUrl,
      changeUrlLink: htmlLink(changeUrl),
      rules: rules.map((r) => `- ${r}`).join('\n'),
      rulesList: htmlList(rules),
    };
    try {
      await options.send!({
        to,
        subject: render(n.subject, values, false),
        text: render(templates.text, values, false),
        html: render(templates.html, values, true),
      });
      await account.recordReminders(unsent, now);
      report.sent.push(reminder);
      d.log.info('password expiry reminder sent', { uid, reminder: reminder.reminder });
    } catch (err) {
      const error = err instanceof Error ? err.message : String(err);
      report.failed.push({ ...reminder, error });
      d.log.warn('password expiry reminder not sent; it is tried again on the next run', { uid, error });
    }
  }
  return report;
}

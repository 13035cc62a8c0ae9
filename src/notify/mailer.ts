import type { Transporter } from 'nodemailer';
import type { Config } from '../config';

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  html: string;
}

export type SendMail = (mail: OutgoingMail) => Promise<void>;

/** SMTP through nodemailer: TLS from the start or STARTTLS, optional authentication, all from config. */
export function smtpSender(smtp: Config['notify']['smtp']): SendMail {
  if (!smtp.host) throw new Error('notify.smtp.host is not set: configure the mail server to send reminders');
  // nodemailer is loaded when the first mail goes out: every other command starts faster without it.
  let transport: Transporter | undefined;
  const options = {
    host: smtp.host,
    port: smtp.port,
    secure: smtp.tls,
    requireTLS: !smtp.tls && smtp.startTls,
    ignoreTLS: !smtp.tls && !smtp.startTls,
    auth: smtp.user ? { user: smtp.user, pass: smtp.password } : undefined,
    tls: { rejectUnauthorized: process.env.CAIRN_SMTP_INSECURE_TLS !== '1' },
  };
  return async (mail) => {
    transport ??= (await import('nodemailer')).default.createTransport(options);
    await transport.sendMail({ from: smtp.from, ...mail });
  };
}

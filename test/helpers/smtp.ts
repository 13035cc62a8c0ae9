import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

/** A message as the test's SMTP server received it. */
export interface ReceivedMail {
  to: string[];
  raw: string;
}

/** A real SMTP server on a loopback port, keeping every message; addresses in `refuse` get 550. */
export interface TestSmtp {
  port: number;
  received: ReceivedMail[];
  refuse: Set<string>;
  /** The settings that send Cairn's mail here. */
  env: Record<string, string>;
  close(): Promise<void>;
}

export async function startSmtp(): Promise<TestSmtp> {
  const received: ReceivedMail[] = [];
  const refuse = new Set<string>();
  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onRcptTo(address, _session, cb) {
      if (refuse.has(address.address)) return cb(Object.assign(new Error('mailbox unavailable'), { responseCode: 550 }));
      cb();
    },
    onData(stream, session, cb) {
      let raw = '';
      stream.on('data', (d: Buffer) => (raw += d.toString()));
      stream.on('end', () => {
        received.push({ to: session.envelope.rcptTo.map((r) => r.address), raw });
        cb();
      });
    },
  });
  await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', () => r()));
  const port = (smtp.server.address() as AddressInfo).port;
  return {
    port,
    received,
    refuse,
    env: { CAIRN_NOTIFY_SMTP_HOST: '127.0.0.1', CAIRN_NOTIFY_SMTP_PORT: String(port), CAIRN_NOTIFY_SMTP_START_TLS: 'false' },
    close: () => new Promise<void>((r) => smtp.close(() => r())),
  };
}

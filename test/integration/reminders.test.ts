import { expect } from 'chai';
import { startSmtp, type ReceivedMail, type TestSmtp } from '../helpers/smtp';
import { BASE, cairnAsync, importLdif, initData, removeData } from '../helpers/server';
import { formatGeneralizedTime } from '../../src/directory/matching';

/** Password-expiry reminders: a real SMTP server (smtp-server) receives what `cairn notify run` sends. */
describe('password expiry reminders by email', function () {
  this.timeout(60000);
  let data: string;
  let smtp: TestSmtp;
  let received: ReceivedMail[];
  let refuse: Set<string>;
  const DAY = 86400000;
  const ago = (days: number) => formatGeneralizedTime(Date.now() - days * DAY);
  const env = () => ({ ...smtp.env, CAIRN_NOTIFY_CHANGE_URL: 'https://id.example.com/password' });
  const run = (...args: string[]) => cairnAsync(['notify', 'run', ...args], { data, env: env() });
  const person = (uid: string, changedDaysAgo: number, extra: string[] = []) =>
    [
      `dn: uid=${uid},ou=people,${BASE}`,
      'objectClass: inetOrgPerson',
      `uid: ${uid}`,
      `cn: ${uid} Person`,
      'sn: Person',
      'userPassword: Reminder-Pass-1',
      `pwdChangedTime: ${ago(changedDaysAgo)}`,
      ...extra,
      '',
    ].join('\n');
  const to = () => received.flatMap((m) => m.to).sort();

  before(async () => {
    smtp = await startSmtp();
    ({ received, refuse } = smtp);
    data = initData(undefined, { policy: 'default' });
    importLdif(data, `dn: cn=default,ou=policies,${BASE}\nchangetype: modify\nreplace: pwdMaxAge\npwdMaxAge: ${30 * 86400}\n-\n`);
    importLdif(
      data,
      [
        person('p14', 16, ['mail: p14@example.com']),
        person('p7', 23.5, ['mail: p7@example.com']),
        person('p1', 29.5, ['mail: p1@example.com']),
        person('pexp', 30.1, ['mail: pexp@example.com']),
        person('pold', 40, ['mail: pold@example.com']),
        person('pnew', 1, ['mail: pnew@example.com']),
        person('pnomail', 16),
        person('plocked', 16, ['mail: plocked@example.com', 'pwdAccountLockedTime: 000001010000Z']),
        person('pmissed', 26, ['mail: pmissed@example.com']),
        person('prefuse', 16, ['mail: refuse@example.com']),
        [`dn: cn=svc,ou=services,${BASE}`, 'objectClass: cairnService', 'cn: svc', 'userPassword: Reminder-Pass-1', `pwdChangedTime: ${ago(16)}`, ''].join(
          '\n',
        ),
      ].join('\n'),
    );
  });
  after(async () => {
    await smtp.close();
    removeData(data);
  });

  it('--dry-run says what it would send, and sends nothing', async () => {
    const r = await run('--dry-run');
    expect(r.status, r.stderr).to.equal(0);
    for (const uid of ['p14', 'p7', 'p1', 'pexp', 'pmissed', 'prefuse']) expect(r.stdout).to.match(new RegExp(`^would send\\t${uid}\\t`, 'm'));
    for (const uid of ['pold', 'pnew', 'pnomail', 'plocked', 'svc']) expect(r.stdout).to.not.match(new RegExp(`\\t${uid}\\t`));
    expect(r.stdout).to.include('skipped: 1 without mail, 1 locked, 1 services');
    expect(received).to.have.length(0);
  });

  it('sends the due reminders to the right people, with the expiry, how to change it and the rules', async () => {
    refuse.add('refuse@example.com');
    const r = await run();
    expect(r.status, 'a refused message makes the run report a failure').to.equal(1);
    expect(to()).to.deep.equal(['p14@example.com', 'p1@example.com', 'p7@example.com', 'pexp@example.com', 'pmissed@example.com']);
    expect(r.stdout).to.match(/^failed\tprefuse\trefuse@example.com\t.*550/m);
    const p7 = received.find((m) => m.to.includes('p7@example.com'))!.raw;
    expect(p7).to.match(/Subject: Your password expires in 7 days/);
    expect(p7).to.include('https://id.example.com/password');
    expect(p7).to.include('not one of your last 5 passwords').and.include('at least 12 characters');
    expect(p7).to.include('text/html');
    expect(received.find((m) => m.to.includes('pexp@example.com'))!.raw).to.match(/Subject: Your password expires today/);
    expect(r.stdout).to.match(/^sent\tpmissed\t.*7 days before/m);
  });

  it('a second run (another process: as after a restart) sends nothing twice, and retries what was refused', async () => {
    refuse.clear();
    const before = received.length;
    const r = await run();
    expect(r.status, r.stderr).to.equal(0);
    expect(received.slice(before).flatMap((m) => m.to)).to.deep.equal(['refuse@example.com']);
    const again = await run();
    expect(again.stdout).to.match(/^0 sent/m);
    expect(received).to.have.length(before + 1);
  });

  it('a new password starts over', async () => {
    importLdif(data, `dn: uid=p14,ou=people,${BASE}\nchangetype: modify\nreplace: pwdChangedTime\npwdChangedTime: ${ago(16.2)}\n-\n`);
    const before = received.length;
    expect((await run()).status).to.equal(0);
    expect(received.slice(before).flatMap((m) => m.to)).to.deep.equal(['p14@example.com']);
  });

  it('a mail server that is down is reported, and nothing is recorded as sent', async () => {
    importLdif(data, person('pdown', 16, ['mail: pdown@example.com']));
    const r = await cairnAsync(['notify', 'run'], { data, env: { ...env(), CAIRN_NOTIFY_SMTP_PORT: '1' } });
    expect(r.status).to.equal(1);
    expect(r.stdout).to.match(/^failed\tpdown\t/m);
    const before = received.length;
    expect((await run()).status).to.equal(0);
    expect(received.slice(before).flatMap((m) => m.to)).to.deep.equal(['pdown@example.com']);
  });
});

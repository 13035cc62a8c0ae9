import { expect } from 'chai';
import Database from 'better-sqlite3';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadDefaults, type Config } from '../../src/config';
import { silentLogger } from '../../src/log';
import { initDirectory, openDirectory, type OpenDirectory } from '../../src/runtime';
import type { Directory } from '../../src/directory/directory';
import { LdapError, PolicyRefusal } from '../../src/directory/errors';
import { SYSTEM, type Identity } from '../../src/directory/identity';
import type { Authentication, BindOrigin } from '../../src/directory/accounts/accounts';
import { PolicyError } from '../../src/security/policy/types';
import { totpCode } from '../../src/security/totp';
import { EntryView } from '../../src/directory/entry-view';
import { hashSeconds } from '../../src/metrics/counts';

const BASE = 'dc=example,dc=com';
const POLICY = `cn=default,ou=policies,${BASE}`;
const person = (uid: string) => `uid=${uid},ou=people,${BASE}`;
const SECOND = 1000;
const from = (address: string): BindOrigin => ({ address, earlierIdentities: [] });

/**
 * The accounts engine on a real store with a clock the test moves: every time rule of the password policy
 * and of MFA, without a server and without sleeping.
 */
describe('accounts engine (fake clock)', function () {
  this.timeout(20000);
  let dir: string;
  let opened: OpenDirectory;
  let d: Directory;
  let config: Config;
  let now = Date.UTC(2026, 0, 5, 12, 0, 10);
  const later = (ms: number) => (now += ms);

  const setPolicy = (...pairs: [string, string][]) =>
    d.modify(
      SYSTEM,
      POLICY,
      pairs.map(([type, value]) => ({ operation: 'replace' as const, modification: { type, values: [value] } })),
    );
  const addPerson = (uid: string, password: string, extra: { type: string; values: string[] }[] = []) =>
    d.add(SYSTEM, person(uid), [
      { type: 'objectClass', values: ['top', 'inetOrgPerson'] },
      { type: 'uid', values: [uid] },
      { type: 'cn', values: ['Pat Quinn'] },
      { type: 'sn', values: ['Quinn'] },
      { type: 'userPassword', values: [password] },
      ...extra,
    ]);
  const auth = (uid: string, typed: string, origin?: BindOrigin) => d.accounts.authenticate(person(uid), typed, origin);
  /** The refusal of an authentication: its result code and password-policy error. */
  const refusal = async (p: Promise<Authentication>): Promise<{ code: number; policyError?: number; message: string }> => {
    try {
      await p;
    } catch (err) {
      if (!(err instanceof LdapError)) throw err;
      return { code: err.resultCode, policyError: err instanceof PolicyRefusal ? err.policyError : undefined, message: err.message };
    }
    throw new Error('expected a refusal');
  };
  const attribute = async (uid: string, name: string) => {
    const entry = await d.storedEntry(d.norm.normalizeDN(person(uid)).ndn);
    return entry ? new EntryView(entry.dn, entry.attributes, d.norm).values(name.toLowerCase()) : [];
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cairn-accounts-'));
    config = loadDefaults();
    config.security.bcryptCost = 4;
    config.security.hashWorkers = 1;
    config.mfa.reuseSeconds = 20;
    await initDirectory(dir, BASE, 'Admin-Password-1234', config, silentLogger());
    opened = await openDirectory(dir, config, silentLogger(), { clock: () => now });
    d = opened.directory;
  });
  after(async () => {
    await opened?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('locks after pwdMaxFailure failures (accountLocked even with the right password), until the lock runs out', async () => {
    await setPolicy(['pwdMaxFailure', '3'], ['pwdLockoutDuration', '60'], ['pwdFailureCountInterval', '900']);
    await addPerson('zzlock', 'Lock-Me-Out-55');
    for (let i = 0; i < 3; i++) expect((await refusal(auth('zzlock', 'wrong'))).code).to.equal(49);
    const locked = await refusal(auth('zzlock', 'Lock-Me-Out-55'));
    expect(locked).to.deep.include({ code: 49, policyError: PolicyError.accountLocked, message: 'invalid credentials' });
    expect(await attribute('zzlock', 'pwdFailureTime')).to.have.length(3);
    expect(await d.accounts.isLocked(person('zzlock'))).to.equal(true);
    later(59 * SECOND);
    expect((await refusal(auth('zzlock', 'Lock-Me-Out-55'))).policyError, 'one second before the end').to.equal(PolicyError.accountLocked);
    later(2 * SECOND);
    expect((await auth('zzlock', 'Lock-Me-Out-55')).identity.kind, 'the lock has run out').to.equal('user');
    expect(await attribute('zzlock', 'pwdFailureTime'), 'a correct bind resets the count').to.deep.equal([]);
  });

  it('unlock lifts a lock at once', async () => {
    await addPerson('zzunlock', 'Unlock-Me-55');
    for (let i = 0; i < 3; i++) await refusal(auth('zzunlock', 'wrong'));
    expect((await refusal(auth('zzunlock', 'Unlock-Me-55'))).policyError).to.equal(PolicyError.accountLocked);
    await d.accounts.unlock(SYSTEM, person('zzunlock'));
    expect((await auth('zzunlock', 'Unlock-Me-55')).identity.kind).to.equal('user');
  });

  it('failures older than pwdFailureCountInterval do not count', async () => {
    await setPolicy(['pwdMaxFailure', '2'], ['pwdLockoutDuration', '2'], ['pwdFailureCountInterval', '3']);
    try {
      await addPerson('zzinterval', 'Timed-Lock-7777');
      await refusal(auth('zzinterval', 'wrong'));
      later(3200);
      await refusal(auth('zzinterval', 'wrong'));
      expect((await auth('zzinterval', 'Timed-Lock-7777')).identity.kind, 'the first failure had expired: not locked').to.equal('user');
      await refusal(auth('zzinterval', 'wrong'));
      await refusal(auth('zzinterval', 'wrong'));
      expect((await refusal(auth('zzinterval', 'Timed-Lock-7777'))).policyError).to.equal(PolicyError.accountLocked);
      later(2200);
      expect((await auth('zzinterval', 'Timed-Lock-7777')).identity.kind, 'the lock has run out').to.equal('user');
    } finally {
      await setPolicy(['pwdMaxFailure', '10'], ['pwdLockoutDuration', '900'], ['pwdFailureCountInterval', '900']);
    }
  });

  it('warns before expiry (timeBeforeExpiration), then refuses the expired password (passwordExpired) and leaves a change-only session', async () => {
    now = Math.ceil(now / SECOND) * SECOND; // pwdChangedTime keeps whole seconds
    await addPerson('zzexpiry', 'Expiring-Pass-77');
    await setPolicy(['pwdMaxAge', '3600'], ['pwdExpireWarning', '600']);
    try {
      expect((await auth('zzexpiry', 'Expiring-Pass-77')).policy, 'long before: no warning').to.equal(undefined);
      later(3000 * SECOND);
      expect((await auth('zzexpiry', 'Expiring-Pass-77')).policy).to.deep.equal({ warning: { timeBeforeExpiration: 600 } });
      later(600 * SECOND);
      const expired = refusal(auth('zzexpiry', 'Expiring-Pass-77'));
      expect(await expired).to.deep.include({ code: 49, policyError: PolicyError.passwordExpired, message: 'your password has expired; change it now' });
      // The session whose bind failed on the expiry may change that password, anonymously, with the old one.
      const err = await auth('zzexpiry', 'Expiring-Pass-77').catch((e: unknown) => e);
      const restriction = d.accounts.restrictionAfterRefusal(person('zzexpiry'), err);
      expect(restriction).to.not.equal(undefined);
      expect(d.accounts.restrictionAfterRefusal(person('zzexpiry'), new LdapError(49, 'invalid credentials'))).to.equal(undefined);
      await d.accounts.changePassword(
        { kind: 'anonymous' },
        { userIdentity: person('zzexpiry'), oldPassword: 'Expiring-Pass-77', newPassword: 'Renewed-Pass-88' },
        restriction,
      );
      expect(d.accounts.afterSuccess(restriction, { op: 'extended', name: '1.3.6.1.4.1.4203.1.11.1' })).to.equal(undefined);
      expect((await auth('zzexpiry', 'Renewed-Pass-88')).identity.kind).to.equal('user');
    } finally {
      await setPolicy(['pwdMaxAge', '0'], ['pwdExpireWarning', '1209600']);
    }
  });

  it('grace logins: an expired password still binds while graceAuthNsRemaining lasts', async () => {
    await addPerson('zzgrace', 'Grace-Pass-8181');
    await setPolicy(['pwdMaxAge', '1'], ['pwdGraceAuthNLimit', '2']);
    try {
      later(1500);
      expect((await auth('zzgrace', 'Grace-Pass-8181')).policy).to.deep.equal({ warning: { graceAuthNsRemaining: 1 } });
      expect((await auth('zzgrace', 'Grace-Pass-8181')).policy).to.deep.equal({ warning: { graceAuthNsRemaining: 0 } });
      expect((await refusal(auth('zzgrace', 'Grace-Pass-8181'))).policyError).to.equal(PolicyError.passwordExpired);
    } finally {
      await setPolicy(['pwdMaxAge', '0'], ['pwdGraceAuthNLimit', '0']);
    }
  });

  it('must change after an administrator reset: changeAfterReset, only its own password change allowed, then normal', async () => {
    await addPerson('zzreset', 'Before-Reset-11');
    const { generated } = await d.accounts.changePassword(SYSTEM, { userIdentity: person('zzreset') }, undefined, { reset: true });
    expect(generated).to.be.a('string');
    expect(await attribute('zzreset', 'pwdReset')).to.deep.equal(['TRUE']);
    const a = await auth('zzreset', generated!);
    expect(a.policy).to.deep.equal({ error: PolicyError.changeAfterReset });
    const r = a.restriction;
    expect(r).to.not.equal(undefined);
    const refused = () => d.accounts.checkAllowed(r, { op: 'search' });
    expect(refused).to.throw('you must change your password before doing anything else');
    expect(d.accounts.allows(r, { op: 'modify', object: person('zzreset'), changes: [{ modification: { type: 'mail' } }] })).to.equal(false);
    expect(d.accounts.allows(r, { op: 'modify', object: person('zzlock'), changes: [{ modification: { type: 'userPassword' } }] }), 'another entry').to.equal(
      false,
    );
    // userPassword by the schema: its OID too.
    expect(d.accounts.allows(r, { op: 'modify', object: person('zzreset'), changes: [{ modification: { type: '2.5.4.35' } }] })).to.equal(true);
    for (const oid of ['1.3.6.1.4.1.4203.1.11.1', '1.3.6.1.4.1.4203.1.11.3', '1.3.6.1.4.1.1466.20037'])
      expect(d.accounts.allows(r, { op: 'extended', name: oid }), oid).to.equal(true);
    expect(d.accounts.allows(r, { op: 'bind' })).to.equal(true);
    expect(d.accounts.afterSuccess(r, { op: 'modify', object: person('zzreset'), changes: [{ modification: { type: 'mail' } }] })).to.equal(r);
    expect(d.accounts.afterSuccess(r, { op: 'modify', object: person('zzreset'), changes: [{ modification: { type: 'userPassword' } }] })).to.equal(undefined);
    const self: Identity = a.identity;
    await d.accounts.changePassword(self, { newPassword: 'After-Reset-22x' });
    const again = await auth('zzreset', 'After-Reset-22x');
    expect(again.restriction).to.equal(undefined);
    expect(again.policy).to.equal(undefined);
  });

  it('minimum age refuses a second self change too soon (passwordTooYoung), not an administrator reset, and not once it has passed', async () => {
    await addPerson('zzyoung', 'Young-Pass-101');
    await setPolicy(['pwdMinAge', '3600']);
    try {
      const me = (await auth('zzyoung', 'Young-Pass-101')).identity;
      const tooSoon = await d.accounts.changePassword(me, { oldPassword: 'Young-Pass-101', newPassword: 'Older-Pass-202' }).catch((e: unknown) => e);
      expect(tooSoon).to.be.instanceOf(PolicyRefusal);
      expect((tooSoon as PolicyRefusal).policyError).to.equal(PolicyError.passwordTooYoung);
      expect((tooSoon as PolicyRefusal).message).to.include('changed too recently');
      later(3601 * SECOND);
      await d.accounts.changePassword(me, { oldPassword: 'Young-Pass-101', newPassword: 'Older-Pass-202' });
      await d.accounts.changePassword(SYSTEM, { userIdentity: person('zzyoung'), newPassword: 'Admin-Reset-303' });
    } finally {
      await setPolicy(['pwdMinAge', '0']);
    }
  });

  describe('MFA', () => {
    let secret: string;
    before(async () => {
      await addPerson('zzmfa', 'Mfa-Password-99');
      ({ secret } = await d.accounts.mfaEnroll(SYSTEM, person('zzmfa')));
      expect(await d.accounts.mfaStatus(person('zzmfa'))).to.equal('pending');
      await d.accounts.mfaConfirm(SYSTEM, person('zzmfa'), totpCode(secret, now));
      expect(await d.accounts.mfaStatus(person('zzmfa'))).to.equal('enrolled');
      later(30 * SECOND);
    });

    it('the current step, the previous and the next bind (window 1); two steps away not', async () => {
      // At the start of a step, so that each code belongs to one step.
      now = Math.floor(now / 30000) * 30000 + 30000 + 5000;
      const typed = (offset: number) => `Mfa-Password-99${totpCode(secret, now + offset)}`;
      expect((await auth('zzmfa', typed(-30 * SECOND))).identity.kind, 'previous step').to.equal('user');
      expect((await auth('zzmfa', typed(0))).identity.kind, 'this step').to.equal('user');
      expect((await auth('zzmfa', typed(30 * SECOND))).identity.kind, 'next step').to.equal('user');
      later(90 * SECOND);
      expect((await refusal(auth('zzmfa', `Mfa-Password-99${totpCode(secret, now + 90 * SECOND)}`))).code, 'three steps ahead').to.equal(49);
      expect((await refusal(auth('zzmfa', `Mfa-Password-99${totpCode(secret, now - 60 * SECOND)}`))).code, 'two steps back').to.equal(49);
      expect((await refusal(auth('zzmfa', 'Mfa-Password-99'))).code, 'no code').to.equal(49);
      await d.accounts.unlock(SYSTEM, person('zzmfa'));
    });

    it('a code is used once: a replay from another client is refused; the same client gets the reuse grace, which runs out', async () => {
      later(120 * SECOND);
      const typed = `Mfa-Password-99${totpCode(secret, now)}`;
      expect((await auth('zzmfa', typed, from('10.0.0.1'))).identity.kind).to.equal('user');
      expect((await refusal(auth('zzmfa', typed, from('10.0.0.2')))).code, 'replay from another client').to.equal(49);
      expect((await refusal(auth('zzmfa', typed))).code, 'replay without a client').to.equal(49);
      later(10 * SECOND);
      expect((await auth('zzmfa', typed, from('10.0.0.1'))).identity.kind, 'same client, within mfa.reuseSeconds').to.equal('user');
      const shared: BindOrigin = { address: '10.0.0.1', earlierIdentities: [d.norm.normalizeDN(`cn=admin,${BASE}`).ndn] };
      expect((await refusal(auth('zzmfa', typed, shared))).code, 'a shared connection gets no grace').to.equal(49);
      later(11 * SECOND);
      expect((await refusal(auth('zzmfa', typed, from('10.0.0.1')))).code, 'grace over (the step is still within the window)').to.equal(49);
      await d.accounts.unlock(SYSTEM, person('zzmfa'));
    });

    it('reset removes the secret: the password alone works again', async () => {
      await d.accounts.mfaReset(SYSTEM, person('zzmfa'));
      expect(await d.accounts.mfaStatus(person('zzmfa'))).to.equal('off');
      expect((await auth('zzmfa', 'Mfa-Password-99')).identity.kind).to.equal('user');
    });
  });

  describe('portal sessions', () => {
    before(async () => {
      await addPerson('zzweb', 'Web-Password-42');
      await setPolicy(['pwdMinAge', '0'], ['pwdMaxAge', '0'], ['pwdMustChange', 'FALSE']);
    });

    it('a sign-in opens a session; it ends after portal.sessionIdleMinutes without a request', async () => {
      const { token, passwordChangeOnly } = await d.accounts.signIn(person('zzweb'), 'Web-Password-42', '', from('10.0.0.9'));
      expect(passwordChangeOnly).to.equal(false);
      expect((await d.accounts.portalSession(token))?.identity.dn).to.equal(person('zzweb'));
      later(config.portal.sessionIdleMinutes * 60 * SECOND - SECOND);
      expect(await d.accounts.portalSession(token), 'seen just within the idle time').to.not.equal(undefined);
      later(config.portal.sessionIdleMinutes * 60 * SECOND + SECOND);
      expect(await d.accounts.portalSession(token), 'idle too long').to.equal(undefined);
    });

    it('a session in use still ends after portal.sessionMaxHours', async () => {
      const { token } = await d.accounts.signIn(person('zzweb'), 'Web-Password-42');
      const step = 10 * 60 * SECOND;
      for (let t = step; t < config.portal.sessionMaxHours * 3600 * SECOND; t += step) {
        later(step);
        expect(await d.accounts.portalSession(token), `after ${t / 60000} minutes`).to.not.equal(undefined);
      }
      later(step);
      expect(await d.accounts.portalSession(token)).to.equal(undefined);
    });

    it('a wrong password opens nothing and counts as a failure, as a bind does; sign-out ends the session', async () => {
      expect((await refusal(d.accounts.signIn(person('zzweb'), 'wrong') as unknown as Promise<Authentication>)).code).to.equal(49);
      expect(await attribute('zzweb', 'pwdFailureTime')).to.have.length(1);
      const { token } = await d.accounts.signIn(person('zzweb'), 'Web-Password-42');
      await d.accounts.signOut(token);
      expect(await d.accounts.portalSession(token)).to.equal(undefined);
    });

    it('a password change ends every session of the person, wherever it was made; changeOwnPassword returns a new one', async () => {
      const a = (await d.accounts.signIn(person('zzweb'), 'Web-Password-42')).token;
      const b = (await d.accounts.signIn(person('zzweb'), 'Web-Password-42')).token;
      const renewed = await d.accounts.changeOwnPassword((await d.accounts.portalSession(a))!, 'Web-Password-42', 'Web-Password-43');
      expect(await d.accounts.portalSession(a)).to.equal(undefined);
      expect(await d.accounts.portalSession(b)).to.equal(undefined);
      expect((await d.accounts.portalSession(renewed))?.identity.dn).to.equal(person('zzweb'));
      // An administrator's reset (the CLI, LDAP) ends the portal sessions too.
      await d.accounts.changePassword(SYSTEM, { userIdentity: person('zzweb'), newPassword: 'Web-Password-44' });
      expect(await d.accounts.portalSession(renewed)).to.equal(undefined);
    });

    it('after an administrator reset the session may only change the password; an expired password opens such a session too', async () => {
      await setPolicy(['pwdMustChange', 'TRUE']);
      await d.accounts.changePassword(SYSTEM, { userIdentity: person('zzweb'), newPassword: 'Web-Password-45' }, undefined, { reset: true });
      const reset = await d.accounts.signIn(person('zzweb'), 'Web-Password-45');
      expect(reset.passwordChangeOnly).to.equal(true);
      expect(d.accounts.passwordChangeOnly((await d.accounts.portalSession(reset.token))!)).to.equal(true);
      const fresh = await d.accounts.changeOwnPassword((await d.accounts.portalSession(reset.token))!, 'Web-Password-45', 'Web-Password-46');
      expect(d.accounts.passwordChangeOnly((await d.accounts.portalSession(fresh))!)).to.equal(false);
      await setPolicy(['pwdMustChange', 'FALSE'], ['pwdMaxAge', '3600'], ['pwdGraceAuthNLimit', '0']);
      later(2 * 3600 * SECOND);
      const expired = await d.accounts.signIn(person('zzweb'), 'Web-Password-46');
      expect(expired.passwordChangeOnly).to.equal(true);
      const after = await d.accounts.changeOwnPassword((await d.accounts.portalSession(expired.token))!, 'Web-Password-46', 'Web-Password-47');
      expect(d.accounts.passwordChangeOnly((await d.accounts.portalSession(after))!)).to.equal(false);
      await setPolicy(['pwdMaxAge', '0']);
    });

    it('a person turns on their own MFA, but cannot enrol again over a confirmed one; another person cannot at all', async () => {
      const me = (await d.accounts.portalSession((await d.accounts.signIn(person('zzweb'), 'Web-Password-47')).token))!.identity;
      const { secret } = await d.accounts.mfaEnroll(me, person('zzweb'));
      await d.accounts.mfaConfirm(me, person('zzweb'), totpCode(secret, now));
      expect(await d.accounts.mfaStatus(person('zzweb'))).to.equal('enrolled');
      const again = await refusal(d.accounts.mfaEnroll(me, person('zzweb')) as unknown as Promise<Authentication>);
      expect(again.code).to.equal(50);
      expect(again.message).to.contain('already on');
      const other = await refusal(d.accounts.mfaEnroll(me, person('zzmfa')) as unknown as Promise<Authentication>);
      expect(other.code).to.equal(50);
      await d.accounts.mfaReset(SYSTEM, person('zzweb'));
    });
  });

  describe('forgotten passwords', () => {
    before(async () => {
      await addPerson('zzlost', 'Mislaid-Key-11', [{ type: 'mail', values: ['lou@example.com'] }]);
    });

    it('a token only for an account with mail, one mail per 2 minutes, valid 30 minutes, spent on use', async () => {
      expect(await d.accounts.requestPasswordReset(person('zzweb')), 'no mail address').to.equal(undefined);
      expect(await d.accounts.requestPasswordReset(person('nobody')), 'no such account').to.equal(undefined);
      const first = (await d.accounts.requestPasswordReset(person('zzlost')))!;
      expect(first.to).to.equal('lou@example.com');
      expect(await d.accounts.requestPasswordReset(person('zzlost')), 'again at once').to.equal(undefined);
      later(2 * 60 * SECOND);
      const second = (await d.accounts.requestPasswordReset(person('zzlost')))!;
      expect(await d.accounts.resetLink(first.token), 'replaced by the newer one').to.equal(undefined);
      expect(await d.accounts.resetLink(second.token)).to.deep.equal({ needsCode: false });
      later(30 * 60 * SECOND);
      expect(await d.accounts.resetLink(second.token), 'expired').to.equal(undefined);
      const third = (await d.accounts.requestPasswordReset(person('zzlost')))!;
      // A password the policy refuses does not use the link up.
      expect((await refusal(d.accounts.resetForgottenPassword(third.token, 'short', '') as unknown as Promise<Authentication>)).code).to.equal(19);
      expect(await d.accounts.resetForgottenPassword(third.token, 'Mislaid-Key-12', '')).to.equal(person('zzlost'));
      expect((await auth('zzlost', 'Mislaid-Key-12')).identity.kind).to.equal('user');
      expect(
        (await refusal(d.accounts.resetForgottenPassword(third.token, 'Mislaid-Key-13', '') as unknown as Promise<Authentication>)).code,
        'spent',
      ).to.equal(49);
    });

    it('with MFA the link also needs a code from the app, so a mailbox alone is not enough; a lockout is lifted', async () => {
      const { secret } = await d.accounts.mfaEnroll(SYSTEM, person('zzlost'));
      await d.accounts.mfaConfirm(SYSTEM, person('zzlost'), totpCode(secret, now));
      later(3 * 60 * SECOND);
      await setPolicy(['pwdLockout', 'TRUE'], ['pwdMaxFailure', '2']);
      for (let i = 0; i < 2; i++) await refusal(auth('zzlost', 'wrong'));
      expect(await d.accounts.isLocked(person('zzlost'))).to.equal(true);
      const mail = (await d.accounts.requestPasswordReset(person('zzlost')))!;
      expect(await d.accounts.resetLink(mail.token)).to.deep.equal({ needsCode: true });
      const noCode = await refusal(d.accounts.resetForgottenPassword(mail.token, 'Mislaid-Key-14', '') as unknown as Promise<Authentication>);
      expect(noCode.message).to.contain('code');
      await d.accounts.resetForgottenPassword(mail.token, 'Mislaid-Key-14', totpCode(secret, now));
      expect(await d.accounts.isLocked(person('zzlost'))).to.equal(false);
      await d.accounts.mfaReset(SYSTEM, person('zzlost'));
      expect((await auth('zzlost', 'Mislaid-Key-14')).identity.kind).to.equal('user');
      await setPolicy(['pwdMaxFailure', '5']);
    });
  });

  describe('recovery codes', () => {
    let secret: string;
    before(async () => {
      await addPerson('zzphone', 'Lost-Phone-11', [{ type: 'mail', values: ['zed@example.com'] }]);
    });

    it('only with MFA on, only by the person, ten shown once; a new set replaces the old', async () => {
      const me = (await d.accounts.portalSession((await d.accounts.signIn(person('zzphone'), 'Lost-Phone-11')).token))!.identity;
      expect((await refusal(d.accounts.mfaRecoveryCodes(me, person('zzphone')) as unknown as Promise<Authentication>)).code, 'no MFA yet').to.equal(53);
      secret = (await d.accounts.mfaEnroll(me, person('zzphone'))).secret;
      await d.accounts.mfaConfirm(me, person('zzphone'), totpCode(secret, now));
      expect((await refusal(d.accounts.mfaRecoveryCodes(SYSTEM, person('zzphone')) as unknown as Promise<Authentication>)).code, 'not the person').to.equal(50);
      const first = await d.accounts.mfaRecoveryCodes(me, person('zzphone'));
      expect(first).to.have.length(10);
      expect(new Set(first).size).to.equal(10);
      for (const c of first) expect(c).to.match(/^[a-z2-9]{5}-[a-z2-9]{5}$/);
      expect(await d.accounts.mfaRecoveryCodesLeft(person('zzphone'))).to.equal(10);
      const second = await d.accounts.mfaRecoveryCodes(me, person('zzphone'));
      expect(await d.accounts.mfaRecoveryCodesLeft(person('zzphone'))).to.equal(10);
      // the first set is gone
      await refusal(d.accounts.signIn(person('zzphone'), 'Lost-Phone-11', first[0]) as unknown as Promise<Authentication>);
      later(31 * SECOND);
      const signedIn = await d.accounts.signIn(person('zzphone'), 'Lost-Phone-11', second[0].toUpperCase().replace('-', ' '));
      expect(signedIn.token).to.be.a('string');
      expect(await d.accounts.mfaRecoveryCodesLeft(person('zzphone'))).to.equal(9);
    });

    it('each code signs in to the portal once, never on LDAP, and never without the password', async () => {
      const codes = await d.accounts.mfaRecoveryCodes(
        (await d.accounts.portalSession((await d.accounts.signIn(person('zzphone'), 'Lost-Phone-11', totpCode(secret, now))).token))!.identity,
        person('zzphone'),
      );
      later(31 * SECOND);
      expect((await refusal(d.accounts.signIn(person('zzphone'), 'wrong', codes[1]) as unknown as Promise<Authentication>)).code).to.equal(49);
      expect(await d.accounts.mfaRecoveryCodesLeft(person('zzphone')), 'a wrong password spends no code').to.equal(10);
      // LDAP carries the code after the password: a recovery code there is just a wrong password.
      expect((await refusal(auth('zzphone', 'Lost-Phone-11' + codes[1]))).code).to.equal(49);
      await d.accounts.signIn(person('zzphone'), 'Lost-Phone-11', codes[1]);
      expect((await refusal(d.accounts.signIn(person('zzphone'), 'Lost-Phone-11', codes[1]) as unknown as Promise<Authentication>)).code, 'used').to.equal(49);
      // and one completes a reset link in place of the app's code
      const mail = (await d.accounts.requestPasswordReset(person('zzphone')))!;
      await d.accounts.resetForgottenPassword(mail.token, 'Found-Phone-12', codes[2]);
      expect(await d.accounts.mfaRecoveryCodesLeft(person('zzphone'))).to.equal(8);
      // an MFA reset takes the codes with the secret
      await d.accounts.mfaReset(SYSTEM, person('zzphone'));
      expect(await d.accounts.mfaRecoveryCodesLeft(person('zzphone'))).to.equal(0);
    });
  });

  describe('app passwords', () => {
    it('bind over LDAP from their scope with no code, but never open the portal', async () => {
      await addPerson('zzapp', 'App-Owner-Pass-11');
      const { secret } = await d.accounts.mfaEnroll(SYSTEM, person('zzapp'));
      await d.accounts.mfaConfirm(SYSTEM, person('zzapp'), totpCode(secret, now));
      const { password } = await d.accounts.addAppPassword(SYSTEM, person('zzapp'), 'mail', { addresses: ['10.1.2.0/24'], services: [] });
      const auth = await d.accounts.authenticate(person('zzapp'), password, from('10.1.2.3'));
      expect(auth.identity).to.include({ kind: 'user', appPassword: 'mail' });
      expect((await refusal(d.accounts.authenticate(person('zzapp'), password, from('10.1.3.3')))).code, 'out of scope').to.equal(49);
      expect(
        (await refusal(d.accounts.signIn(person('zzapp'), password, '', from('10.1.2.3')) as unknown as Promise<Authentication>)).code,
        'the portal',
      ).to.equal(49);
    });

    it("while the person's own password has expired: refused, and the person's grace logins are left to them", async () => {
      await addPerson('zzappgrace', 'Grace-App-Pass-17');
      const { password } = await d.accounts.addAppPassword(SYSTEM, person('zzappgrace'), 'nas', { addresses: ['10.1.2.3'], services: [] });
      await setPolicy(['pwdMaxAge', '1'], ['pwdGraceAuthNLimit', '2']);
      try {
        later(1500);
        for (let i = 0; i < 3; i++)
          expect((await refusal(d.accounts.authenticate(person('zzappgrace'), password, from('10.1.2.3')))).policyError).to.equal(PolicyError.passwordExpired);
        expect((await auth('zzappgrace', 'Grace-App-Pass-17')).policy).to.deep.equal({ warning: { graceAuthNsRemaining: 1 } });
      } finally {
        await setPolicy(['pwdMaxAge', '0'], ['pwdGraceAuthNLimit', '0']);
      }
    });
  });

  describe('audit', () => {
    it('every account state change is in the audit log: MFA enroll, confirm, reset, unlock, password change', () => {
      const lines = readFileSync(join(dir, 'audit.log'), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { dn?: string; attributes?: string[]; result?: number });
      const about = (dn: string, attribute: string) => lines.filter((l) => l.dn === dn && (l.attributes ?? []).includes(attribute));
      // The second: another person's attempt (portal sessions), refused and audited.
      expect(about(person('zzmfa'), 'mfaEnroll:cairnMfaEnabled').map((l) => l.result)).to.deep.equal([0, 50]);
      expect(about(person('zzmfa'), 'mfaConfirm:cairnMfaEnabled')).to.have.length(1);
      expect(about(person('zzmfa'), 'mfaReset:cairnMfaEnabled')).to.have.length(1);
      expect(about(person('zzunlock'), 'unlock:pwdAccountLockedTime')).to.have.length(1);
      expect(about(person('zzphone'), 'mfaRecoveryCodes').map((l) => l.result)).to.deep.equal([53, 50, 0, 0, 0]);
      expect(about(person('zzyoung'), 'passwordModify:userPassword').map((l) => l.result)).to.deep.equal([19, 0, 0]);
    });
  });

  describe('the verified-credential cache (security.bindCacheSeconds)', () => {
    /** Password hashes verified so far in this process (the hash pool's count). */
    const verifications = async () =>
      (await hashSeconds.get()).values.find((v) => v.metricName === 'cairn_hash_duration_seconds_count' && v.labels.op === 'verify')?.value ?? 0;
    /** How many hashes a call verified. */
    const verifiedBy = async (call: () => Promise<unknown>) => {
      const before = await verifications();
      await call();
      return (await verifications()) - before;
    };
    const binds = (uid: string, typed: string) => async () => expect((await auth(uid, typed)).identity.kind).to.equal('user');

    before(async () => {
      await setPolicy(['pwdMinAge', '0'], ['pwdMaxAge', '0'], ['pwdMustChange', 'FALSE'], ['pwdMaxFailure', '3'], ['pwdLockoutDuration', '60']);
      await addPerson('zzcache', 'Cache-Password-1');
    });
    afterEach(() => (config.security.bindCacheSeconds = 60));

    it('the same right password again costs no hash, until bindCacheSeconds have passed', async () => {
      expect(await verifiedBy(binds('zzcache', 'Cache-Password-1')), 'first bind').to.equal(1);
      expect(await verifiedBy(binds('zzcache', 'Cache-Password-1')), 'again').to.equal(0);
      later(59 * SECOND);
      expect(await verifiedBy(binds('zzcache', 'Cache-Password-1')), 'within 60 s').to.equal(0);
      later(2 * SECOND);
      expect(await verifiedBy(binds('zzcache', 'Cache-Password-1')), 'after 60 s').to.equal(1);
      config.security.bindCacheSeconds = 0;
      expect(await verifiedBy(binds('zzcache', 'Cache-Password-1')), 'off').to.equal(1);
      expect(await verifiedBy(binds('zzcache', 'Cache-Password-1')), 'off, again').to.equal(1);
    });

    it('a wrong password is never kept and still counts toward the lockout; a lock refuses the kept password', async () => {
      await binds('zzcache', 'Cache-Password-1')();
      for (let i = 0; i < 2; i++)
        expect(await verifiedBy(async () => expect((await refusal(auth('zzcache', 'Cache-Password-X'))).code).to.equal(49))).to.equal(1);
      expect(await attribute('zzcache', 'pwdFailureTime')).to.have.length(2);
      await refusal(auth('zzcache', 'Cache-Password-X'));
      const locked = await refusal(auth('zzcache', 'Cache-Password-1'));
      expect(locked.policyError, 'locked, although the password was kept').to.equal(PolicyError.accountLocked);
      await d.accounts.unlock(SYSTEM, person('zzcache'));
      expect(await verifiedBy(binds('zzcache', 'Cache-Password-1')), 'unlocked: kept again').to.equal(0);
    });

    it('a kept password binds with nothing written while no failure is recorded; after a failure it binds and clears it', async () => {
      /** Commits to the database file by anyone but this connection: PRAGMA data_version moves with each. */
      const watcher = new Database(join(dir, 'cairn.sqlite'), { readonly: true });
      const commits = () => watcher.pragma('data_version', { simple: true }) as number;
      try {
        await binds('zzcache', 'Cache-Password-1')();
        const before = commits();
        expect(await verifiedBy(binds('zzcache', 'Cache-Password-1')), 'kept').to.equal(0);
        expect(commits(), 'nothing written by a kept bind').to.equal(before);
        expect((await refusal(auth('zzcache', 'Cache-Password-X'))).code).to.equal(49);
        expect(await attribute('zzcache', 'pwdFailureTime')).to.have.length(1);
        expect(await verifiedBy(binds('zzcache', 'Cache-Password-1')), 'kept, after a failure').to.equal(0);
        expect(await attribute('zzcache', 'pwdFailureTime'), 'the failure cleared').to.have.length(0);
      } finally {
        watcher.close();
      }
    });

    it('a changed or reset password refuses the kept one at once; an expired one is refused; a deleted entry is gone', async () => {
      await binds('zzcache', 'Cache-Password-1')();
      await d.accounts.changePassword(SYSTEM, { userIdentity: person('zzcache'), newPassword: 'Cache-Password-2' });
      expect((await refusal(auth('zzcache', 'Cache-Password-1'))).code, 'the old password after a reset').to.equal(49);
      await binds('zzcache', 'Cache-Password-2')();
      await setPolicy(['pwdMaxAge', '3600'], ['pwdGraceAuthNLimit', '0']);
      later(3601 * SECOND);
      expect((await refusal(auth('zzcache', 'Cache-Password-2'))).policyError, 'expired').to.equal(PolicyError.passwordExpired);
      await setPolicy(['pwdMaxAge', '0']);
      await d.delete(SYSTEM, person('zzcache'));
      expect((await refusal(auth('zzcache', 'Cache-Password-2'))).code, 'deleted').to.equal(49);
    });

    it('MFA turned on after the password was kept: the code is needed and spent on every bind', async () => {
      await addPerson('zzcache2', 'Cache-Password-3');
      await binds('zzcache2', 'Cache-Password-3')();
      const { secret } = await d.accounts.mfaEnroll(SYSTEM, person('zzcache2'));
      await d.accounts.mfaConfirm(SYSTEM, person('zzcache2'), totpCode(secret, now));
      later(60 * SECOND);
      expect((await refusal(auth('zzcache2', 'Cache-Password-3'))).code, 'the kept password alone').to.equal(49);
      const typed = `Cache-Password-3${totpCode(secret, now)}`;
      await binds('zzcache2', typed)();
      expect((await refusal(auth('zzcache2', typed, from('10.0.0.7')))).code, 'the code again, from elsewhere').to.equal(49);
      await d.accounts.mfaReset(SYSTEM, person('zzcache2'));
      expect(await verifiedBy(binds('zzcache2', 'Cache-Password-3')), 'reset: the password alone, still kept').to.equal(0);
    });
  });
});

import { expect } from 'chai';
import { PEOPLE, USERS_GID, type Person } from './directory';
import type { PrivateHost } from './host';

export interface PamResult {
  ok: boolean;
  /** Everything the PAM modules and pamtester said, as a person at the prompt would read it. */
  text: string;
}

/**
 * A non-interactive PAM client: pamtester runs the operations of `service` for `user`, answering the
 * prompts with `answers` in order. `as` runs it as that person (a password change as root is a reset).
 */
export function pam(host: PrivateHost, service: string, user: string, operations: string[], answers: string[], as?: { uid: number; gid: number }): PamResult {
  const r = host.run('pamtester', ['-v', service, user, ...operations], { input: answers.map((a) => `${a}\n`).join(''), as });
  return { ok: r.status === 0, text: `${r.stdout}\n${r.stderr}` };
}

/** The person themselves, not root: for root, a password change through PAM is a reset. */
export const asPerson = (person: Person) => ({ uid: PEOPLE[person].uidNumber, gid: USERS_GID });

/**
 * A login that must change the password first (expired, or reset by an administrator): the login is refused
 * with `message`, the person changes the password through PAM, and the new one logs in.
 */
export function expectChangeAtLogin(host: PrivateHost, service: string, person: Person, message: string, newPassword: string) {
  const login = pam(host, service, person, ['authenticate', 'acct_mgmt'], [PEOPLE[person].password]);
  expect(login.ok, login.text).to.equal(false);
  expect(login.text).to.contain(message);
  const change = pam(host, service, person, ['chauthtok'], [PEOPLE[person].password, newPassword, newPassword], asPerson(person));
  expect(change.ok, change.text).to.equal(true);
  const again = pam(host, service, person, ['authenticate', 'acct_mgmt'], [newPassword]);
  expect(again.ok, again.text).to.equal(true);
}

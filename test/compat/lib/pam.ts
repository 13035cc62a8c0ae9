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

import { verifiesNatively, verifyHash } from './hash-schemes';
import { bcryptHash } from './hashes/bcrypt';

/**
 * The slow hash work: hashing a new password with bcrypt, and verifying a password against any stored
 * scheme. Passwords travel as bytes. Run by a hash thread (hash-worker.ts), or by the caller itself for a
 * pool that hashes inline (a CLI command that hashes one password).
 */
export type HashRequest = { id: number; op: 'hash'; password: Uint8Array; cost: number } | { id: number; op: 'verify'; password: Uint8Array; stored: string };
export type HashResponse = { id: number; ok: true; result: string | boolean } | { id: number; ok: false; error: string };

export async function runHashJob(req: HashRequest): Promise<string | boolean> {
  return req.op === 'hash' ? bcryptHash(req.password, req.cost) : verifyHash(req.password, req.stored);
}

/** Whether a job runs off the event loop by itself (native bcrypt): no hash thread is needed for it. */
export function runsNatively(req: HashRequest): boolean {
  return req.op === 'hash' || verifiesNatively(req.stored);
}

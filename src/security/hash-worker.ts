import { parentPort } from 'node:worker_threads';
import { verifyHash } from './hash-schemes';
import { bcryptHash } from './hashes/bcrypt';

/**
 * Runs the slow hash work off the event loop, one request at a time per worker thread: hashing a new
 * password with bcrypt, and verifying a password against any stored scheme. Passwords travel as bytes.
 */
export type HashRequest = { id: number; op: 'hash'; password: Uint8Array; cost: number } | { id: number; op: 'verify'; password: Uint8Array; stored: string };
export type HashResponse = { id: number; ok: true; result: string | boolean } | { id: number; ok: false; error: string };

async function run(req: HashRequest): Promise<string | boolean> {
  return req.op === 'hash' ? bcryptHash(req.password, req.cost) : verifyHash(req.password, req.stored);
}

parentPort?.on('message', (req: HashRequest) => {
  run(req).then(
    (result) => parentPort!.postMessage({ id: req.id, ok: true, result } satisfies HashResponse),
    (err: unknown) => parentPort!.postMessage({ id: req.id, ok: false, error: err instanceof Error ? err.message : String(err) } satisfies HashResponse),
  );
});

import { parentPort } from 'node:worker_threads';
import bcrypt from 'bcryptjs';

/** Runs bcrypt off the event loop: one request at a time per worker thread. */
export type HashRequest =
  | { id: number; op: 'hash'; password: string; cost: number }
  | { id: number; op: 'compare'; password: string; hash: string };
export type HashResponse = { id: number; ok: true; result: string | boolean } | { id: number; ok: false; error: string };

parentPort?.on('message', (req: HashRequest) => {
  let res: HashResponse;
  try {
    res =
      req.op === 'hash'
        ? { id: req.id, ok: true, result: bcrypt.hashSync(req.password, req.cost) }
        : { id: req.id, ok: true, result: bcrypt.compareSync(req.password, req.hash) };
  } catch (err) {
    res = { id: req.id, ok: false, error: err instanceof Error ? err.message : String(err) };
  }
  parentPort!.postMessage(res);
});

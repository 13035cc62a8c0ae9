import { parentPort } from 'node:worker_threads';
import { runHashJob, type HashRequest, type HashResponse } from './hash-jobs';

/** A hash thread of the pool (hash-pool.ts): one request at a time, off the event loop. */
parentPort?.on('message', (req: HashRequest) => {
  runHashJob(req).then(
    (result) => parentPort!.postMessage({ id: req.id, ok: true, result } satisfies HashResponse),
    (err: unknown) => parentPort!.postMessage({ id: req.id, ok: false, error: err instanceof Error ? err.message : String(err) } satisfies HashResponse),
  );
});

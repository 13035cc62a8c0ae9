// One thread of bcrypt-pool.ts, with Cairn's own bcrypt: hashes the passwords it is given, or times a run of
// verifies (the hash limit: every core verifying at once).
import { parentPort, workerData } from 'worker_threads';
import { bcryptCheck, bcryptHash } from '../src/security/hashes/bcrypt';

type Job = { hash: string[]; cost: number } | { verify: number; password: string; stored: string };

const job = workerData as Job;

void (async () => {
  if ('hash' in job) {
    const hashes: string[] = [];
    for (const pw of job.hash) hashes.push(await bcryptHash(Buffer.from(pw, 'utf8'), job.cost));
    parentPort?.postMessage(hashes);
    return;
  }
  const password = Buffer.from(job.password, 'utf8');
  await bcryptCheck(password, job.stored); // compiles the WebAssembly before the clock starts
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < job.verify; i++) if (!(await bcryptCheck(password, job.stored))) throw new Error('bcrypt: a hash does not verify its own password');
  parentPort?.postMessage(Number(process.hrtime.bigint() - t0) / 1e6);
})();

import { readdirSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { setPriority } from 'node:os';

/** The nice value of libuv's pool threads, where bcrypt runs: below the event loop's (0), never above. */
export const POOL_NICE = 10;

/** libuv's pool size as it will read it (UV_THREADPOOL_SIZE, 4 unless set; libuv clamps it to 1..1024). */
export function threadPoolSize(env: NodeJS.ProcessEnv = process.env): number {
  const n = Number(env.UV_THREADPOOL_SIZE);
  return Number.isInteger(n) && n > 0 ? Math.min(n, 1024) : 4;
}

function threadIds(): Set<number> | undefined {
  try {
    return new Set(readdirSync('/proc/self/task').map(Number));
  } catch {
    return undefined;
  }
}

/**
 * Gives the thread pool's threads a lower priority than the event loop's. A bcrypt verify holds a core for
 * about 60 ms; while binds queue, every core runs one, and a search's turn on the event loop waited behind
 * them for a scheduler slice (search p99 10-15 ms in a bind storm). Niced, they give way the moment the
 * event loop has work, and still take every idle cycle (the hashes per second do not change).
 *
 * On Linux a thread has its own nice value; the pool's threads are the ones its first job starts, so this
 * must run before anything else uses the pool. Elsewhere, or when the new threads are not exactly the
 * pool (it had started already), nothing changes. Returns how many threads were lowered.
 */
export async function lowerThreadPoolPriority(): Promise<number> {
  if (process.platform !== 'linux') return 0;
  const before = threadIds();
  if (!before) return 0;
  // The pool's first job starts all of its threads.
  await stat('.').catch(() => undefined);
  const started = [...(threadIds() ?? [])].filter((tid) => !before.has(tid));
  if (started.length !== threadPoolSize()) return 0;
  let lowered = 0;
  for (const tid of started) {
    try {
      setPriority(tid, POOL_NICE);
      lowered++;
    } catch {
      // the thread is gone, or the system refuses: it keeps the event loop's priority.
    }
  }
  return lowered;
}

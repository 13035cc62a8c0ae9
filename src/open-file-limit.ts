import { readFileSync } from 'node:fs';

/**
 * The open-file limits. Node raises the soft limit to the hard one when it starts, so the hard limit is
 * what counts: systemd's default (524288) is ample, `ulimit -n 1024` in a shell (which sets both) is not.
 */
export interface OpenFileLimit {
  soft: number;
  hard: number;
}

const UNLIMITED = Number.MAX_SAFE_INTEGER;

/** The open-file limits of this process, from /proc (Linux). */
export function openFileLimit(): OpenFileLimit | undefined {
  try {
    const m = /^Max open files\s+(\S+)\s+(\S+)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
    if (!m) return undefined;
    const n = (s: string) => (s === 'unlimited' ? UNLIMITED : Number(s));
    return { soft: n(m[1]), hard: n(m[2]) };
  } catch {
    return undefined;
  }
}

/** Descriptors a worker keeps for itself: the database and its journal, logs, listeners, hash workers, TLS files. */
export const RESERVED_DESCRIPTORS = 64;

/** The connections one process can hold with this many descriptors, keeping the reserve. */
export function connectionsWithin(limit: OpenFileLimit | undefined, wanted: number): number {
  if (!limit) return wanted;
  return Math.max(1, Math.min(wanted, limit.soft - RESERVED_DESCRIPTORS));
}

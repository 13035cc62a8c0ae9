import { readdirSync, readFileSync } from 'node:fs';

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

/** Descriptors open now: the database and its journal, logs, listeners, the hash workers' event loops… */
export function descriptorsInUse(): number {
  try {
    return readdirSync('/proc/self/fd').length;
  } catch {
    return 64;
  }
}

/**
 * The connections one process can hold: its limit, less what it has open already, less a margin for the
 * connections it accepts only to refuse (each needs a descriptor until its notice is sent).
 */
export function connectionsWithin(limit: OpenFileLimit | undefined, wanted: number, inUse = descriptorsInUse()): number {
  if (!limit) return wanted;
  const margin = Math.max(32, Math.ceil(limit.soft * 0.05));
  return Math.max(1, Math.min(wanted, limit.soft - inUse - margin));
}

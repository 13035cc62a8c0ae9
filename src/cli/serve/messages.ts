import type { ListenAddress } from '../../config';
import type { ReloadOutcome } from './reload';

/** A worker is serving: where, and which naming context. */
export interface Listening {
  type: 'listening';
  ldap: ListenAddress;
  ldaps?: ListenAddress;
  /** The portal's address as people reach it (portal.publicUrl, or where it listens). */
  portal?: string;
  base: string;
}

/** A worker could not start: the one line to say. */
export interface Failed {
  type: 'failed';
  message: string;
}

/** A worker's reload is done. */
export interface Reloaded {
  type: 'reloaded';
  outcome: ReloadOutcome;
}

/** From a worker to the primary. */
export type WorkerMessage = Listening | Failed | Reloaded;

/** From the primary to a worker: SIGHUP, forwarded. */
export interface ReloadRequest {
  type: 'reload';
}

export const describeListening = (l: Listening) =>
  `Cairn serves ${l.base} on ldap://${l.ldap.host}:${l.ldap.port}` +
  (l.ldaps ? ` and ldaps://${l.ldaps.host}:${l.ldaps.port}` : '') +
  (l.portal ? `; the portal is at ${l.portal}` : '');

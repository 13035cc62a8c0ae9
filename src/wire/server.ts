import { createServer as createTcpServer, type Server as TcpServer, type Socket } from 'node:net';
import { createServer as createTlsServer, type SecureContext, type Server as TlsServer } from 'node:tls';
import type { TlsMaterial } from './tls';
import type { Config, ListenAddress } from '../config';
import type { Directory } from '../directory/directory';
import { ResultCode } from '../ldap/result-codes';
import type { Logger } from '../log';
import { Connection, type ConnectionHost } from './connection';
import { Operations, type OperationsOptions } from './operations';
import type { LdapRequest } from './protocol/types';
import { encodeNoticeOfDisconnection } from './protocol/encode';
import { Admission } from './admission';
import { ThrottledWarning } from './throttled-warning';
import { connectionsWithin, openFileLimit } from '../open-file-limit';
import { connectionClosed, connectionOpened, connectionRefused, countTlsHandshake } from '../metrics/counts';

export interface LdapServerOptions {
  directory: Directory;
  config: Config;
  log: Logger;
  tls?: TlsMaterial;
  /**
   * Asked for each new plain LDAP connection before a byte of it is read: true when it was passed to
   * another process to serve (connection balancing between workers).
   */
  passOn?: (socket: Socket) => boolean;
}

/** The LDAP listeners: plain LDAP with StartTLS, and LDAPS. Owns every connection until shutdown. */
export class LdapServer implements ConnectionHost {
  private readonly admission: Admission<Connection>;
  private sweeper?: NodeJS.Timeout;
  private readonly refusedWarning: ThrottledWarning;
  private readonly letGoWarning: ThrottledWarning;
  private readonly acceptFailure: ThrottledWarning;
  private readonly listeners: TcpServer[] = [];
  private readonly ops: Operations;
  private readonly opsOptions: OperationsOptions;
  private ldapsListener?: TlsServer;
  maxMessageBytes: number;
  maxAnonymousMessageBytes: number;
  idleTimeoutMs: number;
  secureContext?: SecureContext;
  private inFlight = 0;
  private logInfo: boolean;
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly o: LdapServerOptions) {
    const s = o.config.server;
    this.maxMessageBytes = s.maxMessageBytes;
    this.maxAnonymousMessageBytes = s.maxAnonymousMessageBytes;
    this.idleTimeoutMs = s.idleTimeoutSeconds * 1000;
    this.secureContext = o.tls?.context;
    this.logInfo = o.log.isLevelEnabled('info');
    const limit = openFileLimit();
    const maxConnections = connectionsWithin(limit, s.maxConnections);
    if (maxConnections < s.maxConnections) {
      o.log.warn('fewer connections than configured: too few open files allowed', {
        maxConnections: s.maxConnections,
        canHold: maxConnections,
        openFileLimit: limit?.soft,
        fix: 'raise the limit (systemd: LimitNOFILE=65536; shell: ulimit -n) or lower server.maxConnections',
      });
    }
    this.admission = new Admission<Connection>(
      {
        maxConnections,
        maxUnauthenticatedPerAddress: s.maxUnauthenticatedPerAddress,
        messageTimeoutMs: s.messageTimeoutSeconds * 1000,
        unauthenticatedIdleMs: s.unauthenticatedIdleSeconds * 1000,
        unauthenticatedBufferBytes: s.unauthenticatedBufferBytes,
      },
      (conn, why) => this.letGoWarning.note({ reason: why, peer: conn.peer, connections: this.admission.size }),
    );
    this.refusedWarning = new ThrottledWarning(o.log, 'connection refused');
    this.letGoWarning = new ThrottledWarning(o.log, 'unauthenticated connection closed to protect the others');
    this.acceptFailure = new ThrottledWarning(o.log, 'connection dropped: cannot accept');
    this.opsOptions = {
      directory: o.directory,
      allowCleartextBind: s.allowCleartextBind,
      secureContext: o.tls?.context,
      logsOperations: o.log.isLevelEnabled('info'),
      log: (event, fields) => this.log(event, fields),
      logError: (event, fields) => this.logError(event, fields),
    };
    this.ops = new Operations(this.opsOptions);
  }

  /**
   * Takes up the settings that may change while serving (SIGHUP), from the configuration object given at
   * construction, changed in place: message size limits, the idle timeout (of connections made from now
   * on), cleartext binds, and whether operations are logged (log.level).
   */
  reconfigure(): void {
    const s = this.o.config.server;
    this.maxMessageBytes = s.maxMessageBytes;
    this.maxAnonymousMessageBytes = s.maxAnonymousMessageBytes;
    this.idleTimeoutMs = s.idleTimeoutSeconds * 1000;
    this.opsOptions.allowCleartextBind = s.allowCleartextBind;
    this.logInfo = this.o.log.isLevelEnabled('info');
    this.opsOptions.logsOperations = this.logInfo;
  }

  /** Whether this server was started with TLS (StartTLS and, when configured, LDAPS). */
  get hasTls(): boolean {
    return this.o.tls !== undefined;
  }

  /** A renewed certificate and key: the next StartTLS and LDAPS handshakes use them; sessions already up keep theirs. */
  setTls(tls: TlsMaterial): void {
    this.secureContext = tls.context;
    this.opsOptions.secureContext = tls.context;
    this.ldapsListener?.setSecureContext(tls.options);
  }

  log(event: string, fields: Record<string, unknown>) {
    // The level checked once (and again at a reload), not at each of the many lines a busy server offers.
    if (this.logInfo) this.o.log.info(event, fields);
  }

  logError(event: string, fields: Record<string, unknown>) {
    this.o.log.error(event, fields);
  }

  async handle(conn: Connection, req: LdapRequest) {
    this.inFlight++;
    try {
      await this.ops.handle(conn, req);
    } finally {
      this.inFlight--;
      if (this.inFlight === 0) for (const w of this.idleWaiters.splice(0)) w();
    }
  }

  closed(conn: Connection) {
    connectionClosed();
    this.admission.remove(conn);
  }

  identityChanged(conn: Connection) {
    this.admission.identityChanged(conn);
  }

  holding(conn: Connection): boolean {
    return this.admission.holding(conn);
  }

  /** How many connections this server holds. */
  get connectionCount(): number {
    return this.admission.size;
  }

  /** A plain LDAP connection another process accepted and passed on: served here as if accepted here. */
  adopt(socket: Socket) {
    this.accept(socket, false, true);
  }

  private accept(socket: Socket, secure: boolean, adopted = false) {
    if (!secure && !adopted && this.o.passOn?.(socket)) return;
    const refusal = this.admission.admit(socket.remoteAddress ?? '');
    if (refusal) {
      connectionRefused();
      socket.on('error', () => undefined);
      socket.end(encodeNoticeOfDisconnection(ResultCode.busy, refusal.message));
      setTimeout(() => socket.destroy(), 2000).unref();
      this.refusedWarning.note({ reason: refusal.message, peer: socket.remoteAddress, connections: this.admission.size });
      return;
    }
    const conn = new Connection(socket, secure, this);
    // Held unread while it could still be passed on (pauseOnConnect).
    if (socket.isPaused()) socket.resume();
    connectionOpened();
    this.admission.add(conn);
    this.log('connect', { conn: conn.id, peer: conn.peer, tls: secure });
  }

  /** An accept that fails (EMFILE: out of file descriptors) must be said, not crash the process nor pass in silence. */
  private acceptFailed(err: NodeJS.ErrnoException) {
    const fields: Record<string, unknown> = { error: err.code ?? err.message, connections: this.admission.size };
    if (err.code === 'EMFILE' || err.code === 'ENFILE') {
      fields.openFileLimit = openFileLimit()?.soft;
      fields.fix = 'raise the open-file limit (systemd: LimitNOFILE) or lower server.maxConnections';
    }
    this.acceptFailure.note(fields);
  }

  /** Starts listening; resolves with the bound addresses (port 0 gives an ephemeral port). */
  async listen(plain: ListenAddress, ldaps?: ListenAddress): Promise<{ ldap: ListenAddress; ldaps?: ListenAddress }> {
    const start = (server: TcpServer, a: ListenAddress) =>
      new Promise<ListenAddress>((resolve, reject) => {
        server.once('error', reject);
        server.listen(a.port, a.host, () => {
          server.off('error', reject);
          server.on('error', (err: NodeJS.ErrnoException) => this.acceptFailed(err));
          const addr = server.address();
          resolve(typeof addr === 'object' && addr ? { host: addr.address, port: addr.port } : a);
        });
      });
    this.startSweeping();
    const tcp = createTcpServer({ pauseOnConnect: this.o.passOn !== undefined }, (s) => this.accept(s, false));
    this.listeners.push(tcp);
    const bound = { ldap: await start(tcp, plain), ldaps: undefined as ListenAddress | undefined };
    if (ldaps) {
      if (!this.o.tls) throw new Error('LDAPS needs a TLS certificate and key');
      const tls = createTlsServer(this.o.tls.options, (s) => this.accept(s, true));
      tls.on('secureConnection', () => countTlsHandshake('ldaps', true));
      tls.on('tlsClientError', (err) => {
        countTlsHandshake('ldaps', false);
        this.o.log.info('tls handshake failed', { error: err.message });
      });
      this.listeners.push(tls);
      this.ldapsListener = tls;
      bound.ldaps = await start(tls, ldaps);
    }
    return bound;
  }

  private startSweeping() {
    const s = this.o.config.server;
    const shortest = Math.min(...[s.messageTimeoutSeconds, s.unauthenticatedIdleSeconds].filter((x) => x > 0).map((x) => x * 1000));
    if (!Number.isFinite(shortest)) return;
    this.sweeper ??= setInterval(() => this.admission.sweep(), Math.max(50, Math.min(1000, shortest / 4))).unref();
  }

  /** Stops accepting, lets operations in flight finish (up to the grace period), then closes every connection. */
  async shutdown(graceMs: number): Promise<void> {
    // close() stops accepting at once; its callback waits for the connections, which we end below.
    clearInterval(this.sweeper);
    const closed = Promise.all(this.listeners.map((l) => new Promise<void>((r) => l.close(() => r()))));
    if (this.inFlight > 0) {
      await Promise.race([new Promise<void>((r) => this.idleWaiters.push(r)), new Promise<void>((r) => setTimeout(r, graceMs).unref())]);
    }
    for (const c of [...this.admission.connections()]) c.disconnect(ResultCode.unavailable, 'the server is shutting down');
    await Promise.race([closed, new Promise<void>((r) => setTimeout(r, 3000).unref())]);
  }
}

import { createServer as createTcpServer, type Server as TcpServer, type Socket } from 'node:net';
import { createServer as createTlsServer, type SecureContext } from 'node:tls';
import type { TlsMaterial } from './tls';
import type { Config } from '../config';
import type { Directory } from '../directory/directory';
import { ResultCode } from '../directory/result-codes';
import type { Logger } from '../log';
import { Connection, type ConnectionHost } from './connection';
import { Operations } from './operations';
import type { LdapRequest } from './protocol/types';
import { encodeNoticeOfDisconnection } from './protocol/encode';

export interface ListenAddress {
  host: string;
  port: number;
}

export function parseAddress(text: string): ListenAddress {
  const m = /^\[?([^\]]*)\]?:(\d+)$/.exec(text);
  if (!m) throw new Error(`bad address "${text}": use HOST:PORT`);
  return { host: m[1], port: Number(m[2]) };
}

export interface LdapServerOptions {
  directory: Directory;
  config: Config;
  log: Logger;
  tls?: TlsMaterial;
}

/** The LDAP listeners: plain LDAP with StartTLS, and LDAPS. Owns every connection until shutdown. */
export class LdapServer implements ConnectionHost {
  private readonly connections = new Set<Connection>();
  private readonly listeners: TcpServer[] = [];
  private readonly ops: Operations;
  readonly maxMessageBytes: number;
  readonly maxAnonymousMessageBytes: number;
  readonly idleTimeoutMs: number;
  readonly secureContext?: SecureContext;
  private inFlight = 0;
  private readonly logInfo: boolean;
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly o: LdapServerOptions) {
    const s = o.config.server;
    this.maxMessageBytes = s.maxMessageBytes;
    this.maxAnonymousMessageBytes = s.maxAnonymousMessageBytes;
    this.idleTimeoutMs = s.idleTimeoutSeconds * 1000;
    this.secureContext = o.tls?.context;
    this.logInfo = o.log.isLevelEnabled('info');
    this.ops = new Operations({
      directory: o.directory,
      allowCleartextBind: s.allowCleartextBind,
      secureContext: o.tls?.context,
      logsOperations: o.log.isLevelEnabled('info'),
      log: (event, fields) => this.log(event, fields),
      logError: (event, fields) => this.logError(event, fields),
    });
  }

  log(event: string, fields: Record<string, unknown>) {
    // winston formats a line before its transports drop it; skip that work when info is off.
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
    this.connections.delete(conn);
  }

  private accept(socket: Socket, secure: boolean) {
    if (this.connections.size >= this.o.config.server.maxConnections) {
      socket.on('error', () => undefined);
      socket.end(encodeNoticeOfDisconnection(ResultCode.busy, 'too many connections; try again later'));
      this.o.log.warn('connection refused: limit reached', { peer: socket.remoteAddress });
      return;
    }
    const conn = new Connection(socket, secure, this);
    this.connections.add(conn);
    this.log('connect', { conn: conn.id, peer: conn.peer, tls: secure });
  }

  /** Starts listening; resolves with the bound addresses (port 0 gives an ephemeral port). */
  async listen(plain: ListenAddress, ldaps?: ListenAddress): Promise<{ ldap: ListenAddress; ldaps?: ListenAddress }> {
    const start = (server: TcpServer, a: ListenAddress) =>
      new Promise<ListenAddress>((resolve, reject) => {
        server.once('error', reject);
        server.listen(a.port, a.host, () => {
          server.off('error', reject);
          const addr = server.address();
          resolve(typeof addr === 'object' && addr ? { host: addr.address, port: addr.port } : a);
        });
      });
    const tcp = createTcpServer((s) => this.accept(s, false));
    this.listeners.push(tcp);
    const bound = { ldap: await start(tcp, plain), ldaps: undefined as ListenAddress | undefined };
    if (ldaps) {
      if (!this.o.tls) throw new Error('LDAPS needs a TLS certificate and key');
      const tls = createTlsServer(this.o.tls.options, (s) => this.accept(s, true));
      tls.on('tlsClientError', (err) => this.o.log.info('tls handshake failed', { error: err.message }));
      this.listeners.push(tls);
      bound.ldaps = await start(tls, ldaps);
    }
    return bound;
  }

  /** Stops accepting, lets operations in flight finish (up to the grace period), then closes every connection. */
  async shutdown(graceMs: number): Promise<void> {
    // close() stops accepting at once; its callback waits for the connections, which we end below.
    const closed = Promise.all(this.listeners.map((l) => new Promise<void>((r) => l.close(() => r()))));
    if (this.inFlight > 0) {
      await Promise.race([
        new Promise<void>((r) => this.idleWaiters.push(r)),
        new Promise<void>((r) => setTimeout(r, graceMs).unref()),
      ]);
    }
    for (const c of this.connections) c.disconnect(ResultCode.unavailable, 'the server is shutting down');
    await Promise.race([closed, new Promise<void>((r) => setTimeout(r, 3000).unref())]);
  }
}

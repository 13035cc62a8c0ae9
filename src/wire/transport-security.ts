/** Loopback peers (127.0.0.0/8, ::1, and IPv4-mapped 127.x) never cross a network. */
export function isLoopback(address: string): boolean {
  return /^(127\.\d+\.\d+\.\d+|::1|::ffff:127\.\d+\.\d+\.\d+)$/.test(address);
}

/**
 * RFC 4513 section 5.1.2: a password must not cross a network in the clear. Over TLS, or from this
 * machine, a simple bind is fine; otherwise only when the administrator allowed it.
 */
export function cleartextBindAllowed(conn: { secure: boolean; loopback: boolean }, allowedByConfig: boolean): boolean {
  return conn.secure || conn.loopback || allowedByConfig;
}

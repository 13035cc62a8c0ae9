/**
 * Framing for the connection's read loop: how many octets the LDAPMessage starting at `offset` needs.
 * Only the outer SEQUENCE header is inspected; the content is checked later by decodeRequest.
 */
export function frameLength(buf: Buffer, offset: number): { headerLength: number; bodyLength: number } | 'incomplete' | { error: string } {
  const available = buf.length - offset;
  if (available < 1) return 'incomplete';
  if (buf[offset] !== 0x30) return { error: `LDAPMessage must start with SEQUENCE (0x30), found 0x${buf[offset].toString(16).padStart(2, '0')}` };
  if (available < 2) return 'incomplete';
  const first = buf[offset + 1];
  if (first < 0x80) return { headerLength: 2, bodyLength: first };
  const n = first & 0x7f;
  if (n === 0) return { error: 'indefinite length is not allowed in LDAP' };
  if (n > 4) return { error: 'length has more than 4 octets' };
  if (available < 2 + n) return 'incomplete';
  let bodyLength = 0;
  for (let i = 0; i < n; i++) bodyLength = bodyLength * 256 + buf[offset + 2 + i];
  return { headerLength: 2 + n, bodyLength };
}

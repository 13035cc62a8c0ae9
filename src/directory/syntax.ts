import { parseGeneralizedTime } from './matching';

/** Value validators by LDAP syntax OID (RFC 4517 section 3.3); syntaxes not listed accept any value. */
const S = '1.3.6.1.4.1.1466.115.121.1.';

const SSH_KEY = /^((?:ssh|sk-ssh|ecdsa-sha2|sk-ecdsa-sha2)-[A-Za-z0-9@.-]+)\s+([A-Za-z0-9+/]+={0,2})(\s+.*)?$/;

/** An OpenSSH public key line: type, base64 blob whose first field names the same type, optional comment. */
export function isOpenSshPublicKey(value: string): boolean {
  const m = SSH_KEY.exec(value.trim());
  if (!m) return false;
  const blob = Buffer.from(m[2], 'base64');
  if (blob.length < 4) return false;
  const len = blob.readUInt32BE(0);
  return len + 4 <= blob.length && blob.subarray(4, 4 + len).toString('latin1') === m[1];
}

export function syntaxValidator(oid: string | undefined, attributeKey: string, validDN: (v: string) => boolean): ((v: string) => boolean) | undefined {
  if (attributeKey === 'sshpublickey') return isOpenSshPublicKey;
  switch (oid) {
    case S + '27':
      return (v) => /^-?(0|[1-9]\d*)$/.test(v);
    case S + '12':
      return validDN;
    case S + '7':
      return (v) => v === 'TRUE' || v === 'FALSE';
    case S + '24':
      return (v) => parseGeneralizedTime(v) !== undefined;
    case S + '26':
      return (v) => /^[\x00-\x7f]*$/.test(v);
    case S + '15':
    case S + '44':
    case S + '50':
      return (v) => v.length > 0;
    case S + '38':
      return (v) => /^([A-Za-z][A-Za-z0-9-]*|\d+(\.\d+)+)$/.test(v);
    case S + '36':
      return (v) => /^[\d ]+$/.test(v);
    case S + '11':
      return (v) => /^[A-Za-z]{2}$/.test(v);
    case '1.3.6.1.1.16.1':
      return (v) => /^[0-9a-f]{8}-([0-9a-f]{4}-){3}[0-9a-f]{12}$/i.test(v);
    default:
      return undefined;
  }
}

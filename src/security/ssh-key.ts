import { createHash } from 'node:crypto';

/**
 * OpenSSH public keys as people paste them (the one line of a `.pub` file): the key's type, its blob in
 * base64, and a comment. The blob is read as OpenSSH reads it (RFC 4253 section 6.6, RFC 5656, RFC 8709,
 * PROTOCOL.u2f), so that a key Cairn accepts is one sshd can use.
 */

export interface SshPublicKey {
  type: string;
  /** The key's size in bits (the RSA modulus; the curve for the others). */
  bits: number;
  /** As `ssh-keygen -l` shows it: SHA256:… (base64 without padding). */
  fingerprint: string;
  blob: Buffer;
  comment: string;
}

export class SshKeyError extends Error {}

/** The least RSA modulus accepted, in bits (NIST SP 800-131A; OpenSSH refuses below 1024). */
export const MIN_RSA_BITS = 2048;

const ECDSA_CURVES: Record<string, { curve: string; bits: number; point: number }> = {
  'ecdsa-sha2-nistp256': { curve: 'nistp256', bits: 256, point: 65 },
  'ecdsa-sha2-nistp384': { curve: 'nistp384', bits: 384, point: 97 },
  'ecdsa-sha2-nistp521': { curve: 'nistp521', bits: 521, point: 133 },
};

export const SUPPORTED_SSH_KEY_TYPES = [
  'ssh-ed25519',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'ssh-rsa',
  'sk-ssh-ed25519@openssh.com',
  'sk-ecdsa-sha2-nistp256@openssh.com',
];

/** Reads the length-prefixed strings of an SSH key blob. */
class BlobReader {
  private at = 0;
  constructor(private readonly blob: Buffer) {}

  string(): Buffer {
    if (this.at + 4 > this.blob.length) throw new SshKeyError('the key is cut short');
    const n = this.blob.readUInt32BE(this.at);
    if (this.at + 4 + n > this.blob.length) throw new SshKeyError('the key is cut short');
    const s = this.blob.subarray(this.at + 4, this.at + 4 + n);
    this.at += 4 + n;
    return s;
  }

  end(): void {
    if (this.at !== this.blob.length) throw new SshKeyError('the key has bytes after its end');
  }
}

function bitLength(mpint: Buffer): number {
  let i = 0;
  while (i < mpint.length && mpint[i] === 0) i++;
  if (i === mpint.length) return 0;
  return (mpint.length - i - 1) * 8 + (32 - Math.clz32(mpint[i]));
}

/** The size in bits of a blob of this type, after checking its fields; throws SshKeyError. */
function checkBlob(type: string, blob: Buffer): number {
  const r = new BlobReader(blob);
  if (r.string().toString('latin1') !== type) throw new SshKeyError(`the key's data is not a ${type} key`);
  let bits: number;
  if (type === 'ssh-rsa') {
    const e = r.string();
    const n = r.string();
    if (bitLength(e) < 2 || (e[e.length - 1] & 1) === 0) throw new SshKeyError('the RSA key has an invalid exponent');
    bits = bitLength(n);
    if (bits < MIN_RSA_BITS)
      throw new SshKeyError(`RSA keys must have at least ${MIN_RSA_BITS} bits; this one has ${bits} (make a new one with ssh-keygen -t ed25519)`);
  } else if (type === 'ssh-ed25519' || type === 'sk-ssh-ed25519@openssh.com') {
    if (r.string().length !== 32) throw new SshKeyError('the Ed25519 key is not 32 bytes');
    bits = 256;
  } else {
    const ec = ECDSA_CURVES[type.replace(/^sk-(.*)@openssh\.com$/, '$1')];
    if (!ec) throw new SshKeyError(`unsupported key type ${type}`);
    if (r.string().toString('latin1') !== ec.curve) throw new SshKeyError(`the key's curve is not ${ec.curve}`);
    const q = r.string();
    if (q.length !== ec.point || q[0] !== 4) throw new SshKeyError(`the key's point is not an uncompressed ${ec.curve} point`);
    bits = ec.bits;
  }
  if (type.startsWith('sk-')) r.string(); // the FIDO application, "ssh:" usually
  r.end();
  return bits;
}

const STRICT_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Parses one pasted public key line; throws SshKeyError with words for the person. */
export function parseSshPublicKey(text: string): SshPublicKey {
  const line = text.trim();
  if (line === '') throw new SshKeyError('paste a public key');
  if (line.startsWith('-----BEGIN')) throw new SshKeyError('that is a private key or a PEM file: paste the public key, the one line of the .pub file');
  if (/[\r\n]/.test(line)) throw new SshKeyError('paste one key at a time (one line)');
  // The comment is the rest of the line, kept as written (spaces included).
  const [, type = '', data = '', comment = ''] = /^(\S+)(?:[ \t]+(\S+))?(?:[ \t]+(.*))?$/.exec(line) ?? [];
  if (type === 'ssh-dss') throw new SshKeyError('DSA keys are no longer accepted by OpenSSH: make a new one with ssh-keygen -t ed25519');
  if (!SUPPORTED_SSH_KEY_TYPES.includes(type))
    throw new SshKeyError(`a public key starts with its type (ssh-ed25519, ecdsa-sha2-nistp256, ssh-rsa…); this starts with "${type.slice(0, 40)}"`);
  if (!STRICT_BASE64.test(data) || data.length === 0) throw new SshKeyError("the key's data is not base64");
  const blob = Buffer.from(data, 'base64');
  const bits = checkBlob(type, blob);
  return { type, bits, blob, fingerprint: sshFingerprint(blob), comment };
}

export function sshFingerprint(blob: Buffer): string {
  return 'SHA256:' + createHash('sha256').update(blob).digest('base64').replace(/=+$/, '');
}

/** The value kept in sshPublicKey: type, base64, and the label (what sshd and ssh-keygen -l show as the comment). */
export function sshKeyLine(key: SshPublicKey, label: string): string {
  return `${key.type} ${key.blob.toString('base64')}${label ? ` ${label}` : ''}`;
}

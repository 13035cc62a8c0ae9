import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';

/** AES-256-GCM with a key kept in a file (mode 0600): TOTP secrets are encrypted at rest. */
export class SecretBox {
  private constructor(private readonly key: Buffer) {}

  /** Reads a key file (32 random bytes, base64); making one is openMfaKey's decision. */
  static fromFile(file: string): SecretBox {
    return SecretBox.fromKeyFileContents(readFileSync(file), file);
  }

  /** A key of 32 random bytes, in memory only. */
  static random(): SecretBox {
    return new SecretBox(randomBytes(32));
  }

  /** A key file's bytes (as in a backup); `source` names it in the error. */
  static fromKeyFileContents(contents: Buffer, source: string): SecretBox {
    const key = Buffer.from(contents.toString('latin1').trim(), 'base64');
    if (key.length !== 32) throw new Error(`${source} does not hold a 32-byte key (base64)`);
    return new SecretBox(key);
  }

  seal(plain: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return ['v1', iv.toString('base64'), cipher.getAuthTag().toString('base64'), data.toString('base64')].join(':');
  }

  open(sealed: string): string {
    const [v, iv, tag, data] = sealed.split(':');
    if (v !== 'v1') throw new Error('unknown sealed secret format');
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64'));
    decipher.setAuthTag(Buffer.from(tag, 'base64'));
    return Buffer.concat([decipher.update(Buffer.from(data, 'base64')), decipher.final()]).toString('utf8');
  }

  /** A keyed digest, to recognise a value again without storing it. */
  mac(value: string): string {
    return createHmac('sha256', this.key).update(value).digest('base64');
  }
}

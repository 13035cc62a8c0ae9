import { expect } from 'chai';
import { parseSshPublicKey, SshKeyError, sshKeyLine } from '../../src/security/ssh-key';

/** Keys made by OpenSSH 9.2's ssh-keygen, with the bits and fingerprints `ssh-keygen -l` printed for them. */
const KEYS = {
  rsa2048: {
    line: 'ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQCrV/1M7VnCZh7PVv+yR2FkTGBM3ebbT71Dg9jUyLp1jmFie+0VDpkTZQL8pKyn6SJsMsB0jnA+/RNq18tyVpKraa+qM7LM0g43SNRD/jJXtpiEB9jZZ62yV+MgUYo0cEmYBWAxQ4TM7iSnJVCq1p1IXprhgPgMbLXLsP67/hgoZMjNibWuoWheMZiOGPdIioNyWRA+w3WCA7JDMmRTaYY3O0u3J/N6cWbYNA8WnjFlhge2v1v8JZkGyfuXRSaQqhQvg/UuGNjKNsCkyA4g9tkTin9nkB3vsFUBZ810qAEp/Ca/CFlm39kp+ljQJxtBIwr15ssbtrU4wlXUnSKL15m1 k-rsa-b2048',
    bits: 2048,
    fingerprint: 'SHA256:C/2WLDolefWeaNMgFwbEl66X77btOPVw4O7NZnPvfPU',
  },
  rsa1024:
    'ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAgQDVbSU2x4/Bng6mAYnPxp3zXUasmdg/nRipa1IODcjh6mZg3K7J760Y6bh0ojTzqdHDkUr361FJeAdNHSN7zPxtyhDS+KeoseZxqwzpg0phqvfJcz176Wo/GGpYIvAWWLr3sSMzZfaHjVK0luROx08ebY6xX5G3PzQuyiij23o12w== k-rsa-b1024',
  ed25519: {
    line: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHXHT/1ojhIjqmKANUy/oyyv0mKqTjXFKfDdo/fh61og k-ed25519',
    fingerprint: 'SHA256:WDVyadauNTNe9xyG2TU8sjl7V5wqTOdadbbri7gMif4',
  },
  ecdsa384: {
    line: 'ecdsa-sha2-nistp384 AAAAE2VjZHNhLXNoYTItbmlzdHAzODQAAAAIbmlzdHAzODQAAABhBJgEYhcYeNYvFYJCGXt4xnWPZa4CPxaOZyLLrYGAxRNh1gK0bdJnhVF5goDwE57btPmq3elcV0Jq1aF4TPdsgxTxwTbPLyiai/kNhKxitwprAUbXbG0mGmUcKt8LHTIfQg== k-ecdsa-b384',
    fingerprint: 'SHA256:4GxkovBbiQG+iHHq7dc8+yPfNGYriu1ir2pYcuD/JJY',
  },
  dsa: 'ssh-dss AAAAB3NzaC1kc3MAAACBANb0U+iBrhsypqB+GyeunljegZhe9gEDQ6L350Q/esUlet8WYsFA5OVRoP8dM7kYF5KclLsr8QGMSIeDmth2fR7er+MkJW7YI/aSxep3ujTPaRErArKk5yK8dA1LynXNXWFs2DaMmumXnQnHpZZByhDSaWzU/9G9ipPLo7CNXdLZAAAAFQD+iYJFgVzn3PBfOjxivT3G+RT4cwAAAIEApwIwqyHJ2NV26rlQxz4CB0icyRXXhUOn9E3ox4s8yLDfY4fYeg+8UNO4L4o6+yKlKKfBCg8XZ7HWkodrxxCjXByCu9Xn06TX3FA6eReqBsLKWjx4soFYpiS97HeYI2rv7ciHXT6EWiFmEHJWzeD6krXM9TXSSwtBnNW84zOL98wAAACAMBOCnCYmlnZJoxOBE+dmmARzhytHYUQPavsUydTAaByUjyWbEXqDNdcDzFwABxp7DjQ+74UvXNRXcCUtFcAgfy1R5I1vwYHxG40VYR9B1b1n52LgfbmILw6YAnlSgT52XjWiVAViVVfX2A37+rxGwgJCoFI5y4CdrnQzbBLiQus= k-dsa',
};

const refusal = (text: string) => {
  try {
    parseSshPublicKey(text);
  } catch (err) {
    if (err instanceof SshKeyError) return err.message;
    throw err;
  }
  return 'accepted';
};

describe("OpenSSH public keys (the portal's SSH key check)", () => {
  it('reads RSA, Ed25519 and ECDSA keys as ssh-keygen -l does: type, bits, fingerprint, comment', () => {
    const rsa = parseSshPublicKey(KEYS.rsa2048.line);
    expect([rsa.type, rsa.bits, rsa.fingerprint, rsa.comment]).to.deep.equal(['ssh-rsa', 2048, KEYS.rsa2048.fingerprint, 'k-rsa-b2048']);
    const ed = parseSshPublicKey(`  ${KEYS.ed25519.line}\n`);
    expect([ed.type, ed.bits, ed.fingerprint]).to.deep.equal(['ssh-ed25519', 256, KEYS.ed25519.fingerprint]);
    const ec = parseSshPublicKey(KEYS.ecdsa384.line);
    expect([ec.type, ec.bits, ec.fingerprint]).to.deep.equal(['ecdsa-sha2-nistp384', 384, KEYS.ecdsa384.fingerprint]);
    expect(sshKeyLine(ed, 'Work laptop')).to.equal(`${KEYS.ed25519.line.split(' ').slice(0, 2).join(' ')} Work laptop`);
    // The comment as written, spaces and all.
    expect(parseSshPublicKey(`${KEYS.ed25519.line.split(' ').slice(0, 2).join(' ')} bob@old  laptop (2019)`).comment).to.equal('bob@old  laptop (2019)');
  });

  it('refuses RSA under 2048 bits, DSA, a private key, two lines, and a blob that is not what its type says', () => {
    expect(refusal(KEYS.rsa1024)).to.match(/^RSA keys must have at least 2048 bits; this one has 1024/);
    expect(refusal(KEYS.dsa)).to.match(/^DSA keys are no longer accepted/);
    expect(refusal('-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----')).to.contain('private key');
    expect(refusal(`${KEYS.ed25519.line}\n${KEYS.ecdsa384.line}`)).to.equal('paste one key at a time (one line)');
    const [, edBlob] = KEYS.ed25519.line.split(' ');
    expect(refusal(`ssh-rsa ${edBlob}`)).to.equal("the key's data is not a ssh-rsa key");
    expect(refusal(`ssh-ed25519 ${edBlob.slice(0, -8)}`)).to.match(/base64|cut short/);
    const longer = Buffer.concat([Buffer.from(edBlob, 'base64'), Buffer.from([0])]).toString('base64');
    expect(refusal(`ssh-ed25519 ${longer}`)).to.equal('the key has bytes after its end');
    expect(refusal('from="10.0.0.1" ssh-ed25519 AAAA')).to.match(/^a public key starts with its type/);
    expect(refusal('')).to.equal('paste a public key');
  });
});

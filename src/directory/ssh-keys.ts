import { ResultCode } from '../ldap/result-codes';
import type { Change } from '../ldap/types';
import { parseSshPublicKey, SshKeyError, sshFingerprint, sshKeyLine } from '../security/ssh-key';
import type { Directory } from './directory';
import { LdapError } from './errors';
import type { Identity } from './identity';
import { findEntries, valuesOf } from './search/find-entries';

/**
 * A person's SSH keys (sshPublicKey, objectClass ldapPublicKey: what sssd and sshd's AuthorizedKeysCommand
 * read), as the portal shows and changes them. Reads and writes go through search and modify as `who`,
 * so access control and the audit log apply as to any LDAP client; what this adds is the check of a key
 * before it is stored: a supported type, RSA of at least 2048 bits, no key twice. (Values written over
 * LDAP are kept as sent, as OpenLDAP keeps them: a migrated directory's keys stay as they were.)
 */
export interface SshKeyListing {
  type: string;
  bits?: number;
  fingerprint: string;
  label: string;
  /** The stored value itself. */
  value: string;
}

const MAX_LABEL = 100;

function listing(value: string): SshKeyListing {
  try {
    const key = parseSshPublicKey(value);
    return { type: key.type, bits: key.bits, fingerprint: key.fingerprint, label: key.comment, value };
  } catch {
    const [type = '', data = '', ...rest] = value.trim().split(/[ \t]+/);
    return { type, fingerprint: sshFingerprint(Buffer.from(data, 'base64')), label: rest.join(' '), value };
  }
}

export async function sshKeysOf(d: Directory, who: Identity, dn: string): Promise<SshKeyListing[]> {
  const [entry] = await findEntries(d, who, dn, { type: 'present', attribute: 'objectClass' }, ['sshPublicKey'], 'base');
  return entry ? valuesOf(entry, 'sshPublicKey').map(listing) : [];
}

/** Checks and adds a pasted key under a label (the key's own comment when none is given). */
export async function addSshKey(d: Directory, who: Identity, dn: string, text: string, label: string): Promise<SshKeyListing> {
  let line: string;
  try {
    const key = parseSshPublicKey(text);
    // Kept as typed; a label of only spaces means none. A control character cannot be on an authorized_keys line.
    const name = label.trim() === '' ? key.comment : label;
    if (/\p{Cc}/u.test(name)) throw new SshKeyError('the label may not hold tabs, line breaks or other control characters');
    if ([...name].length > MAX_LABEL) throw new SshKeyError(`the label may be at most ${MAX_LABEL} characters`);
    line = sshKeyLine(key, name);
  } catch (err) {
    if (err instanceof SshKeyError) throw new LdapError(ResultCode.invalidAttributeSyntax, `sshPublicKey: ${err.message}`);
    throw err;
  }
  const added = listing(line);
  const [entry] = await findEntries(d, who, dn, { type: 'present', attribute: 'objectClass' }, ['objectClass', 'sshPublicKey'], 'base');
  if (!entry) throw new LdapError(ResultCode.noSuchObject, `no such entry: ${dn}`);
  const same = valuesOf(entry, 'sshPublicKey')
    .map(listing)
    .find((k) => k.fingerprint === added.fingerprint);
  if (same) throw new LdapError(ResultCode.attributeOrValueExists, `sshPublicKey: this key is there already${same.label ? ` (${same.label})` : ''}`);
  const changes: Change[] = [];
  if (!valuesOf(entry, 'objectClass').some((c) => c.toLowerCase() === 'ldappublickey'))
    changes.push({ operation: 'add', modification: { type: 'objectClass', values: ['ldapPublicKey'] } });
  changes.push({ operation: 'add', modification: { type: 'sshPublicKey', values: [line] } });
  await d.modify(who, dn, changes);
  return added;
}

/** Removes the key with this fingerprint. */
export async function removeSshKey(d: Directory, who: Identity, dn: string, fingerprint: string): Promise<SshKeyListing> {
  const key = (await sshKeysOf(d, who, dn)).find((k) => k.fingerprint === fingerprint);
  if (!key) throw new LdapError(ResultCode.noSuchAttribute, 'sshPublicKey: no such key (removed already?)');
  await d.modify(who, dn, [{ operation: 'delete', modification: { type: 'sshPublicKey', values: [key.value] } }]);
  return key;
}

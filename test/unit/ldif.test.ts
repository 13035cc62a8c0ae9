import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { valueBytes, valueFromBytes } from '../../src/bytes';
import { parseLdif, parseLdifAll, parseLdifStream } from '../../src/ldif/parse';
import { LdifAttribute, LdifError, LdifRecord } from '../../src/ldif/types';
import { formatLdifRecord, ldifHeader } from '../../src/ldif/write';

/** Joins lines with LF and ends the text with a newline. */
function ldif(...lines: string[]): string {
  return `${lines.join('\n')}\n`;
}

function parseOne(text: string): LdifRecord {
  const records = parseLdifAll(text);
  expect(records).to.have.length(1);
  return records[0];
}

function expectError(text: string, line: number, fragment: string): LdifError {
  let caught: unknown;
  try {
    parseLdifAll(text);
  } catch (error) {
    caught = error;
  }
  expect(caught, 'expected an LdifError').to.be.instanceOf(LdifError);
  const error = caught as LdifError;
  expect(error.line).to.equal(line);
  expect(error.message).to.match(new RegExp(`^line ${line}: `));
  expect(error.message).to.contain(fragment);
  return error;
}

function base64(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64');
}

describe('LDIF', () => {
  describe('LdifError', () => {
    it('prefixes the message with the line number', () => {
      const error = new LdifError('bad base64', 12);
      expect(error.message).to.equal('line 12: bad base64');
      expect(error.line).to.equal(12);
      expect(error.name).to.equal('LdifError');
      expect(error).to.be.instanceOf(Error);
    });
  });

  describe('content records', () => {
    it('parses a record with its dn line number and attributes', () => {
      const record = parseOne(ldif('dn: uid=alice,dc=example', 'objectClass: person', 'uid: alice', 'cn: Alice'));
      expect(record).to.deep.equal({
        kind: 'content',
        dn: 'uid=alice,dc=example',
        line: 1,
        attributes: [
          { name: 'objectClass', values: ['person'] },
          { name: 'uid', values: ['alice'] },
          { name: 'cn', values: ['Alice'] },
        ],
      });
    });

    it('gathers repeated attributes case-insensitively under the first spelling, in order of appearance', () => {
      const record = parseOne(ldif('dn: cn=x', 'cn: a', 'sn: s', 'CN: b', 'cn: c'));
      expect(record).to.deep.include({
        attributes: [
          { name: 'cn', values: ['a', 'b', 'c'] },
          { name: 'sn', values: ['s'] },
        ],
      });
    });

    it('keeps attribute options and numeric OIDs as written', () => {
      const record = parseOne(ldif('dn: cn=x', 'cn;lang-en: Sales', 'userCertificate;binary: abc', '2.5.4.3: y'));
      expect(record).to.deep.include({
        attributes: [
          { name: 'cn;lang-en', values: ['Sales'] },
          { name: 'userCertificate;binary', values: ['abc'] },
          { name: '2.5.4.3', values: ['y'] },
        ],
      });
    });

    it('reports each record at the line of its dn', () => {
      const records = parseLdifAll(ldif('# top', 'dn: cn=a', 'cn: a', '', '', '# b', 'dn: cn=b', 'cn: b'));
      expect(records.map((r) => [r.dn, r.line])).to.deep.equal([
        ['cn=a', 2],
        ['cn=b', 7],
      ]);
    });

    it('accepts an empty file, blank lines only and comments only', () => {
      expect(parseLdifAll('')).to.deep.equal([]);
      expect(parseLdifAll('\n\n\r\n')).to.deep.equal([]);
      expect(parseLdifAll('# just a comment\n')).to.deep.equal([]);
      expect(parseLdifAll('version: 1\n')).to.deep.equal([]);
    });

    it('accepts a last record without a final newline', () => {
      expect(parseLdifAll('dn: cn=x\ncn: x')).to.have.length(1);
    });

    it('accepts an empty value and an empty dn', () => {
      const record = parseOne(ldif('dn:', 'description:', 'cn: x'));
      expect(record.dn).to.equal('');
      expect(record).to.deep.include({
        attributes: [
          { name: 'description', values: [''] },
          { name: 'cn', values: ['x'] },
        ],
      });
    });
  });

  describe('version line', () => {
    it('is optional', () => {
      expect(parseOne(ldif('dn: cn=x', 'cn: x')).dn).to.equal('cn=x');
    });

    it('may be followed directly by a record or by blank lines', () => {
      expect(parseOne(ldif('version: 1', 'dn: cn=x', 'cn: x')).line).to.equal(2);
      expect(parseOne(ldif('version: 1', '', '', 'dn: cn=x', 'cn: x')).line).to.equal(4);
      expect(parseOne(ldif('# header', 'version: 1', '# comment', 'dn: cn=x', 'cn: x')).line).to.equal(4);
    });

    it('rejects versions other than 1', () => {
      expectError(ldif('version: 2', 'dn: cn=x', 'cn: x'), 1, 'unsupported LDIF version "2"');
    });

    it('is only recognised at the start of the file', () => {
      expectError(ldif('dn: cn=x', 'cn: x', '', 'version: 1', 'dn: cn=y', 'cn: y'), 4, 'record must start with "dn:"');
    });
  });

  describe('lines', () => {
    it('accepts CRLF, LF and a mix of both', () => {
      const expected = parseLdifAll(ldif('dn: cn=x', 'cn: x', '', 'dn: cn=y', 'cn: y'));
      expect(parseLdifAll('dn: cn=x\r\ncn: x\r\n\r\ndn: cn=y\r\ncn: y\r\n')).to.deep.equal(expected);
      expect(parseLdifAll('dn: cn=x\r\ncn: x\n\r\ndn: cn=y\ncn: y')).to.deep.equal(expected);
    });

    it('ignores a UTF-8 byte order mark', () => {
      expect(parseOne('\ufeffdn: cn=x\ncn: x\n').dn).to.equal('cn=x');
    });

    it('unfolds continuation lines, removing exactly one leading space', () => {
      const record = parseOne(ldif('dn: cn=Barbara J', ' ensen,dc=exa', ' mple', 'description: one', '  two', 'cn: x'));
      expect(record.dn).to.equal('cn=Barbara Jensen,dc=example');
      expect(record).to.deep.include({
        attributes: [
          { name: 'description', values: ['one two'] },
          { name: 'cn', values: ['x'] },
        ],
      });
    });

    it('unfolds attribute names and the separator too', () => {
      const record = parseOne(ldif('dn: cn=x', 'descr', ' iption', ' : folded'));
      expect(record).to.deep.include({ attributes: [{ name: 'description', values: ['folded'] }] });
    });

    it('ignores comment lines anywhere, including folded comments', () => {
      const record = parseOne(ldif('# a comment', ' that is folded', 'dn: cn=x', '# inside', ' cn: not an attribute', 'cn: x', '#last'));
      expect(record).to.deep.equal({ kind: 'content', dn: 'cn=x', line: 3, attributes: [{ name: 'cn', values: ['x'] }] });
    });

    it('does not treat # after the start of a line as a comment', () => {
      const record = parseOne(ldif('dn: cn=x', 'description: #1 # not a comment', ' #continued'));
      expect(record).to.deep.include({ attributes: [{ name: 'description', values: ['#1 # not a comment#continued'] }] });
    });

    it('skips the spaces after the colon but keeps trailing spaces and inner spaces', () => {
      const record = parseOne(ldif('dn:    cn=x', 'cn:x', 'sn:   two  words  '));
      expect(record.dn).to.equal('cn=x');
      expect(record).to.deep.include({
        attributes: [
          { name: 'cn', values: ['x'] },
          { name: 'sn', values: ['two  words  '] },
        ],
      });
    });

    it('keeps plain UTF-8 text as is', () => {
      const record = parseOne(ldif('dn: cn=José,dc=example', 'cn: José'));
      expect(record.dn).to.equal('cn=José,dc=example');
    });

    it('rejects a continuation line at the start of the file', () => {
      expectError(ldif(' dn: cn=x', 'cn: x'), 1, 'continuation line');
    });

    it('rejects a continuation line right after a blank line', () => {
      expectError(ldif('dn: cn=x', 'cn: x', '', ' more'), 4, 'continuation line');
    });

    it('rejects a line with no colon', () => {
      expectError(ldif('dn: cn=x', 'cn: x', 'just some words'), 3, 'no colon');
    });

    it('reports the first physical line of a folded line in errors', () => {
      expectError(ldif('dn: cn=x', 'cn: x', 'just some', ' words'), 3, 'no colon');
    });

    it('rejects an invalid attribute description', () => {
      expectError(ldif('dn: cn=x', 'common name: x'), 2, 'invalid attribute description "common name"');
      expectError(ldif('dn: cn=x', 'cn : x'), 2, 'invalid attribute description "cn "');
      expectError(ldif('dn: cn=x', ': x'), 2, 'invalid attribute description ""');
      expectError(ldif('dn: cn=x', 'cn;: x'), 2, 'invalid attribute description');
    });
  });

  describe('base64 values', () => {
    it('decodes base64 values and base64 dns as UTF-8', () => {
      const record = parseOne(ldif(`dn:: ${base64('cn=Émile,dc=example')}`, `cn:: ${base64('Émile')}`, `sn::${base64('x')}`));
      expect(record.dn).to.equal('cn=Émile,dc=example');
      expect(record).to.deep.include({
        attributes: [
          { name: 'cn', values: ['Émile'] },
          { name: 'sn', values: ['x'] },
        ],
      });
    });

    it('decodes leading/trailing spaces, colons and line breaks that only base64 can carry', () => {
      const value = ' :<tricky\r\nvalue ';
      const record = parseOne(ldif('dn: cn=x', `description:: ${base64(value)}`));
      expect(record).to.deep.include({ attributes: [{ name: 'description', values: [value] }] });
    });

    it('decodes folded base64 and an empty base64 value', () => {
      const encoded = base64('a fairly long value that needs more than one line when encoded in base64');
      const record = parseOne(ldif('dn: cn=x', `description:: ${encoded.slice(0, 30)}`, ` ${encoded.slice(30)}`, 'cn::'));
      expect(record).to.deep.include({
        attributes: [
          { name: 'description', values: ['a fairly long value that needs more than one line when encoded in base64'] },
          { name: 'cn', values: [''] },
        ],
      });
    });

    it('rejects bad base64', () => {
      expectError(ldif('dn: cn=x', 'cn: x', 'description:: not base64!'), 3, 'bad base64 value for "description"');
      expectError(ldif('dn: cn=x', 'cn:: YWJj='), 2, 'bad base64');
      expectError(ldif('dn: cn=x', 'cn:: YW Jj'), 2, 'bad base64');
      expectError(ldif('dn:: %%%', 'cn: x'), 1, 'bad base64 value for "dn"');
    });

    it('keeps base64 values that are not UTF-8 byte for byte', () => {
      const bytes = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0xe9]);
      const record = parseOne(ldif('dn: cn=x', `jpegPhoto:: ${bytes.toString('base64')}`));
      expect(record.kind === 'content' && valueBytes(record.attributes[0].values[0]).equals(bytes)).to.equal(true);
    });

    it('rejects a plain value that is not UTF-8, naming the line', () => {
      const text = valueFromBytes(Buffer.concat([Buffer.from('dn: cn=x\ncn: x\ndescription: caf'), Buffer.from([0xe9]), Buffer.from('\n')]));
      expectError(text, 3, 'not valid UTF-8: write binary values in base64');
    });
  });

  describe('URL values', () => {
    it('read a file:// URL as the value, byte for byte', () => {
      const dir = mkdtempSync(join(tmpdir(), 'cairn-ldif-'));
      try {
        const photo = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x80, 0x00, 0x0a]);
        writeFileSync(join(dir, 'photo.jpg'), photo);
        const record = parseOne(ldif('dn: cn=x', `jpegPhoto:< file://${join(dir, 'photo.jpg')}`));
        expect(record.kind === 'content' && valueBytes(record.attributes[0].values[0]).equals(photo)).to.equal(true);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('refuse other URLs and files that cannot be read, naming the line', () => {
      expectError(ldif('dn: cn=x', 'jpegPhoto:< http://example.com/photo.jpg'), 2, 'only file:// URLs are supported');
      expectError(ldif('dn: cn=x', 'changetype: add', 'jpegPhoto:<file:///nonexistent/photo.jpg'), 3, 'cannot read file:///nonexistent/photo.jpg');
    });
  });

  describe('record structure errors', () => {
    it('rejects a record that does not start with dn', () => {
      expectError(ldif('cn: x', 'sn: y'), 1, 'record must start with "dn:", found "cn:"');
      expectError(ldif('dn: cn=a', 'cn: a', '', '# b', 'cn: b'), 5, 'record must start with "dn:"');
    });

    it('rejects a dn line inside a record', () => {
      expectError(ldif('dn: cn=a', 'cn: a', 'dn: cn=b', 'cn: b'), 3, 'missing blank line between records?');
    });

    it('rejects a content record without attributes', () => {
      expectError(ldif('dn: cn=a', 'cn: a', '', 'dn: cn=b'), 4, 'record has no attributes');
    });

    it('rejects changetype and control anywhere but right after the dn', () => {
      expectError(ldif('dn: cn=a', 'cn: a', 'changetype: add'), 3, '"changetype:" must come right after the dn line');
      expectError(ldif('dn: cn=a', 'changetype: add', 'cn: a', 'control: 1.2.3'), 4, '"control:" must come right after');
    });

    it('yields the records before an error and nothing for the bad record', () => {
      const seen: string[] = [];
      let caught: unknown;
      try {
        for (const record of parseLdif(ldif('dn: cn=a', 'cn: a', '', 'dn: cn=b', 'cn:: !!', '', 'dn: cn=c', 'cn: c'))) {
          seen.push(record.dn);
        }
      } catch (error) {
        caught = error;
      }
      expect(seen).to.deep.equal(['cn=a']);
      expect(caught).to.be.instanceOf(LdifError).and.have.property('line', 5);
    });

    it('parses lazily: an error in a later record is not seen until it is reached', () => {
      const records = parseLdif(ldif('dn: cn=a', 'cn: a', '', 'garbage'));
      expect(records.next().value).to.deep.include({ dn: 'cn=a' });
      expect(() => records.next()).to.throw(LdifError, 'line 4:');
    });
  });

  describe('change records', () => {
    it('parses changetype: add', () => {
      const record = parseOne(ldif('dn: cn=x', 'changetype: add', 'objectClass: person', 'cn: x', 'sn: y'));
      expect(record).to.deep.equal({
        kind: 'add',
        dn: 'cn=x',
        line: 1,
        controls: [],
        attributes: [
          { name: 'objectClass', values: ['person'] },
          { name: 'cn', values: ['x'] },
          { name: 'sn', values: ['y'] },
        ],
      });
    });

    it('rejects an add without attributes', () => {
      expectError(ldif('dn: cn=x', 'changetype: add'), 1, 'record has no attributes');
    });

    it('parses changetype: delete', () => {
      expect(parseOne(ldif('dn: cn=x', 'changetype: delete'))).to.deep.equal({
        kind: 'delete',
        dn: 'cn=x',
        line: 1,
        controls: [],
      });
    });

    it('rejects lines after a delete', () => {
      expectError(ldif('dn: cn=x', 'changetype: delete', 'cn: x'), 3, 'unexpected line in a "changetype: delete" record');
    });

    it('accepts the changetype in any case and with trailing spaces', () => {
      expect(parseOne(ldif('dn: cn=x', 'changeType: DELETE  ')).kind).to.equal('delete');
    });

    it('rejects an unknown changetype', () => {
      expectError(ldif('dn: cn=x', 'changetype: rename'), 2, 'unknown changetype "rename"');
    });

    it('accepts content and change records in the same file', () => {
      const records = parseLdifAll(ldif('dn: cn=a', 'cn: a', '', 'dn: cn=b', 'changetype: delete'));
      expect(records.map((r) => r.kind)).to.deep.equal(['content', 'delete']);
    });
  });

  describe('controls', () => {
    it('parses controls with and without criticality and values', () => {
      const record = parseOne(
        ldif(
          'dn: cn=x',
          'control: 1.2.840.113556.1.4.805 true',
          'control: 1.2.3.4',
          'control: 1.2.3.5 false: plain value',
          `control: 1.2.3.6 true:: ${base64('encoded')}`,
          'control: 1.2.3.7: no criticality',
          'changetype: delete',
        ),
      );
      expect(record).to.deep.include({
        controls: [
          { oid: '1.2.840.113556.1.4.805', critical: true },
          { oid: '1.2.3.4', critical: false },
          { oid: '1.2.3.5', critical: false, value: 'plain value' },
          { oid: '1.2.3.6', critical: true, value: 'encoded' },
          { oid: '1.2.3.7', critical: false, value: 'no criticality' },
        ],
      });
    });

    it('attaches controls to every kind of change record', () => {
      const text = (changetype: string, ...rest: string[]): string => ldif('dn: cn=x', 'control: 1.2.3 true', `changetype: ${changetype}`, ...rest);
      for (const record of [
        parseOne(text('add', 'cn: x')),
        parseOne(text('delete')),
        parseOne(text('modify', 'delete: cn', '-')),
        parseOne(text('modrdn', 'newrdn: cn=y', 'deleteoldrdn: 1')),
      ]) {
        expect(record).to.deep.include({ controls: [{ oid: '1.2.3', critical: true }] });
      }
    });

    it('rejects a malformed control line', () => {
      expectError(ldif('dn: cn=x', 'control: treedelete true', 'changetype: delete'), 2, 'malformed control line');
      expectError(ldif('dn: cn=x', 'control: 1.2.3 maybe', 'changetype: delete'), 2, 'malformed control line');
      expectError(ldif('dn: cn=x', 'control: 1.2.3:: !!', 'changetype: delete'), 2, 'bad base64');
      expectError(ldif('dn: cn=x', 'control: 1.2.3:< file:///x', 'changetype: delete'), 2, 'URL values are not supported');
    });

    it('rejects controls not followed by a changetype', () => {
      expectError(ldif('dn: cn=x', 'control: 1.2.3', 'cn: x'), 3, '"control:" lines must be followed by "changetype:"');
      expectError(ldif('dn: cn=x', 'control: 1.2.3'), 1, '"control:" lines must be followed by "changetype:"');
    });
  });

  describe('changetype: modify', () => {
    it('parses add, delete, replace and increment blocks', () => {
      const record = parseOne(
        ldif(
          'dn: uid=alice,dc=example',
          'changetype: modify',
          'add: mail',
          'mail: a@example.com',
          'mail: b@example.com',
          '-',
          'delete: description',
          '-',
          'delete: telephoneNumber',
          'telephoneNumber: 123',
          '-',
          'replace: cn;lang-en',
          'cn;lang-en: Alice',
          '-',
          'replace: seeAlso',
          '-',
          'increment: uidNumber',
          'uidNumber: 1',
          '-',
        ),
      );
      expect(record).to.deep.equal({
        kind: 'modify',
        dn: 'uid=alice,dc=example',
        line: 1,
        controls: [],
        changes: [
          { operation: 'add', attribute: 'mail', values: ['a@example.com', 'b@example.com'] },
          { operation: 'delete', attribute: 'description', values: [] },
          { operation: 'delete', attribute: 'telephoneNumber', values: ['123'] },
          { operation: 'replace', attribute: 'cn;lang-en', values: ['Alice'] },
          { operation: 'replace', attribute: 'seeAlso', values: [] },
          { operation: 'increment', attribute: 'uidNumber', values: ['1'] },
        ],
      });
    });

    it('matches value lines to the block attribute case-insensitively and decodes base64 values', () => {
      const record = parseOne(ldif('dn: cn=x', 'changetype: modify', 'Replace: CN', `cn:: ${base64('Zoë')}`, '-'));
      expect(record).to.deep.include({ changes: [{ operation: 'replace', attribute: 'CN', values: ['Zoë'] }] });
    });

    it('accepts a modify with no blocks and a "-" with trailing spaces', () => {
      expect(parseOne(ldif('dn: cn=x', 'changetype: modify'))).to.deep.include({ changes: [] });
      expect(parseOne(ldif('dn: cn=x', 'changetype: modify', 'delete: cn', '-  '))).to.deep.include({
        changes: [{ operation: 'delete', attribute: 'cn', values: [] }],
      });
    });

    it('rejects a value line for another attribute', () => {
      expectError(ldif('dn: cn=x', 'changetype: modify', 'add: mail', 'mail: a', 'cn: b', '-'), 5, 'attribute "cn" does not match the "add: mail" block');
      expectError(ldif('dn: cn=x', 'changetype: modify', 'add: cn', 'cn;lang-en: b', '-'), 4, 'does not match');
    });

    it('rejects a block that is not ended by "-" before the next block', () => {
      expectError(ldif('dn: cn=x', 'changetype: modify', 'add: mail', 'mail: a', 'replace: cn', 'cn: b', '-'), 5, 'missing "-" to end the "add: mail" block');
    });

    it('rejects a last block that is not ended by "-", at the block line', () => {
      expectError(ldif('dn: cn=x', 'changetype: modify', 'add: mail', 'mail: a'), 3, 'missing "-" to end the "add: mail" block');
      expectError(ldif('dn: cn=x', 'changetype: modify', 'delete: mail', '', 'dn: cn=y', 'changetype: delete'), 3, 'missing "-"');
    });

    it('rejects an unknown operation, a stray "-" and an invalid attribute', () => {
      expectError(ldif('dn: cn=x', 'changetype: modify', 'mail: a', '-'), 3, 'expected "add:", "delete:", "replace:" or "increment:", found "mail:"');
      expectError(ldif('dn: cn=x', 'changetype: modify', 'delete: cn', '-', '-'), 5, 'unexpected "-"');
      expectError(ldif('dn: cn=x', 'changetype: modify', 'delete: bad name', '-'), 3, 'invalid attribute description "bad name"');
      expectError(ldif('dn: cn=x', 'changetype: modify', 'delete: mail', 'oops', '-'), 4, 'no colon');
    });

    it('rejects an add without values and an increment without exactly one value', () => {
      expectError(ldif('dn: cn=x', 'changetype: modify', 'add: mail', '-'), 3, '"add: mail" needs at least one value');
      expectError(ldif('dn: cn=x', 'changetype: modify', 'increment: n', '-'), 3, 'needs exactly one value');
      expectError(ldif('dn: cn=x', 'changetype: modify', 'increment: n', 'n: 1', 'n: 2', '-'), 3, 'needs exactly one value');
    });
  });

  describe('changetype: modrdn / moddn', () => {
    it('parses newrdn, deleteoldrdn and newsuperior', () => {
      expect(parseOne(ldif('dn: cn=a,dc=x', 'changetype: modrdn', 'newrdn: cn=b', 'deleteoldrdn: 1'))).to.deep.equal({
        kind: 'modrdn',
        dn: 'cn=a,dc=x',
        line: 1,
        newRdn: 'cn=b',
        deleteOldRdn: true,
        controls: [],
      });
      const moved = parseOne(ldif('dn: cn=a,dc=x', 'changetype: moddn', 'newrdn: cn=a', 'deleteoldrdn: 0', 'newsuperior: ou=y,dc=x'));
      expect(moved).to.deep.include({ kind: 'modrdn', newRdn: 'cn=a', deleteOldRdn: false, newSuperior: 'ou=y,dc=x' });
    });

    it('decodes base64 newrdn and newsuperior', () => {
      const record = parseOne(ldif('dn: cn=a', 'changetype: modrdn', `newrdn:: ${base64('cn=Zoë')}`, 'deleteoldrdn: 1', `newsuperior:: ${base64('o=Café')}`));
      expect(record).to.deep.include({ newRdn: 'cn=Zoë', newSuperior: 'o=Café' });
    });

    it('rejects deleteoldrdn other than 0 or 1', () => {
      expectError(ldif('dn: cn=a', 'changetype: modrdn', 'newrdn: cn=b', 'deleteoldrdn: true'), 4, 'deleteoldrdn must be 0 or 1');
      expectError(ldif('dn: cn=a', 'changetype: modrdn', 'newrdn: cn=b', 'deleteoldrdn:'), 4, 'deleteoldrdn must be 0 or 1');
    });

    it('rejects a missing newrdn or deleteoldrdn at the dn line', () => {
      expectError(ldif('# x', 'dn: cn=a', 'changetype: modrdn', 'deleteoldrdn: 1'), 2, 'needs a "newrdn:" line');
      expectError(ldif('dn: cn=a', 'changetype: modrdn', 'newrdn: cn=b'), 1, 'needs a "deleteoldrdn:" line');
    });

    it('rejects an empty newrdn, duplicate lines and other lines', () => {
      expectError(ldif('dn: cn=a', 'changetype: modrdn', 'newrdn:', 'deleteoldrdn: 1'), 3, 'newrdn is empty');
      expectError(ldif('dn: cn=a', 'changetype: modrdn', 'newrdn: cn=b', 'newrdn: cn=c', 'deleteoldrdn: 1'), 4, 'duplicate "newrdn:"');
      expectError(ldif('dn: cn=a', 'changetype: modrdn', 'newrdn: cn=b', 'deleteoldrdn: 1', 'cn: b'), 5, 'unexpected "cn:" in a modrdn record');
    });
  });

  describe('RFC 2849 examples', () => {
    it('example 1: two entries', () => {
      const records = parseLdifAll(
        ldif(
          'version: 1',
          'dn: cn=Barbara Jensen, ou=Product Development, dc=airius, dc=com',
          'objectclass: top',
          'objectclass: person',
          'objectclass: organizationalPerson',
          'cn: Barbara Jensen',
          'cn: Barbara J Jensen',
          'cn: Babs Jensen',
          'sn: Jensen',
          'uid: bjensen',
          'telephonenumber: +1 408 555 1212',
          'description: A big sailing fan.',
          '',
          'dn: cn=Bjorn Jensen, ou=Accounting, dc=airius, dc=com',
          'objectclass: top',
          'objectclass: person',
          'objectclass: organizationalPerson',
          'cn: Bjorn Jensen',
          'sn: Jensen',
          'telephonenumber: +1 408 555 1212',
        ),
      );
      expect(records).to.have.length(2);
      expect(records[0]).to.deep.equal({
        kind: 'content',
        dn: 'cn=Barbara Jensen, ou=Product Development, dc=airius, dc=com',
        line: 2,
        attributes: [
          { name: 'objectclass', values: ['top', 'person', 'organizationalPerson'] },
          { name: 'cn', values: ['Barbara Jensen', 'Barbara J Jensen', 'Babs Jensen'] },
          { name: 'sn', values: ['Jensen'] },
          { name: 'uid', values: ['bjensen'] },
          { name: 'telephonenumber', values: ['+1 408 555 1212'] },
          { name: 'description', values: ['A big sailing fan.'] },
        ],
      });
      expect(records[1]).to.deep.include({ dn: 'cn=Bjorn Jensen, ou=Accounting, dc=airius, dc=com', line: 14 });
    });

    it('example 2: a folded attribute value, no space after the colons', () => {
      const record = parseOne(
        ldif(
          'version: 1',
          'dn:cn=Barbara Jensen, ou=Product Development, dc=airius, dc=com',
          'objectclass:top',
          'objectclass:person',
          'objectclass:organizationalPerson',
          'cn:Barbara Jensen',
          'cn:Barbara J Jensen',
          'cn:Babs Jensen',
          'sn:Jensen',
          'uid:bjensen',
          'telephonenumber:+1 408 555 1212',
          'description:Babs is a big sailing fan, and travels extensively in sea',
          ' rch of perfect sailing conditions.',
          'title:Product Manager, Rod and Reel Division',
        ),
      );
      expect(record.dn).to.equal('cn=Barbara Jensen, ou=Product Development, dc=airius, dc=com');
      expect(record).to.deep.include({
        attributes: [
          { name: 'objectclass', values: ['top', 'person', 'organizationalPerson'] },
          { name: 'cn', values: ['Barbara Jensen', 'Barbara J Jensen', 'Babs Jensen'] },
          { name: 'sn', values: ['Jensen'] },
          { name: 'uid', values: ['bjensen'] },
          { name: 'telephonenumber', values: ['+1 408 555 1212'] },
          {
            name: 'description',
            values: ['Babs is a big sailing fan, and travels extensively in search of perfect sailing conditions.'],
          },
          { name: 'title', values: ['Product Manager, Rod and Reel Division'] },
        ],
      });
    });

    it('example 3: a base64-encoded value containing a CR', () => {
      const record = parseOne(
        ldif(
          'version: 1',
          'dn: cn=Gern Jensen, ou=Product Testing, dc=airius, dc=com',
          'objectclass: top',
          'objectclass: person',
          'objectclass: organizationalPerson',
          'cn: Gern Jensen',
          'cn: Gern O Jensen',
          'sn: Jensen',
          'uid: gernj',
          'telephonenumber: +1 408 555 1212',
          'description:: V2hhdCBhIGNhcmVmdWwgcmVhZGVyIHlvdSBhcmUhICBUaGlzIHZhbHVl',
          ' IGlzIGJhc2UtNjQtZW5jb2RlZCBiZWNhdXNlIGl0IGhhcyBhIGNvbnRyb2wgY2hhcmFjdG',
          ' VyIGluIGl0IChhIENSKS4NICBCeSB0aGUgd2F5LCB5b3Ugc2hvdWxkIHJlYWxseSBnZXQg',
          ' b3V0IG1vcmUu',
        ),
      );
      const description = record.kind === 'content' ? record.attributes.find((a) => a.name === 'description') : undefined;
      expect(description?.values).to.deep.equal([
        'What a careful reader you are!  This value is base-64-encoded because it has a control character in it ' +
          '(a CR).\r  By the way, you should really get out more.',
      ]);
    });

    it('example 4: UTF-8 values, base64 dns and language options', () => {
      const records = parseLdifAll(
        ldif(
          'version: 1',
          'dn:: b3U95Za25qWt6YOoLG89QWlyaXVz',
          '# dn:: ou=<JapaneseOU>,o=Airius',
          'objectclass: top',
          'objectclass: organizationalUnit',
          'ou:: 5Za25qWt6YOo',
          '# ou:: <JapaneseOU>',
          'ou;lang-ja:: 5Za25qWt6YOo',
          '# ou;lang-ja:: <JapaneseOU>',
          'ou;lang-ja;phonetic:: 44GI44GE44GO44KH44GG44G2',
          '# ou;lang-ja:: <JapaneseOU_in_phonetic_representation>',
          'ou;lang-en: Sales',
          'description: Japanese office',
          '',
          'dn:: dWlkPXJvZ2FzYXdhcmEsb3U95Za25qWt6YOoLG89QWlyaXVz',
          '# dn:: uid=<uid>,ou=<JapaneseOU>,o=Airius',
          'userpassword: {SHA}O3HSv1MusyL4kTjP+HKI5uxuNoM=',
          'objectclass: top',
          'objectclass: person',
          'objectclass: organizationalPerson',
          'objectclass: inetOrgPerson',
          'uid: rogasawara',
          'mail: rogasawara@airius.co.jp',
          'givenname;lang-ja:: 44Ot44OJ44OL44O8',
          '# givenname;lang-ja:: <JapaneseGivenname>',
          'sn;lang-ja:: 5bCP56yg5Y6f',
          '# sn;lang-ja:: <JapaneseSn>',
          'cn;lang-ja:: 5bCP56yg5Y6fIOODreODieODi+ODvA==',
          '# cn;lang-ja:: <JapaneseCn>',
          'title;lang-ja:: 5Za25qWt6YOoIOmDqOmVtw==',
          '# title;lang-ja:: <JapaneseTitle>',
          'preferredlanguage: ja',
          'givenname:: 44Ot44OJ44OL44O8',
          '# givenname:: <JapaneseGivenname>',
          'sn:: 5bCP56yg5Y6f',
          '# sn:: <JapaneseSn>',
          'cn:: 5bCP56yg5Y6fIOODreODieODi+ODvA==',
          '# cn:: <JapaneseCn>',
          'title:: 5Za25qWt6YOoIOmDqOmVtw==',
          '# title:: <JapaneseTitle>',
          'givenname;lang-ja;phonetic:: 44KN44Gp44Gr44O8',
          // The RFC text has this comment's second line unprefixed; here it is folded, which is valid.
          '# givenname;lang-ja;phonetic::',
          '  <JapaneseGivenname_in_phonetic_representation_kana>',
          'sn;lang-ja;phonetic:: 44GK44GM44GV44KP44KJ',
          '# sn;lang-ja;phonetic:: <JapaneseSn_in_phonetic_representation_kana>',
          'cn;lang-ja;phonetic:: 44GK44GM44GV44KP44KJIOOCjeOBqeOBq+ODvA==',
          '# cn;lang-ja;phonetic:: <JapaneseCn_in_phonetic_representation_kana>',
          'title;lang-ja;phonetic:: 44GI44GE44GO44KH44GG44G2IOOBtuOBoeOCh+OBhg==',
          '# title;lang-ja;phonetic::',
          '# <JapaneseTitle_in_phonetic_representation_kana>',
          'givenname;lang-en: Rodney',
          'sn;lang-en: Ogasawara',
          'cn;lang-en: Rodney Ogasawara',
          'title;lang-en: Sales, Director',
        ),
      );
      expect(records).to.have.length(2);
      expect(records[0]).to.deep.equal({
        kind: 'content',
        dn: 'ou=営業部,o=Airius',
        line: 2,
        attributes: [
          { name: 'objectclass', values: ['top', 'organizationalUnit'] },
          { name: 'ou', values: ['営業部'] },
          { name: 'ou;lang-ja', values: ['営業部'] },
          { name: 'ou;lang-ja;phonetic', values: ['えいぎょうぶ'] },
          { name: 'ou;lang-en', values: ['Sales'] },
          { name: 'description', values: ['Japanese office'] },
        ],
      });
      expect(records[1].dn).to.equal('uid=rogasawara,ou=営業部,o=Airius');
      const attributes = records[1].kind === 'content' ? records[1].attributes : [];
      const valuesOf = (name: string): string[] | undefined => attributes.find((a) => a.name === name)?.values;
      expect(valuesOf('cn;lang-ja')).to.deep.equal(['小笠原 ロドニー']);
      expect(valuesOf('cn;lang-ja;phonetic')).to.deep.equal(['おがさわら ろどにー']);
      expect(valuesOf('title;lang-ja;phonetic')).to.deep.equal(['えいぎょうぶ ぶちょう']);
      expect(valuesOf('givenname')).to.deep.equal(['ロドニー']);
      expect(valuesOf('title;lang-en')).to.deep.equal(['Sales, Director']);
      expect(valuesOf('userpassword')).to.deep.equal(['{SHA}O3HSv1MusyL4kTjP+HKI5uxuNoM=']);
    });

    it('example 5: an externally referenced value is read (here it is missing: the line is named); the rest parses', () => {
      const lines = [
        'version: 1',
        'dn: cn=Horatio Jensen, ou=Product Testing, dc=airius, dc=com',
        'objectclass: top',
        'objectclass: person',
        'objectclass: organizationalPerson',
        'cn: Horatio Jensen',
        'cn: Horatio N Jensen',
        'sn: Jensen',
        'uid: hjensen',
        'telephonenumber: +1 408 555 1212',
      ];
      expectError(
        ldif(...lines, 'jpegphoto:< file:///usr/local/directory/photos/hjensen.jpg'),
        11,
        'cannot read file:///usr/local/directory/photos/hjensen.jpg',
      );
      expect(parseOne(ldif(...lines))).to.deep.include({ kind: 'content', line: 2 });
    });

    it('example 6: change records (without the URL value)', () => {
      const records = parseLdifAll(
        ldif(
          'version: 1',
          '# Add a new entry',
          'dn: cn=Fiona Jensen, ou=Marketing, dc=airius, dc=com',
          'changetype: add',
          'objectclass: top',
          'objectclass: person',
          'objectclass: organizationalPerson',
          'cn: Fiona Jensen',
          'sn: Jensen',
          'uid: fiona',
          'telephonenumber: +1 408 555 1212',
          '',
          '# Delete an existing entry',
          'dn: cn=Robert Jensen, ou=Marketing, dc=airius, dc=com',
          'changetype: delete',
          '',
          "# Modify an entry's relative distinguished name",
          'dn: cn=Paul Jensen, ou=Product Development, dc=airius, dc=com',
          'changetype: modrdn',
          'newrdn: cn=Paula Jensen',
          'deleteoldrdn: 1',
          '',
          '# Rename an entry and move all of its children to a new location in',
          '# the directory tree (only implemented by LDAPv3 servers).',
          'dn: ou=PD Accountants, ou=Product Development, dc=airius, dc=com',
          'changetype: modrdn',
          'newrdn: ou=Product Development Accountants',
          'deleteoldrdn: 0',
          'newsuperior: ou=Accounting, dc=airius, dc=com',
          '',
          '# Modify an entry: add an additional value to the postaladdress',
          '# attribute, completely delete the description attribute, replace',
          '# the telephonenumber attribute with two values, and delete a specific',
          '# value from the facsimiletelephonenumber attribute',
          'dn: cn=Paula Jensen, ou=Product Development, dc=airius, dc=com',
          'changetype: modify',
          'add: postaladdress',
          'postaladdress: 123 Anystreet $ Sunnyvale, CA $ 94086',
          '-',
          'delete: description',
          '-',
          'replace: telephonenumber',
          'telephonenumber: +1 408 555 1234',
          'telephonenumber: +1 408 555 5678',
          '-',
          'delete: facsimiletelephonenumber',
          'facsimiletelephonenumber: +1 408 555 9876',
          '-',
          '',
          '# Modify an entry: replace the postaladdress attribute with an empty',
          '# set of values (which will cause the attribute to be removed), and',
          '# delete the entire description attribute. Note that the first will',
          '# always succeed, while the second will only succeed if at least',
          '# one value for the description attribute is present.',
          'dn: cn=Ingrid Jensen, ou=Product Support, dc=airius, dc=com',
          'changetype: modify',
          'replace: postaladdress',
          '-',
          'delete: description',
          '-',
        ),
      );
      expect(records.map((r) => [r.kind, r.line])).to.deep.equal([
        ['add', 3],
        ['delete', 14],
        ['modrdn', 18],
        ['modrdn', 25],
        ['modify', 35],
        ['modify', 55],
      ]);
      expect(records[2]).to.deep.include({ newRdn: 'cn=Paula Jensen', deleteOldRdn: true });
      expect(records[2]).to.not.have.property('newSuperior');
      expect(records[3]).to.deep.include({
        newRdn: 'ou=Product Development Accountants',
        deleteOldRdn: false,
        newSuperior: 'ou=Accounting, dc=airius, dc=com',
      });
      expect(records[4]).to.deep.include({
        changes: [
          { operation: 'add', attribute: 'postaladdress', values: ['123 Anystreet $ Sunnyvale, CA $ 94086'] },
          { operation: 'delete', attribute: 'description', values: [] },
          { operation: 'replace', attribute: 'telephonenumber', values: ['+1 408 555 1234', '+1 408 555 5678'] },
          { operation: 'delete', attribute: 'facsimiletelephonenumber', values: ['+1 408 555 9876'] },
        ],
      });
      expect(records[5]).to.deep.include({
        changes: [
          { operation: 'replace', attribute: 'postaladdress', values: [] },
          { operation: 'delete', attribute: 'description', values: [] },
        ],
      });
    });

    it('example 7: a delete with a control', () => {
      const record = parseOne(
        ldif(
          'version: 1',
          '# Delete an entry. The operation will attach the LDAPv3',
          '# Tree Delete Control defined in [9]. The criticality',
          '# field is "true" and the controlValue field is',
          '# absent, as required by [9].',
          'dn: ou=Product Development, dc=airius, dc=com',
          'control: 1.2.840.113556.1.4.805 true',
          'changetype: delete',
        ),
      );
      expect(record).to.deep.equal({
        kind: 'delete',
        dn: 'ou=Product Development, dc=airius, dc=com',
        line: 6,
        controls: [{ oid: '1.2.840.113556.1.4.805', critical: true }],
      });
    });
  });

  describe('large input', () => {
    it('streams 20,000 records without building an array', () => {
      const lines: string[] = ['version: 1', ''];
      for (let i = 0; i < 20000; i++) {
        lines.push(`dn: uid=user${i},ou=people,dc=example`, 'objectClass: inetOrgPerson', `uid: user${i}`, `cn: User ${i}`, '');
      }
      const text = lines.join('\n');
      let count = 0;
      let last: LdifRecord | undefined;
      for (const record of parseLdif(text)) {
        count++;
        last = record;
      }
      expect(count).to.equal(20000);
      expect(last).to.deep.include({ dn: 'uid=user19999,ou=people,dc=example', line: 3 + 19999 * 5 });
    });
  });

  describe('formatLdifRecord', () => {
    it('writes the header', () => {
      expect(ldifHeader()).to.equal('version: 1\n\n');
    });

    it('writes safe values as plain text and ends the record with a blank line', () => {
      const text = formatLdifRecord({
        dn: 'uid=alice,dc=example',
        attributes: [
          { name: 'objectClass', values: ['top', 'person'] },
          { name: 'cn;lang-en', values: ['Alice: the first'] },
          { name: 'description', values: [''] },
        ],
      });
      expect(text).to.equal('dn: uid=alice,dc=example\nobjectClass: top\nobjectClass: person\ncn;lang-en: Alice: the first\ndescription:\n\n');
    });

    it('base64-encodes values that are not SAFE-STRINGs', () => {
      const unsafe = [' leading space', 'trailing space ', ':colon', '<angle', 'José', 'tab\there', 'nul\0', 'cr\r', 'lf\n', 'del\x7f'];
      for (const value of unsafe) {
        const text = formatLdifRecord({ dn: 'cn=x', attributes: [{ name: 'description', values: [value] }] });
        expect(text, JSON.stringify(value)).to.equal(`dn: cn=x\ndescription:: ${base64(value)}\n\n`);
      }
      expect(formatLdifRecord({ dn: ' cn=x', attributes: [] })).to.equal(`dn:: ${base64(' cn=x')}\n\n`);
      const safe = ['a:b', 'a<b', 'inner space', '#hash', '-', 'x '.trim()];
      for (const value of safe) {
        const text = formatLdifRecord({ dn: 'cn=x', attributes: [{ name: 'description', values: [value] }] });
        expect(text).to.equal(`dn: cn=x\ndescription: ${value}\n\n`);
      }
    });

    it('folds lines at 76 columns', () => {
      const value = 'x'.repeat(200);
      const text = formatLdifRecord({ dn: 'cn=x', attributes: [{ name: 'description', values: [value] }] });
      const lines = text.split('\n');
      expect(lines.every((line) => line.length <= 76)).to.equal(true);
      expect(lines[1]).to.have.length(76);
      expect(lines[2]).to.match(/^ x{75}$/);
      expect(lines.slice(-2)).to.deep.equal(['', '']);
      expect(
        lines
          .slice(1, -2)
          .map((line, i) => (i === 0 ? line : line.slice(1)))
          .join(''),
      ).to.equal(`description: ${value}`);
    });

    it('rejects an invalid attribute description', () => {
      expect(() => formatLdifRecord({ dn: 'cn=x', attributes: [{ name: 'bad name', values: ['x'] }] })).to.throw('invalid attribute description');
    });

    it('round-trips through parseLdif', () => {
      const samples: { dn: string; attributes: LdifAttribute[] }[] = [
        { dn: 'uid=alice,dc=example', attributes: [{ name: 'cn', values: ['Alice', 'Alice Liddell'] }] },
        {
          dn: 'cn=Émile Zoë,ou=Café,dc=example',
          attributes: [
            { name: 'objectClass', values: ['top', 'person'] },
            { name: 'cn', values: ['Émile Zoë'] },
            { name: 'description', values: ['line one\nline two\r\n', ' padded ', ':', '<', '', '😀 emoji', 'y'.repeat(500)] },
            { name: 'cn;lang-fr', values: ['Émile'] },
            { name: '2.5.4.4', values: ['z'.repeat(75), 'é'.repeat(100)] },
          ],
        },
        { dn: '', attributes: [{ name: 'objectClass', values: ['top'] }] },
        { dn: 'cn=' + 'long'.repeat(50), attributes: [{ name: 'a'.repeat(90), values: ['v'] }] },
      ];
      for (const sample of samples) {
        const text = ldifHeader() + formatLdifRecord(sample);
        const record = parseOne(text);
        expect(record).to.deep.equal({ kind: 'content', dn: sample.dn, line: 3, attributes: sample.attributes });
      }
      const all = ldifHeader() + samples.map(formatLdifRecord).join('');
      expect(parseLdifAll(all).map((r) => r.dn)).to.deep.equal(samples.map((s) => s.dn));
    });
  });

  describe('read as a stream (cairn import: a file of any size, never whole in memory)', () => {
    /** The bytes in chunks of `size`, as a file stream delivers them. */
    async function* chunks(bytes: Buffer, size: number) {
      for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
    }
    const streamed = async (bytes: Buffer, size: number) => {
      const out: LdifRecord[] = [];
      for await (const r of parseLdifStream(chunks(bytes, size))) out.push(r);
      return out;
    };
    const errorOf = (p: Promise<unknown>) =>
      p.then(
        () => undefined,
        (e: unknown) => e,
      );

    it('gives the same records, lines and bytes as the whole text, whatever the chunks', async () => {
      const bytes = Buffer.concat([
        Buffer.from('\ufeffversion: 1\r\n\r\n# a comment\r\n  continued comment\r\ndn: cn=caf\u00e9,dc=example\r\ncn: caf\u00e9\r\n'),
        Buffer.from('description: folded', 'utf8'),
        Buffer.from('\n  over two lines\ngecos:: ' + Buffer.from([0x4a, 0xe9, 0x72, 0xf4, 0x6d, 0x65]).toString('base64') + '\n\n\n'),
        Buffer.from('dn: cn=b,dc=example\nchangetype: modify\nreplace: sn\nsn: \u{1f600}\n-\n\ndn: cn=c,dc=example\nchangetype: delete'),
      ]);
      const whole = parseLdifAll(valueFromBytes(bytes));
      expect(whole).to.have.length(3);
      expect(valueBytes(whole[0].kind === 'content' ? whole[0].attributes[2].values[0] : '')).to.deep.equal(Buffer.from([0x4a, 0xe9, 0x72, 0xf4, 0x6d, 0x65]));
      for (const size of [1, 2, 3, 5, 7, 64, bytes.length]) expect(await streamed(bytes, size), `chunks of ${size}`).to.deep.equal(whole);
    });

    it('reports a syntax error at the same line as the whole text, after the records before it', async () => {
      const text = ldif('dn: cn=a', 'cn: a', '', 'dn: cn=b', 'no colon here', '');
      const seen: string[] = [];
      const error = await errorOf(
        (async () => {
          for await (const r of parseLdifStream(chunks(Buffer.from(text), 4))) seen.push(r.dn);
        })(),
      );
      expect(seen).to.deep.equal(['cn=a']);
      expect(error).to.be.instanceOf(LdifError);
      expect((error as LdifError).line).to.equal(5);
    });
  });
});

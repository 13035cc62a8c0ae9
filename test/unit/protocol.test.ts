import { expect } from 'chai';
import * as asn1 from '@ldapjs/asn1';
import * as messages from '@ldapjs/messages';
import type { LdapjsControl, LdapjsFilter } from '@ldapjs/messages';
import type { Filter } from '../../src/ldap/filter';
import { BerReader, ProtocolError as ReaderProtocolError } from '../../src/wire/protocol/ber-read';
import { berBoolean, berEnumerated, berInteger, berLength, berNull, berOctetString, berSequence, berTlv, writeLength } from '../../src/wire/protocol/ber-write';
import { decodeRequest, INTERNAL_ERROR_PREFIX, MAX_FILTER_DEPTH, ProtocolError } from '../../src/wire/protocol/decode';
import { encodeNoticeOfDisconnection, encodeResponse, NOTICE_OF_DISCONNECTION_OID } from '../../src/wire/protocol/encode';
import { frameLength } from '../../src/wire/protocol/frame';
import type { LdapRequest, LdapResponse, ProtocolOp } from '../../src/wire/protocol/types';

// @ldapjs/filter and @ldapjs/controls have no type declarations: describe the little used here.
interface FilterModule {
  parseString: (text: string) => LdapjsFilter;
}
interface ControlsModule {
  Control: new (options: { type: string; criticality?: boolean; value?: Buffer }) => LdapjsControl;
  PagedResultsControl: new (options: { criticality?: boolean; value: { size: number; cookie: Buffer } }) => LdapjsControl;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { parseString } = require('@ldapjs/filter') as FilterModule;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const controls = require('@ldapjs/controls') as ControlsModule;

/** BER produced by @ldapjs/messages for a request. */
function ldapjsBer(message: messages.LdapMessage): Buffer {
  return Buffer.from(message.toBer().buffer);
}

/** Parses a response with @ldapjs/messages. */
function ldapjsParse(ber: Buffer): messages.LdapMessage {
  return messages.LdapMessage.parse(new asn1.BerReader(ber));
}

/** An independent TLV builder for hand-written test input (deliberately not ber-write.ts). */
function tlv(tag: number, ...parts: Array<Buffer | string | number[]>): Buffer {
  const content = Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : Buffer.isBuffer(p) ? p : Buffer.from(p))));
  const n = content.length;
  let header: number[];
  if (n < 0x80) header = [tag, n];
  else if (n < 0x100) header = [tag, 0x81, n];
  else if (n < 0x10000) header = [tag, 0x82, n >> 8, n & 0xff];
  else header = [tag, 0x83, n >> 16, (n >> 8) & 0xff, n & 0xff];
  return Buffer.concat([Buffer.from(header), content]);
}
const int = (n: number, tag = 0x02): Buffer => {
  if (n >= 0 && n < 0x80) return tlv(tag, [n]);
  if (n >= 0 && n < 0x8000) return tlv(tag, [n >> 8, n & 0xff]);
  throw new Error('test helper: small non-negative integers only');
};
const str = (s: string, tag = 0x04): Buffer => tlv(tag, s);
const msg = (id: number, ...parts: Buffer[]): Buffer => tlv(0x30, int(id), ...parts);
const searchOp = (filter: Buffer, attrs: string[] = []): Buffer =>
  tlv(0x63, str('dc=example,dc=com'), int(2, 0x0a), int(0, 0x0a), int(0), int(0), tlv(0x01, [0]), filter, tlv(0x30, ...attrs.map((a) => str(a))));
const eq = (attr: string, value: string | Buffer): Buffer => tlv(0xa3, str(attr), tlv(0x04, value));

function searchFilter(req: LdapRequest): Filter {
  if (req.protocolOp.op !== 'search') throw new Error(`expected a search, got ${req.protocolOp.op}`);
  return req.protocolOp.filter;
}

/** A ProtocolError raised for the input itself, not one wrapping a decoder bug. */
function expectCleanProtocolError(err: unknown): void {
  expect(err).to.be.instanceOf(ProtocolError);
  expect((err as ProtocolError).message.startsWith(INTERNAL_ERROR_PREFIX), (err as Error).message).to.equal(false);
}

/** Asserts that decoding throws a ProtocolError, and returns it. */
function protocolErrorOf(message: Buffer): ProtocolError {
  try {
    decodeRequest(message);
  } catch (err) {
    expectCleanProtocolError(err);
    return err as ProtocolError;
  }
  throw new Error(`expected a ProtocolError for ${message.toString('hex')}`);
}

/** Seeded PRNG (mulberry32) so fuzz failures are reproducible. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A few valid requests of different shapes, for truncation and mutation tests. */
function sampleRequests(): Buffer[] {
  return [
    ldapjsBer(
      new messages.SearchRequest({
        messageId: 300,
        baseObject: 'ou=people,dc=example,dc=com',
        scope: 'sub',
        filter: parseString('(&(objectClass=person)(|(uid=jdoe)(cn=*do*e))(!(mail=*))(cn:dn:2.5.13.2:=x)(age>=3))'),
        attributes: ['cn', 'mail'],
        controls: [new controls.PagedResultsControl({ value: { size: 50, cookie: Buffer.from('cookie') } })],
      }),
    ),
    ldapjsBer(new messages.BindRequest({ messageId: 1, name: 'cn=admin,dc=example,dc=com', credentials: 'sécret' })),
    ldapjsBer(
      new messages.ModifyRequest({
        messageId: 2,
        object: 'uid=jdoe,dc=example,dc=com',
        changes: [{ operation: 'replace', modification: { type: 'mail', values: ['a@example.com', 'b@example.com'] } }],
      }),
    ),
    ldapjsBer(
      new messages.ExtensionRequest({ messageId: 3, requestName: '1.3.6.1.4.1.4203.1.11.1', requestValue: { userIdentity: 'uid=jdoe', newPassword: 'n' } }),
    ),
    msg(4, tlv(0x60, int(3), str('cn=x'), tlv(0xa3, str('EXTERNAL'), str('creds')))),
    ldapjsBer(new messages.ModifyDnRequest({ messageId: 5, entry: 'cn=a,dc=x', newRdn: 'cn=b', deleteOldRdn: true, newSuperior: 'ou=y,dc=x' })),
  ];
}

describe('protocol codec', () => {
  describe('frameLength', () => {
    it('reads short-form lengths, even before the body has arrived', () => {
      expect(frameLength(Buffer.from([0x30, 0x05]), 0)).to.deep.equal({ headerLength: 2, bodyLength: 5 });
      expect(frameLength(Buffer.from([0x30, 0x00]), 0)).to.deep.equal({ headerLength: 2, bodyLength: 0 });
      expect(frameLength(Buffer.from([0x30, 0x7f, 1, 2]), 0)).to.deep.equal({ headerLength: 2, bodyLength: 127 });
    });

    it('reads long-form lengths of 1 to 4 octets', () => {
      expect(frameLength(Buffer.from([0x30, 0x81, 0x80]), 0)).to.deep.equal({ headerLength: 3, bodyLength: 128 });
      expect(frameLength(Buffer.from([0x30, 0x82, 0x01, 0x2c]), 0)).to.deep.equal({ headerLength: 4, bodyLength: 300 });
      expect(frameLength(Buffer.from([0x30, 0x83, 0x01, 0x00, 0x00]), 0)).to.deep.equal({ headerLength: 5, bodyLength: 65536 });
      expect(frameLength(Buffer.from([0x30, 0x84, 0xff, 0xff, 0xff, 0xff]), 0)).to.deep.equal({ headerLength: 6, bodyLength: 0xffffffff });
      // Non-minimal long form is legal BER.
      expect(frameLength(Buffer.from([0x30, 0x84, 0, 0, 0, 5]), 0)).to.deep.equal({ headerLength: 6, bodyLength: 5 });
    });

    it('honours the offset', () => {
      expect(frameLength(Buffer.from([0xee, 0xee, 0x30, 0x82, 0x01, 0x00]), 2)).to.deep.equal({ headerLength: 4, bodyLength: 256 });
      expect(frameLength(Buffer.from([0x30, 0x03]), 2)).to.equal('incomplete');
    });

    it("says 'incomplete' until the whole header is there", () => {
      expect(frameLength(Buffer.alloc(0), 0)).to.equal('incomplete');
      expect(frameLength(Buffer.from([0x30]), 0)).to.equal('incomplete');
      expect(frameLength(Buffer.from([0x30, 0x82, 0x01]), 0)).to.equal('incomplete');
      expect(frameLength(Buffer.from([0x30, 0x84, 1, 2, 3]), 0)).to.equal('incomplete');
    });

    it('rejects a wrong tag, indefinite length and lengths of 5 or more octets', () => {
      expect(frameLength(Buffer.from([0x31, 0x00]), 0)).to.have.property('error');
      expect(frameLength(Buffer.from([0x60]), 0)).to.have.property('error');
      expect(frameLength(Buffer.from([0x30, 0x80]), 0)).to.have.property('error');
      expect(frameLength(Buffer.from([0x30, 0x85, 0, 0, 0, 0, 1]), 0)).to.have.property('error');
      expect(frameLength(Buffer.from([0x30, 0x85]), 0)).to.have.property('error');
      expect(frameLength(Buffer.from([0x30, 0xff]), 0)).to.have.property('error');
    });

    it('agrees with the length of every sample request', () => {
      for (const m of sampleRequests()) {
        const f = frameLength(m, 0);
        if (f === 'incomplete' || 'error' in f) throw new Error('unexpected frame result');
        expect(f.headerLength + f.bodyLength).to.equal(m.length);
      }
    });
  });

  describe('decodeRequest, cross-checked with @ldapjs/messages', () => {
    it('decodes a simple bind, with UTF-8 password and controls', () => {
      const ber = ldapjsBer(
        new messages.BindRequest({
          messageId: 1,
          name: 'cn=Zoë,dc=example,dc=com',
          credentials: 'pässwörd',
          controls: [new controls.Control({ type: '1.3.6.1.4.1.42.2.27.8.5.1', criticality: false })],
        }),
      );
      expect(decodeRequest(ber)).to.deep.equal({
        messageId: 1,
        protocolOp: { op: 'bind', version: 3, name: 'cn=Zoë,dc=example,dc=com', auth: { kind: 'simple', password: 'pässwörd' } },
        controls: [{ oid: '1.3.6.1.4.1.42.2.27.8.5.1', critical: false }],
      });
    });

    it('decodes an anonymous bind and the largest message ID', () => {
      const ber = ldapjsBer(new messages.BindRequest({ messageId: 0x7fffffff, name: '', credentials: '' }));
      expect(decodeRequest(ber)).to.deep.equal({
        messageId: 0x7fffffff,
        protocolOp: { op: 'bind', version: 3, name: '', auth: { kind: 'simple', password: '' } },
        controls: [],
      });
    });

    it('decodes search requests with every scope and their parameters', () => {
      const scopes = [
        ['base', 'base'],
        ['one', 'one'],
        ['sub', 'sub'],
      ] as const;
      for (const [ldapjsScope, scope] of scopes) {
        const ber = ldapjsBer(
          new messages.SearchRequest({
            messageId: 9,
            baseObject: 'ou=people,dc=example,dc=com',
            scope: ldapjsScope,
            derefAliases: 3,
            sizeLimit: 1000,
            timeLimit: 30,
            typesOnly: true,
            filter: parseString('(uid=jdoe)'),
            attributes: ['cn', 'mail', '+', '1.1'],
          }),
        );
        expect(decodeRequest(ber)).to.deep.equal({
          messageId: 9,
          protocolOp: {
            op: 'search',
            baseObject: 'ou=people,dc=example,dc=com',
            scope,
            derefAliases: 3,
            sizeLimit: 1000,
            timeLimit: 30,
            typesOnly: true,
            filter: { type: 'equality', attribute: 'uid', value: 'jdoe' },
            attributes: ['cn', 'mail', '+', '1.1'],
          },
          controls: [],
        });
      }
    });

    it('decodes every filter choice ldapjs can write, including long-form lengths', () => {
      const text =
        '(&(objectClass=inetOrgPerson)(|(uid=jdoe)(mail=jdoe@example.com)(cn=Zoë))(!(description=*))' +
        '(sn=Do*)(cn=*oh*n*)(givenName=*hn)(cn=J*o*h*n)(cn:dn:2.5.13.2:=John)(cn:caseExactMatch:=John)' +
        '(age>=18)(age<=65)(cn~=jon)(objectClass=*)(description=' +
        'x'.repeat(150) +
        '))';
      const req = decodeRequest(ldapjsBer(new messages.SearchRequest({ messageId: 2, filter: parseString(text) })));
      const expected: Filter = {
        type: 'and',
        filters: [
          { type: 'equality', attribute: 'objectClass', value: 'inetOrgPerson' },
          {
            type: 'or',
            filters: [
              { type: 'equality', attribute: 'uid', value: 'jdoe' },
              { type: 'equality', attribute: 'mail', value: 'jdoe@example.com' },
              { type: 'equality', attribute: 'cn', value: 'Zoë' },
            ],
          },
          { type: 'not', filter: { type: 'present', attribute: 'description' } },
          { type: 'substrings', attribute: 'sn', initial: 'Do', any: [] },
          { type: 'substrings', attribute: 'cn', any: ['oh', 'n'] },
          { type: 'substrings', attribute: 'givenName', any: [], final: 'hn' },
          { type: 'substrings', attribute: 'cn', initial: 'J', any: ['o', 'h'], final: 'n' },
          { type: 'extensible', matchingRule: '2.5.13.2', attribute: 'cn', value: 'John', dnAttributes: true },
          { type: 'extensible', matchingRule: 'caseExactMatch', attribute: 'cn', value: 'John', dnAttributes: false },
          { type: 'greaterOrEqual', attribute: 'age', value: '18' },
          { type: 'lessOrEqual', attribute: 'age', value: '65' },
          { type: 'approx', attribute: 'cn', value: 'jon' },
          { type: 'present', attribute: 'objectClass' },
          { type: 'equality', attribute: 'description', value: 'x'.repeat(150) },
        ],
      };
      expect(searchFilter(req)).to.deep.equal(expected);
    });

    it('keeps control values as raw bytes, readable with BerReader (paged results)', () => {
      const ber = ldapjsBer(
        new messages.SearchRequest({
          messageId: 4,
          filter: parseString('(objectClass=*)'),
          controls: [
            new controls.PagedResultsControl({ criticality: true, value: { size: 250, cookie: Buffer.from([0, 1, 0xfe, 0xff]) } }),
            new controls.Control({ type: '2.16.840.1.113730.3.4.2', criticality: false }),
          ],
        }),
      );
      const req = decodeRequest(ber);
      expect(req.controls.map((c) => [c.oid, c.critical])).to.deep.equal([
        ['1.2.840.113556.1.4.319', true],
        ['2.16.840.1.113730.3.4.2', false],
      ]);
      const value = req.controls[0].value;
      if (value === undefined) throw new Error('paged results control has no value');
      const r = new BerReader(value);
      const outer = r.enter(0x30);
      expect(r.readInteger()).to.equal(250);
      expect(r.readBytes()).to.deep.equal(Buffer.from([0, 1, 0xfe, 0xff]));
      r.leave(outer);
      expect(r.atEnd()).to.equal(true);
      // The value is a copy: reusing the receive buffer must not change it.
      ber.fill(0);
      expect(value.subarray(0, 2)).to.deep.equal(Buffer.from([0x30, 0x0a]));
    });

    it('decodes modify requests (add, delete, replace)', () => {
      const ber = ldapjsBer(
        new messages.ModifyRequest({
          messageId: 12,
          object: 'uid=jdoe,ou=people,dc=example,dc=com',
          changes: [
            { operation: 'add', modification: { type: 'mail', values: ['jd@example.com', 'jdoe@example.com'] } },
            { operation: 'delete', modification: { type: 'description', values: [] } },
            { operation: 'replace', modification: { type: 'cn', values: ['Jöhn Doe'] } },
          ],
        }),
      );
      expect(decodeRequest(ber)).to.deep.equal({
        messageId: 12,
        protocolOp: {
          op: 'modify',
          object: 'uid=jdoe,ou=people,dc=example,dc=com',
          changes: [
            { operation: 'add', modification: { type: 'mail', values: ['jd@example.com', 'jdoe@example.com'] } },
            { operation: 'delete', modification: { type: 'description', values: [] } },
            { operation: 'replace', modification: { type: 'cn', values: ['Jöhn Doe'] } },
          ],
        },
        controls: [],
      });
    });

    it('decodes add, delete, compare, modifyDN, abandon and unbind', () => {
      const cases: Array<[messages.LdapMessage, ProtocolOp]> = [
        [
          new messages.AddRequest({
            messageId: 1,
            entry: 'uid=new,ou=people,dc=example,dc=com',
            attributes: [
              { type: 'objectClass', values: ['top', 'person'] },
              { type: 'cn', values: ['Nëw'] },
            ],
          }),
          {
            op: 'add',
            entry: 'uid=new,ou=people,dc=example,dc=com',
            attributes: [
              { type: 'objectClass', values: ['top', 'person'] },
              { type: 'cn', values: ['Nëw'] },
            ],
          },
        ],
        [new messages.DeleteRequest({ messageId: 1, entry: 'uid=old,dc=example,dc=com' }), { op: 'delete', entry: 'uid=old,dc=example,dc=com' }],
        [
          new messages.CompareRequest({ messageId: 1, entry: 'uid=a,dc=example,dc=com', attribute: 'mail', value: 'a@example.com' }),
          { op: 'compare', entry: 'uid=a,dc=example,dc=com', attribute: 'mail', value: 'a@example.com' },
        ],
        [
          new messages.ModifyDnRequest({ messageId: 1, entry: 'uid=a,dc=example,dc=com', newRdn: 'uid=b', deleteOldRdn: true }),
          { op: 'modifyDN', entry: 'uid=a,dc=example,dc=com', newRDN: 'uid=b', deleteOldRDN: true },
        ],
        [
          new messages.ModifyDnRequest({
            messageId: 1,
            entry: 'uid=a,dc=example,dc=com',
            newRdn: 'uid=b',
            deleteOldRdn: false,
            newSuperior: 'ou=x,dc=example,dc=com',
          }),
          { op: 'modifyDN', entry: 'uid=a,dc=example,dc=com', newRDN: 'uid=b', deleteOldRDN: false, newSuperior: 'ou=x,dc=example,dc=com' },
        ],
        [new messages.AbandonRequest({ messageId: 1, abandonId: 70000 }), { op: 'abandon', messageId: 70000 }],
        [new messages.UnbindRequest({ messageId: 1 }), { op: 'unbind' }],
      ];
      for (const [message, protocolOp] of cases) {
        expect(decodeRequest(ldapjsBer(message))).to.deep.equal({ messageId: 1, protocolOp, controls: [] });
      }
    });

    it('decodes extended requests, keeping the value raw (password modify read back with BerReader)', () => {
      expect(decodeRequest(ldapjsBer(new messages.ExtensionRequest({ messageId: 6, requestName: '1.3.6.1.4.1.4203.1.11.3' })))).to.deep.equal({
        messageId: 6,
        protocolOp: { op: 'extended', name: '1.3.6.1.4.1.4203.1.11.3' },
        controls: [],
      });
      const req = decodeRequest(
        ldapjsBer(
          new messages.ExtensionRequest({
            messageId: 7,
            requestName: '1.3.6.1.4.1.4203.1.11.1',
            requestValue: { userIdentity: 'uid=jdoe,dc=example,dc=com', newPassword: 'nëw' },
          }),
        ),
      );
      if (req.protocolOp.op !== 'extended' || req.protocolOp.value === undefined) throw new Error('expected an extended request with a value');
      expect(req.protocolOp.name).to.equal('1.3.6.1.4.1.4203.1.11.1');
      const r = new BerReader(req.protocolOp.value);
      const outer = r.enter(0x30);
      expect(r.readOptionalString(0x80)).to.equal('uid=jdoe,dc=example,dc=com');
      expect(r.readOptionalBytes(0x81)).to.equal(undefined);
      expect(r.readOptionalString(0x82)).to.equal('nëw');
      r.leave(outer);
    });
  });

  describe('decodeRequest, hand-written BER', () => {
    it('decodes UTF-8 assertion values, and * inside an equality value is literal', () => {
      expect(searchFilter(decodeRequest(msg(1, searchOp(eq('cn', Buffer.from([0x61, 0x6c, 0xc3, 0xa9]))))))).to.deep.equal({
        type: 'equality',
        attribute: 'cn',
        value: 'alé',
      });
      expect(searchFilter(decodeRequest(msg(1, searchOp(eq('cn', 'a*b(c)\\')))))).to.deep.equal({ type: 'equality', attribute: 'cn', value: 'a*b(c)\\' });
      const long = 'é'.repeat(200); // 400 octets: two-octet long-form length
      expect(searchFilter(decodeRequest(msg(1, searchOp(eq('description', long)))))).to.deep.equal({ type: 'equality', attribute: 'description', value: long });
    });

    it('decodes extensible filters with and without optional parts', () => {
      const full = tlv(0xa9, str('caseIgnoreMatch', 0x81), str('cn', 0x82), str('Ümlaut', 0x83), tlv(0x84, [0xff]));
      expect(searchFilter(decodeRequest(msg(1, searchOp(full))))).to.deep.equal({
        type: 'extensible',
        matchingRule: 'caseIgnoreMatch',
        attribute: 'cn',
        value: 'Ümlaut',
        dnAttributes: true,
      });
      expect(searchFilter(decodeRequest(msg(1, searchOp(tlv(0xa9, str('2.5.13.2', 0x81), str('x', 0x83))))))).to.deep.equal({
        type: 'extensible',
        matchingRule: '2.5.13.2',
        value: 'x',
        dnAttributes: false,
      });
      expect(searchFilter(decodeRequest(msg(1, searchOp(tlv(0xa9, str('ou', 0x82), str('x', 0x83), tlv(0x84, [0]))))))).to.deep.equal({
        type: 'extensible',
        attribute: 'ou',
        value: 'x',
        dnAttributes: false,
      });
      protocolErrorOf(msg(1, searchOp(tlv(0xa9, str('ou', 0x82))))); // matchValue is required
      protocolErrorOf(msg(1, searchOp(tlv(0xa9, str('x', 0x83), str('ou', 0x82))))); // wrong order
    });

    it('accepts empty and/or sets (RFC 4526)', () => {
      expect(searchFilter(decodeRequest(msg(1, searchOp(tlv(0xa0)))))).to.deep.equal({ type: 'and', filters: [] });
      expect(searchFilter(decodeRequest(msg(1, searchOp(tlv(0xa1)))))).to.deep.equal({ type: 'or', filters: [] });
      expect(searchFilter(decodeRequest(msg(1, searchOp(tlv(0xa2, tlv(0xa1))))))).to.deep.equal({ type: 'not', filter: { type: 'or', filters: [] } });
    });

    it('checks the structure of substrings filters', () => {
      const sub = (...parts: Buffer[]): Buffer => msg(1, searchOp(tlv(0xa4, str('cn'), tlv(0x30, ...parts))));
      expect(searchFilter(decodeRequest(sub(str('a', 0x80), str('b', 0x81), str('c', 0x81), str('d', 0x82))))).to.deep.equal({
        type: 'substrings',
        attribute: 'cn',
        initial: 'a',
        any: ['b', 'c'],
        final: 'd',
      });
      protocolErrorOf(sub()); // SIZE (1..MAX)
      protocolErrorOf(sub(str('b', 0x81), str('a', 0x80))); // initial not first
      protocolErrorOf(sub(str('a', 0x80), str('a', 0x80))); // two initials
      protocolErrorOf(sub(str('d', 0x82), str('b', 0x81))); // final not last
      protocolErrorOf(sub(str('b', 0x83)));
    });

    it('refuses not with zero or two filters, and unknown filter choices', () => {
      protocolErrorOf(msg(1, searchOp(tlv(0xa2))));
      protocolErrorOf(msg(1, searchOp(tlv(0xa2, tlv(0xa0), tlv(0xa0)))));
      protocolErrorOf(msg(1, searchOp(tlv(0xaa, str('x')))));
      protocolErrorOf(msg(1, searchOp(str('cn', 0xa7)))); // present must be primitive
      protocolErrorOf(msg(1, searchOp(tlv(0xa3, str('cn'))))); // AVA without value
      protocolErrorOf(msg(1, searchOp(tlv(0xa3, str('cn'), str('x'), str('y'))))); // AVA with extra element
    });

    it('decodes modify with increment (RFC 4525) and refuses unknown operations', () => {
      const change = (op: number): Buffer => tlv(0x30, int(op, 0x0a), tlv(0x30, str('uidNumber'), tlv(0x31, str('1'))));
      expect(decodeRequest(msg(3, tlv(0x66, str('cn=counter'), tlv(0x30, change(3)))))).to.deep.equal({
        messageId: 3,
        protocolOp: { op: 'modify', object: 'cn=counter', changes: [{ operation: 'increment', modification: { type: 'uidNumber', values: ['1'] } }] },
        controls: [],
      });
      const err = protocolErrorOf(msg(3, tlv(0x66, str('cn=counter'), tlv(0x30, change(4)))));
      expect(err.messageId).to.equal(3);
      expect(err.opTag).to.equal(0x66);
    });

    it('decodes SASL binds with and without credentials', () => {
      expect(decodeRequest(msg(1, tlv(0x60, int(3), str(''), tlv(0xa3, str('EXTERNAL')))))).to.deep.equal({
        messageId: 1,
        protocolOp: { op: 'bind', version: 3, name: '', auth: { kind: 'sasl', mechanism: 'EXTERNAL' } },
        controls: [],
      });
      expect(decodeRequest(msg(2, tlv(0x60, int(3), str(''), tlv(0xa3, str('PLAIN'), tlv(0x04, [0, 0x75, 0, 0x70])))))).to.deep.equal({
        messageId: 2,
        protocolOp: { op: 'bind', version: 3, name: '', auth: { kind: 'sasl', mechanism: 'PLAIN', credentials: Buffer.from([0, 0x75, 0, 0x70]) } },
        controls: [],
      });
    });

    it('refuses other bind authentication choices, carrying messageId and op tag', () => {
      const err = protocolErrorOf(msg(8, tlv(0x60, int(3), str(''), str('x', 0x81))));
      expect(err.messageId).to.equal(8);
      expect(err.opTag).to.equal(0x60);
      protocolErrorOf(msg(8, tlv(0x60, int(3), str('')))); // no authentication at all
    });

    it('decodes controls with absent criticality, explicit FALSE, and no value', () => {
      const req = decodeRequest(
        msg(
          5,
          tlv(0x4a, 'cn=x'),
          tlv(0xa0, tlv(0x30, str('1.2.3')), tlv(0x30, str('1.2.4'), tlv(0x01, [0x00]), str('v')), tlv(0x30, str('1.2.5'), tlv(0x01, [0xff]), tlv(0x04))),
        ),
      );
      expect(req).to.deep.equal({
        messageId: 5,
        protocolOp: { op: 'delete', entry: 'cn=x' },
        controls: [
          { oid: '1.2.3', critical: false },
          { oid: '1.2.4', critical: false, value: Buffer.from('v') },
          { oid: '1.2.5', critical: true, value: Buffer.alloc(0) },
        ],
      });
      protocolErrorOf(msg(5, tlv(0x4a, 'cn=x'), tlv(0xa0, tlv(0x30, str('1.2.3'), str('v'), tlv(0x01, [0xff]))))); // wrong order
      protocolErrorOf(msg(5, tlv(0x4a, 'cn=x'), tlv(0xa0, tlv(0x30)))); // no controlType
      protocolErrorOf(msg(5, tlv(0x4a, 'cn=x'), tlv(0xa0), tlv(0xa0))); // controls twice
    });

    it('accepts a non-minimal long-form length on the outer SEQUENCE', () => {
      const body = Buffer.concat([int(1), tlv(0x42)]);
      const m = Buffer.concat([Buffer.from([0x30, 0x84, 0, 0, 0, body.length]), body]);
      expect(decodeRequest(m)).to.deep.equal({ messageId: 1, protocolOp: { op: 'unbind' }, controls: [] });
    });

    it('caps filter nesting depth', () => {
      const nested = (depth: number): Buffer => {
        let f = tlv(0x87, 'cn');
        for (let i = 1; i < depth; i++) f = tlv(i % 3 === 0 ? 0xa2 : i % 2 ? 0xa0 : 0xa1, f);
        return msg(77, searchOp(f));
      };
      expect(() => decodeRequest(nested(MAX_FILTER_DEPTH))).not.to.throw();
      const err = protocolErrorOf(nested(MAX_FILTER_DEPTH + 1));
      expect(err.messageId).to.equal(77);
      expect(err.opTag).to.equal(0x63);
      protocolErrorOf(nested(100));
      protocolErrorOf(nested(5000));
    });

    describe('malformed messages throw ProtocolError with what was known', () => {
      const cases: Array<[string, Buffer, number | undefined, number | undefined]> = [
        ['unknown protocolOp tag', msg(5, tlv(0x75, str('x'))), 5, 0x75],
        ['a response tag as a request', msg(5, tlv(0x61, int(0, 0x0a), str(''), str(''))), 5, 0x61],
        ['missing protocolOp', msg(5), 5, undefined],
        ['5-octet message ID', tlv(0x30, tlv(0x02, [1, 0, 0, 0, 0]), tlv(0x42)), undefined, undefined],
        ['negative message ID', tlv(0x30, tlv(0x02, [0xff]), tlv(0x42)), undefined, undefined],
        ['empty message ID', tlv(0x30, tlv(0x02), tlv(0x42)), undefined, undefined],
        ['message ID not an INTEGER', tlv(0x30, str('1'), tlv(0x42)), undefined, undefined],
        ['scope 4', msg(6, tlv(0x63, str(''), int(4, 0x0a), int(0, 0x0a), int(0), int(0), tlv(0x01, [0]), tlv(0x87, 'cn'), tlv(0x30))), 6, 0x63],
        ['derefAliases 4', msg(6, tlv(0x63, str(''), int(0, 0x0a), int(4, 0x0a), int(0), int(0), tlv(0x01, [0]), tlv(0x87, 'cn'), tlv(0x30))), 6, 0x63],
        [
          'negative sizeLimit',
          msg(6, tlv(0x63, str(''), int(0, 0x0a), int(0, 0x0a), tlv(0x02, [0x80]), int(0), tlv(0x01, [0]), tlv(0x87, 'cn'), tlv(0x30))),
          6,
          0x63,
        ],
        [
          'boolean with two octets',
          msg(6, tlv(0x63, str(''), int(0, 0x0a), int(0, 0x0a), int(0), int(0), tlv(0x01, [0, 0]), tlv(0x87, 'cn'), tlv(0x30))),
          6,
          0x63,
        ],
        ['empty boolean', msg(6, tlv(0x6c, str('cn=a'), str('cn=b'), tlv(0x01))), 6, 0x6c],
        [
          'trailing element inside the search',
          msg(6, tlv(0x63, str(''), int(0, 0x0a), int(0, 0x0a), int(0), int(0), tlv(0x01, [0]), tlv(0x87, 'cn'), tlv(0x30), str('x'))),
          6,
          0x63,
        ],
        ['trailing element inside compare', msg(6, tlv(0x6e, str('cn=a'), tlv(0x30, str('cn'), str('x')), str('extra'))), 6, 0x6e],
        ['trailing data after controls', msg(6, tlv(0x42), tlv(0xa0), str('x')), 6, 0x42],
        ['unbind with content', msg(6, tlv(0x42, [0])), 6, 0x42],
        ['abandon with 5-octet ID', msg(6, tlv(0x50, [0, 0, 0, 0, 1])), 6, 0x50],
        ['negative abandon ID', msg(6, tlv(0x50, [0xff])), 6, 0x50],
        ['add attribute without values', msg(6, tlv(0x68, str('cn=a'), tlv(0x30, tlv(0x30, str('cn'), tlv(0x31))))), 6, 0x68],
        ['constructed OCTET STRING', msg(6, tlv(0x6e, tlv(0x24, str('cn=a')), tlv(0x30, str('cn'), str('x')))), 6, 0x6e],
        ['high tag number form', msg(6, tlv(0x7f, [0x21, 0])), 6, 0x7f],
        ['indefinite length inside', tlv(0x30, int(6), Buffer.from([0x63, 0x80, 0, 0])), 6, 0x63],
        ['extended request without name', msg(6, tlv(0x77, str('x', 0x81))), 6, 0x77],
      ];
      for (const [name, m, messageId, opTag] of cases) {
        it(name, () => {
          const err = protocolErrorOf(m);
          if (messageId !== undefined) expect(err.messageId, 'messageId').to.equal(messageId);
          if (opTag !== undefined) expect(err.opTag, 'opTag').to.equal(opTag);
        });
      }

      it('lengths that run past their container', () => {
        // The delete op claims 9 octets but the message only holds 4 of them.
        const m = Buffer.from([0x30, 0x09, 0x02, 0x01, 0x07, 0x4a, 0x09, 0x63, 0x6e, 0x3d, 0x78]);
        const err = protocolErrorOf(m);
        expect(err.messageId).to.equal(7);
        expect(err.opTag).to.equal(0x4a);
        // An inner element that fits in the message but not in its own container.
        protocolErrorOf(msg(7, tlv(0x6e, str('cn=a'), Buffer.from([0x30, 0x02, 0x04, 0x05]), str('cn'), str('x'))));
      });

      it('data after the end of the LDAPMessage', () => {
        const err = protocolErrorOf(Buffer.concat([msg(7, tlv(0x42)), Buffer.from([0])]));
        expect(err.messageId).to.equal(undefined);
      });

      it('a message that is not a SEQUENCE', () => {
        protocolErrorOf(Buffer.from([0x31, 0x03, 0x02, 0x01, 0x01]));
        protocolErrorOf(Buffer.alloc(0));
      });
    });

    it('never throws anything but ProtocolError (or says incomplete) on every truncation of valid messages', () => {
      for (const m of sampleRequests()) {
        expect(() => decodeRequest(m)).not.to.throw();
        for (let n = 0; n < m.length; n++) {
          const prefix = m.subarray(0, n);
          const f = frameLength(prefix, 0);
          if (f !== 'incomplete') {
            if ('error' in f) throw new Error(`frameLength error on a prefix of a valid message: ${f.error}`);
            expect(f.headerLength + f.bodyLength).to.be.greaterThan(n);
          }
          protocolErrorOf(prefix);
          // The same truncation with a consistent outer length: the damage is inside.
          const header = m[1] < 0x80 ? 2 : 2 + (m[1] & 0x7f);
          if (n > header) {
            const rewrapped = tlv(0x30, m.subarray(header, n));
            try {
              decodeRequest(rewrapped);
            } catch (err) {
              expectCleanProtocolError(err);
            }
          }
        }
      }
    });

    it('fuzz: 10,000 random and mutated buffers only ever throw ProtocolError', () => {
      const random = prng(0xca1a);
      const samples = sampleRequests();
      let decoded = 0;
      for (let i = 0; i < 10000; i++) {
        let buf: Buffer;
        if (i % 2 === 0) {
          // Random bytes behind a valid outer header, so the decoder gets past the framing.
          const body = Buffer.alloc(Math.floor(random() * 64));
          for (let k = 0; k < body.length; k++) body[k] = Math.floor(random() * 256);
          if (i % 4 === 0 && body.length > 2) [body[0], body[1], body[2]] = [0x02, 0x01, 0x01];
          buf = tlv(0x30, body);
        } else {
          // A valid message with a few bytes changed, inserted or removed.
          buf = Buffer.from(samples[i % samples.length]);
          const edits = 1 + Math.floor(random() * 3);
          for (let e = 0; e < edits; e++) {
            const at = Math.floor(random() * buf.length);
            const kind = random();
            if (kind < 0.6) buf[at] = Math.floor(random() * 256);
            else if (kind < 0.8) buf = Buffer.concat([buf.subarray(0, at), Buffer.from([Math.floor(random() * 256)]), buf.subarray(at)]);
            else buf = Buffer.concat([buf.subarray(0, at), buf.subarray(at + 1)]);
          }
        }
        const f = frameLength(buf, 0);
        expect(f === 'incomplete' || typeof f === 'object').to.equal(true);
        try {
          decodeRequest(buf);
          decoded++;
        } catch (err) {
          if (!(err instanceof ProtocolError) || err.message.startsWith(INTERNAL_ERROR_PREFIX)) {
            throw new Error(`unexpected ${String(err)} for ${buf.toString('hex')}`, { cause: err });
          }
        }
      }
      expect(decoded).to.be.greaterThan(0); // the mutations are not all fatal, so decoding paths get exercised
    });
  });

  describe('encodeResponse, cross-checked with @ldapjs/messages', () => {
    const resultOps = [
      ['searchResultDone', 0x65, 'SearchResultDone'],
      ['modifyResponse', 0x67, 'ModifyResponse'],
      ['addResponse', 0x69, 'AddResponse'],
      ['delResponse', 0x6b, 'DeleteResponse'],
      ['modDNResponse', 0x6d, 'ModifyDnResponse'],
      ['compareResponse', 0x6f, 'CompareResponse'],
      ['bindResponse', 0x61, 'BindResponse'],
    ] as const;

    it('writes the exact minimal LDAPResult bytes', () => {
      const ber = encodeResponse({ messageId: 1, protocolOp: { op: 'searchResultDone', resultCode: 0 } });
      expect(ber.toString('hex')).to.equal('300c02010165070a010004000400');
    });

    for (const [op, tag, type] of resultOps) {
      it(`encodes ${op}`, () => {
        const ber = encodeResponse({
          messageId: 300,
          protocolOp: { op, resultCode: 32, matchedDN: 'dc=exämple,dc=com', diagnosticMessage: 'entry does not exist: ünknown' },
        });
        const parsed = ldapjsParse(ber);
        expect(parsed.type).to.equal(type);
        expect(parsed.protocolOp).to.equal(tag);
        expect(parsed.messageId).to.equal(300);
        const result = parsed as messages.LdapResult;
        expect(result.status).to.equal(32);
        expect(result.matchedDN).to.equal('dc=exämple,dc=com');
        expect(result.diagnosticMessage).to.equal('entry does not exist: ünknown');
      });
    }

    it('writes referrals as [3] SEQUENCE OF URI (read by hand: ldapjs mis-parses them)', () => {
      const ber = encodeResponse({
        messageId: 2,
        protocolOp: { op: 'searchResultDone', resultCode: 10, referral: ['ldap://a.example.com/dc=example,dc=com', 'ldap://b.example.com/'] },
      });
      const r = new asn1.BerReader(ber);
      r.readSequence(0x30);
      expect(r.readInt()).to.equal(2);
      r.readSequence(0x65);
      expect(r.readEnumeration()).to.equal(10);
      expect(r.readString()).to.equal('');
      expect(r.readString()).to.equal('');
      expect(r.readSequence(0xa3)).to.equal(0xa3);
      expect(r.readString()).to.equal('ldap://a.example.com/dc=example,dc=com');
      expect(r.readString()).to.equal('ldap://b.example.com/');
      expect(r.remain).to.equal(0);
      // An empty referral list is omitted (SIZE (1..MAX)).
      const none = encodeResponse({ messageId: 2, protocolOp: { op: 'searchResultDone', resultCode: 0, referral: [] } });
      expect(none.toString('hex')).to.equal('300c02010265070a010004000400');
    });

    it('writes serverSaslCreds [7] on bindResponse (read by hand: ldapjs ignores it)', () => {
      const ber = encodeResponse({ messageId: 1, protocolOp: { op: 'bindResponse', resultCode: 14, serverSaslCreds: Buffer.from([1, 2, 0xff]) } });
      const r = new asn1.BerReader(ber);
      r.readSequence(0x30);
      r.readInt();
      r.readSequence(0x61);
      expect(r.readEnumeration()).to.equal(14);
      r.readString();
      r.readString();
      expect(r.readString(0x87, true)).to.deep.equal(Buffer.from([1, 2, 0xff]));
      expect(r.remain).to.equal(0);
    });

    it('encodes searchResultEntry with UTF-8 values and long-form lengths', () => {
      const big = 'ß'.repeat(40000); // 80000 octets: three-octet lengths
      const ber = encodeResponse({
        messageId: 7,
        protocolOp: {
          op: 'searchResultEntry',
          objectName: 'cn=Zoë,dc=example,dc=com',
          attributes: [
            { type: 'cn', values: ['Zoë', 'Zoe'] },
            { type: 'objectClass', values: ['top', 'person'] },
            { type: 'description', values: [big] },
            { type: 'mail', values: [] },
            { type: 'emoji', values: ['😀'] },
          ],
        },
      });
      const parsed = ldapjsParse(ber);
      expect(parsed.type).to.equal('SearchResultEntry');
      const pojo = parsed.pojo;
      // ldapjs turns objectName into a DN, which prints non-ASCII octets hex-escaped: c3 ab is ë.
      expect(pojo.objectName).to.equal('cn=Zo\\c3\\ab,dc=example,dc=com');
      expect(pojo.attributes).to.deep.equal([
        { type: 'cn', values: ['Zoë', 'Zoe'] },
        { type: 'objectClass', values: ['top', 'person'] },
        { type: 'description', values: [big] },
        { type: 'mail', values: [] },
        { type: 'emoji', values: ['😀'] },
      ]);
    });

    it('encodes lone surrogates the way Buffer does, without miscounting', () => {
      const ber = encodeResponse({ messageId: 1, protocolOp: { op: 'searchResultDone', resultCode: 0, diagnosticMessage: 'a\ud800b\udc00' } });
      const parsed = ldapjsParse(ber) as messages.LdapResult;
      expect(parsed.diagnosticMessage).to.equal(Buffer.from('a\ud800b\udc00').toString('utf8'));
    });

    it('encodes searchResultReference', () => {
      const ber = encodeResponse({ messageId: 3, protocolOp: { op: 'searchResultReference', uris: ['ldap://x.example.com/ou=a,dc=x', 'ldap://y/'] } });
      const parsed = ldapjsParse(ber);
      expect(parsed.type).to.equal('SearchResultReference');
      expect((parsed as messages.SearchResultReference).uris).to.deep.equal(['ldap://x.example.com/ou=a,dc=x', 'ldap://y/']);
    });

    it('encodes extendedResponse with and without name and value', () => {
      const ber = encodeResponse({
        messageId: 4,
        protocolOp: {
          op: 'extendedResponse',
          resultCode: 0,
          responseName: '1.3.6.1.4.1.4203.1.11.1',
          responseValue: Buffer.from([0x30, 0x03, 0x80, 0x01, 0x78]),
        },
      });
      const parsed = ldapjsParse(ber) as messages.ExtensionResponse;
      expect(parsed.type).to.equal('ExtensionResponse');
      expect(parsed.responseName).to.equal('1.3.6.1.4.1.4203.1.11.1');
      expect(parsed.responseValue).to.equal('<buffer>3003800178'); // ldapjs's way of showing raw bytes
      const bare = ldapjsParse(
        encodeResponse({ messageId: 4, protocolOp: { op: 'extendedResponse', resultCode: 2, diagnosticMessage: 'no' } }),
      ) as messages.ExtensionResponse;
      expect(bare.responseName).to.equal(undefined);
      expect(bare.responseValue).to.equal(undefined);
      expect(bare.status).to.equal(2);
      expect(bare.diagnosticMessage).to.equal('no');
    });

    it('encodes intermediateResponse', () => {
      const withBoth = ldapjsParse(
        encodeResponse({ messageId: 5, protocolOp: { op: 'intermediateResponse', responseName: '1.2.3', responseValue: Buffer.from('val') } }),
      );
      expect(withBoth.type).to.equal('IntermediateResponse');
      expect(withBoth.pojo).to.deep.include({ responseName: '1.2.3', responseValue: 'val' });
      const empty = encodeResponse({ messageId: 5, protocolOp: { op: 'intermediateResponse' } });
      expect(empty.toString('hex')).to.equal('3005020105' + '7900');
    });

    it('encodes response controls (criticality FALSE omitted)', () => {
      const paged = Buffer.from('300602010004016b', 'hex');
      const ber = encodeResponse({
        messageId: 9,
        protocolOp: { op: 'searchResultDone', resultCode: 0 },
        controls: [
          { oid: '1.2.840.113556.1.4.319', critical: false, value: paged },
          { oid: '1.3.6.1.1.13.1', critical: true },
        ],
      });
      const parsed = ldapjsParse(ber);
      expect(parsed.controls.map((c) => [c.type, c.criticality])).to.deep.equal([
        ['1.2.840.113556.1.4.319', false],
        ['1.3.6.1.1.13.1', true],
      ]);
      expect(parsed.controls[0].value).to.deep.equal({ size: 0, cookie: Buffer.from('k') });
      expect(ber.includes(Buffer.from([0x01, 0x01, 0x00]))).to.equal(false);
    });

    it('encodes the Notice of Disconnection', () => {
      const ber = encodeNoticeOfDisconnection(52, 'server is shutting down');
      const parsed = ldapjsParse(ber) as messages.ExtensionResponse;
      expect(parsed.messageId).to.equal(0);
      expect(parsed.type).to.equal('ExtensionResponse');
      expect([parsed.status, parsed.matchedDN, parsed.diagnosticMessage]).to.deep.equal([52, '', 'server is shutting down']);
      expect(parsed.responseName).to.equal(NOTICE_OF_DISCONNECTION_OID);
      expect(parsed.responseValue).to.equal(undefined);
    });

    it('encodes large message IDs and result codes as minimal INTEGERs', () => {
      for (const id of [0, 127, 128, 255, 256, 32767, 32768, 65536, 0x7fffffff]) {
        const parsed = ldapjsParse(encodeResponse({ messageId: id, protocolOp: { op: 'delResponse', resultCode: 80 } }));
        expect(parsed.messageId).to.equal(id);
      }
    });
  });

  describe('ber-write helpers', () => {
    it('encodes lengths in short and long form up to 2^32-1', () => {
      const cases: Array<[number, string]> = [
        [0, '00'],
        [127, '7f'],
        [128, '8180'],
        [255, '81ff'],
        [256, '820100'],
        [65535, '82ffff'],
        [65536, '83010000'],
        [0xffffff, '83ffffff'],
        [0x1000000, '8401000000'],
        [0x80000000, '8480000000'],
        [0xffffffff, '84ffffffff'],
      ];
      for (const [n, hex] of cases) {
        expect(berLength(n).toString('hex'), String(n)).to.equal(hex);
        const buf = Buffer.alloc(6, 0xee);
        expect(writeLength(buf, 1, n)).to.equal(1 + hex.length / 2);
      }
      expect(() => berLength(0x100000000)).to.throw(RangeError);
    });

    it('encodes integers minimally in two’s complement, as ldapjs reads them', () => {
      const cases: Array<[number, string]> = [
        [0, '020100'],
        [127, '02017f'],
        [128, '02020080'],
        [256, '02020100'],
        [-1, '0201ff'],
        [-128, '020180'],
        [-129, '0202ff7f'],
        [0x7fffffff, '02047fffffff'],
        [-0x80000000, '020480000000'],
        [0x80000000, '02050080000000'],
        [2 ** 40, '0206010000000000'],
      ];
      for (const [n, hex] of cases) {
        expect(berInteger(n).toString('hex'), String(n)).to.equal(hex);
        if (hex.length <= 12) expect(new asn1.BerReader(berInteger(n)).readInt()).to.equal(n);
        if (hex.length <= 12) expect(new BerReader(berInteger(n)).readInteger()).to.equal(n);
      }
      expect(berEnumerated(3).toString('hex')).to.equal('0a0103');
      expect(berInteger(5, 0x80).toString('hex')).to.equal('800105');
      expect(() => berInteger(1.5)).to.throw(RangeError);
    });

    it('encodes booleans, NULL, strings and sequences', () => {
      expect(berBoolean(true).toString('hex')).to.equal('0101ff');
      expect(berBoolean(false, 0x84).toString('hex')).to.equal('840100');
      expect(berNull().toString('hex')).to.equal('0500');
      expect(berOctetString('é').toString('hex')).to.equal('0402c3a9');
      expect(berOctetString(Buffer.from([1]), 0x81).toString('hex')).to.equal('810101');
      expect(berTlv(0x04, Buffer.alloc(200)).subarray(0, 3).toString('hex')).to.equal('0481c8');
      expect(berSequence([]).toString('hex')).to.equal('3000');
      expect(berSequence([berInteger(1), berOctetString('a')], 0x31).toString('hex')).to.equal('3106020101040161');
    });

    it('builds a paged results value that @ldapjs/controls parses', () => {
      const value = berSequence([berInteger(500), berOctetString(Buffer.from([9, 8, 7]))]);
      const control = new controls.PagedResultsControl({ value: { size: 0, cookie: Buffer.alloc(0) } });
      const parsed = ldapjsParse(
        encodeResponse({ messageId: 1, protocolOp: { op: 'searchResultDone', resultCode: 0 }, controls: [{ oid: control.type, critical: false, value }] }),
      );
      expect(parsed.controls[0].value).to.deep.equal({ size: 500, cookie: Buffer.from([9, 8, 7]) });
    });
  });

  describe('ber-read BerReader', () => {
    it('reads a password modify request value with optional fields', () => {
      const value = berSequence([berOctetString('uid=a', 0x80), berOctetString('old', 0x81), berOctetString('néw', 0x82)]);
      const r = new BerReader(value);
      const outer = r.enter(0x30);
      expect(r.readOptionalString(0x80)).to.equal('uid=a');
      expect(r.readOptionalBytes(0x81)).to.deep.equal(Buffer.from('old'));
      expect(r.readOptionalString(0x82)).to.equal('néw');
      expect(r.peekTag()).to.equal(-1);
      r.leave(outer);
      expect(r.atEnd()).to.equal(true);
    });

    it('refuses trailing data, over-long lengths and bad booleans with ProtocolError', () => {
      const trailing = new BerReader(Buffer.from('3004020101ff', 'hex'));
      expect(() => {
        const outer = trailing.enter(0x30);
        trailing.readInteger();
        trailing.leave(outer);
      }).to.throw(ReaderProtocolError);
      expect(() => new BerReader(Buffer.from('3005020101', 'hex')).enter(0x30)).to.throw(ProtocolError);
      expect(() => new BerReader(Buffer.from('010200ff', 'hex')).readBoolean()).to.throw(ProtocolError);
      expect(new BerReader(Buffer.from('010101', 'hex')).readBoolean()).to.equal(true);
      expect(() => new BerReader(Buffer.from('04850000000001', 'hex')).readString()).to.throw(ProtocolError);
      expect(() => new BerReader(Buffer.from('0480', 'hex')).readString()).to.throw(ProtocolError);
      expect(() => new BerReader(Buffer.from('0500', 'hex')).readString()).to.throw(ProtocolError);
      expect(ReaderProtocolError).to.equal(ProtocolError);
    });
  });

  it('round-trips: what encodeResponse writes, BerReader reads back', () => {
    const response: LdapResponse = {
      messageId: 42,
      protocolOp: { op: 'searchResultEntry', objectName: 'cn=x', attributes: [{ type: 'cn', values: ['x', 'ÿ'] }] },
    };
    const r = new BerReader(encodeResponse(response));
    const outer = r.enter(0x30);
    expect(r.readInteger()).to.equal(42);
    const op = r.enter(0x64);
    expect(r.readString()).to.equal('cn=x');
    const attrs = r.enter(0x30);
    const attr = r.enter(0x30);
    expect(r.readString()).to.equal('cn');
    const set = r.enter(0x31);
    expect([r.readString(), r.readString()]).to.deep.equal(['x', 'ÿ']);
    r.leave(set);
    r.leave(attr);
    r.leave(attrs);
    r.leave(op);
    r.leave(outer);
  });
});

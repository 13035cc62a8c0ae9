import { expect } from 'chai';
import { LdapError } from '../../src/directory/errors';
import { PolicyError, type PolicyResponse } from '../../src/security/policy/types';
import { decodePasswordModifyRequest, encodePasswordModifyResponse, PASSWORD_MODIFY_OID, type PasswordModifyRequest } from '../../src/wire/password-modify';
import {
  decodePasswordPolicyResponse,
  encodePasswordPolicyResponse,
  PASSWORD_POLICY_OID,
  passwordPolicyResponseControl,
} from '../../src/wire/password-policy-control';
import { BerReader, ProtocolError } from '../../src/wire/protocol/ber-read';
import { berOctetString, berSequence } from '../../src/wire/protocol/ber-write';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

describe('password policy response control', () => {
  it('is non-critical and carries the draft-behera OID', () => {
    const c = passwordPolicyResponseControl({ error: PolicyError.accountLocked });
    expect(c.oid).to.equal('1.3.6.1.4.1.42.2.27.8.5.1');
    expect(PASSWORD_POLICY_OID).to.equal(c.oid);
    expect(c.critical).to.equal(false);
    expect(c.value).to.deep.equal(encodePasswordPolicyResponse({ error: PolicyError.accountLocked }));
  });

  // The bytes slapd's create_passcontrol() builds with ber_printf "{" "tO"(0xa0, "ti"(0x80|0x81, n)) "te"(0x81, e) "N}".
  const openldapBytes: Array<[string, PolicyResponse, string]> = [
    ['no warning, no error', {}, '30 00'],
    ['timeBeforeExpiration 3600', { warning: { timeBeforeExpiration: 3600 } }, '30 06 a0 04 80 02 0e 10'],
    ['timeBeforeExpiration 0', { warning: { timeBeforeExpiration: 0 } }, '30 05 a0 03 80 01 00'],
    ['timeBeforeExpiration 128 (needs a leading zero octet)', { warning: { timeBeforeExpiration: 128 } }, '30 06 a0 04 80 02 00 80'],
    ['timeBeforeExpiration maxInt', { warning: { timeBeforeExpiration: 2147483647 } }, '30 08 a0 06 80 04 7f ff ff ff'],
    ['graceAuthNsRemaining 2', { warning: { graceAuthNsRemaining: 2 } }, '30 05 a0 03 81 01 02'],
    ['error accountLocked', { error: PolicyError.accountLocked }, '30 03 81 01 01'],
    ['error passwordExpired', { error: PolicyError.passwordExpired }, '30 03 81 01 00'],
    [
      'expiry warning and changeAfterReset',
      { warning: { timeBeforeExpiration: 3600 }, error: PolicyError.changeAfterReset },
      '30 09 a0 04 80 02 0e 10 81 01 02',
    ],
    ['grace warning and passwordExpired', { warning: { graceAuthNsRemaining: 0 }, error: PolicyError.passwordExpired }, '30 08 a0 03 81 01 00 81 01 00'],
  ];
  for (const [name, response, bytes] of openldapBytes) {
    it(`encodes ${name} as libldap does`, () => {
      expect(encodePasswordPolicyResponse(response).toString('hex')).to.equal(hex(bytes).toString('hex'));
      expect(decodePasswordPolicyResponse(hex(bytes))).to.deep.equal(response);
    });
  }

  const warnings: Array<PolicyResponse['warning']> = [
    undefined,
    { timeBeforeExpiration: 0 },
    { timeBeforeExpiration: 1 },
    { timeBeforeExpiration: 86400 * 30 },
    { graceAuthNsRemaining: 0 },
    { graceAuthNsRemaining: 3 },
    { graceAuthNsRemaining: 70000 },
  ];
  const errors = [undefined, ...Object.values(PolicyError)];

  it('round-trips every warning with every error (and without either)', () => {
    for (const warning of warnings) {
      for (const error of errors) {
        const response: PolicyResponse = {};
        if (warning) response.warning = warning;
        if (error !== undefined) response.error = error;
        const value = encodePasswordPolicyResponse(response);
        expect(decodePasswordPolicyResponse(value), value.toString('hex')).to.deep.equal(response);
      }
    }
  });

  it('covers all ten draft error values, passwordTooLong being 9', () => {
    expect(Object.values(PolicyError)).to.deep.equal([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(encodePasswordPolicyResponse({ error: PolicyError.passwordTooLong }).toString('hex')).to.equal('3003810109');
  });

  it('caps warning values above maxInt and refuses negative or fractional ones', () => {
    expect(encodePasswordPolicyResponse({ warning: { timeBeforeExpiration: 2 ** 40 } })).to.deep.equal(hex('30 08 a0 06 80 04 7f ff ff ff'));
    expect(() => encodePasswordPolicyResponse({ warning: { timeBeforeExpiration: -1 } })).to.throw(RangeError);
    expect(() => encodePasswordPolicyResponse({ warning: { graceAuthNsRemaining: 1.5 } })).to.throw(RangeError);
  });

  const malformed: Array<[string, string]> = [
    ['an empty buffer', ''],
    ['a SET instead of a SEQUENCE', '31 00'],
    ['a truncated sequence', '30 06 a0 04 80 02 0e'],
    ['the old (pre-2.3 OpenLDAP) constructed error tag 0xa1', '30 03 a1 01 01'],
    ['the old constructed warning alternative 0xa0', '30 06 a0 04 a0 02 0e 10'],
    ['a primitive warning tag', '30 04 80 02 0e 10'],
    ['a warning with an unknown alternative', '30 05 a0 03 82 01 01'],
    ['an empty warning', '30 02 a0 00'],
    ['a warning with both alternatives', '30 08 a0 06 80 01 01 81 01 01'],
    ['error before warning', '30 08 81 01 01 a0 03 80 01 01'],
    ['two errors', '30 06 81 01 01 81 01 02'],
    ['an unknown error value', '30 03 81 01 0a'],
    ['a negative error value', '30 03 81 01 ff'],
    ['a negative timeBeforeExpiration', '30 05 a0 03 80 01 ff'],
    ['trailing octets after the sequence', '30 00 00'],
  ];
  for (const [name, bytes] of malformed) {
    it(`refuses ${name}`, () => {
      expect(() => decodePasswordPolicyResponse(hex(bytes))).to.throw(ProtocolError);
    });
  }
});

describe('password modify extended operation (RFC 3062)', () => {
  it('has the RFC 3062 OID', () => {
    expect(PASSWORD_MODIFY_OID).to.equal('1.3.6.1.4.1.4203.1.11.1');
  });

  it('treats a missing or empty request value as all fields absent', () => {
    expect(decodePasswordModifyRequest(undefined)).to.deep.equal({});
    expect(decodePasswordModifyRequest(Buffer.alloc(0))).to.deep.equal({});
    expect(decodePasswordModifyRequest(hex('30 00'))).to.deep.equal({});
  });

  const fields = {
    userIdentity: 'dn:uid=alice,ou=people,dc=example,dc=com',
    oldPassword: 'old sécret',
    newPassword: 'n3w-Secret!',
  };

  it('decodes all eight combinations of userIdentity, oldPasswd and newPasswd', () => {
    for (let mask = 0; mask < 8; mask++) {
      const parts: Buffer[] = [];
      const expected: PasswordModifyRequest = {};
      if (mask & 1) {
        parts.push(berOctetString(fields.userIdentity, 0x80));
        expected.userIdentity = fields.userIdentity;
      }
      if (mask & 2) {
        parts.push(berOctetString(fields.oldPassword, 0x81));
        expected.oldPassword = fields.oldPassword;
      }
      if (mask & 4) {
        parts.push(berOctetString(fields.newPassword, 0x82));
        expected.newPassword = fields.newPassword;
      }
      expect(decodePasswordModifyRequest(berSequence(parts)), `mask ${mask}`).to.deep.equal(expected);
    }
  });

  it('keeps a present but empty field distinct from an absent one', () => {
    const value = berSequence([berOctetString('', 0x80), berOctetString('', 0x82)]);
    expect(decodePasswordModifyRequest(value)).to.deep.equal({ userIdentity: '', newPassword: '' });
  });

  it('reads a value with a long-form length', () => {
    const newPassword = 'x'.repeat(300);
    expect(decodePasswordModifyRequest(berSequence([berOctetString(newPassword, 0x82)]))).to.deep.equal({ newPassword });
  });

  const good = berSequence([berOctetString('u', 0x80), berOctetString('old', 0x81), berOctetString('new', 0x82)]);
  const malformed: Array<[string, Buffer]> = [
    ['a SET instead of a SEQUENCE', berSequence([berOctetString('new', 0x82)], 0x31)],
    ['a bare OCTET STRING', berOctetString('new')],
    ['an unknown field tag [3]', berSequence([berOctetString('x', 0x83)])],
    ['a universal OCTET STRING field', berSequence([berOctetString('x')])],
    ['a constructed [0] field', berSequence([berSequence([berOctetString('x')], 0xa0)])],
    ['fields out of order', berSequence([berOctetString('new', 0x82), berOctetString('u', 0x80)])],
    ['a repeated field', berSequence([berOctetString('a', 0x81), berOctetString('b', 0x81)])],
    ['a truncated value', good.subarray(0, good.length - 1)],
    ['a truncated header', good.subarray(0, 1)],
    ['a field length running past the sequence', hex('30 03 80 05 61')],
    ['trailing octets after the sequence', Buffer.concat([good, hex('00')])],
  ];
  for (const [name, value] of malformed) {
    it(`refuses ${name} with protocolError`, () => {
      expect(() => decodePasswordModifyRequest(value))
        .to.throw(LdapError, 'password modify request value is malformed')
        .with.property('resultCode', 2);
    });
  }

  it('encodes the generated password as SEQUENCE { [0] genPasswd }', () => {
    expect(encodePasswordModifyResponse('abc').toString('hex')).to.equal('3005' + '8003' + '616263');
    expect(encodePasswordModifyResponse('').toString('hex')).to.equal('30028000');
  });

  it('encodes a long generated password with long-form lengths', () => {
    const genPassword = 'g'.repeat(200);
    const value = encodePasswordModifyResponse(genPassword);
    expect(value.subarray(0, 6).toString('hex')).to.equal('3081cb8081c8');
    const reader = new BerReader(value);
    const outer = reader.enter(0x30);
    expect(reader.readString(0x80)).to.equal(genPassword);
    reader.leave(outer);
    expect(reader.atEnd()).to.equal(true);
  });
});

import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readmeCopy } from '../compat/lib/templates';

/** The README's client configurations are the ones `npm run test:compat` proves: config/clients/. */
describe('client configurations in the README', () => {
  const readme = readFileSync(join(__dirname, '..', '..', '..', 'README.md'), 'utf8');
  for (const [file, client] of [
    ['sssd.conf', 'sssd'],
    ['nslcd.conf', 'nslcd'],
    ['freeradius-ldap', 'radius'],
  ] as const) {
    it(`${file} is config/clients/${file} with the example values`, () => {
      expect(readme).to.contain(readmeCopy(file, client));
    });
  }
});

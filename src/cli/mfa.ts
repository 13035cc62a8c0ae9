import type { Command } from 'commander';
import type { Directory } from '../directory/directory';
import type { MfaState } from '../directory/accounts/accounts';
import { SYSTEM } from '../directory/identity';
import { allPeople, personByUid, valuesOf } from '../directory/lookup';
import { cliLogger, configFor, globalOptions, withDirectory } from './context';
import { mfaKeyFile } from '../data-folder';

async function dnOf(d: Directory, uid: string): Promise<string> {
  return (await personByUid(d, uid)).dn;
}

const MFA_STATE_WORDS: Record<MfaState, string> = { enrolled: 'enrolled', pending: 'pending confirmation', required: 'REQUIRED, not enrolled', off: 'off' };

async function qr(text: string): Promise<string> {
  const qrcode = (await import('qrcode-terminal')).default;
  return new Promise<string>((resolve) => qrcode.generate(text, { small: true }, resolve));
}

export function registerMfa(program: Command) {
  const mfa = program.command('mfa').description('one-time codes (TOTP) appended to the password at login');

  mfa
    .command('enroll')
    .argument('<uid>')
    .option('--secret <base32>', 'import an existing secret instead of generating one')
    .description('a new secret, shown as an otpauth:// URI and a QR code; pending until "cairn mfa confirm"')
    .action(async (uid: string, o: { secret?: string }, cmd: Command) => {
      await withDirectory(cmd, async ({ directory: d }) => {
        const { secret, uri } = await d.accounts.mfaEnroll(SYSTEM, await dnOf(d, uid), o.secret);
        process.stdout.write(`Scan this with the authenticator app, or enter the secret ${secret}\n${uri}\n`);
        process.stdout.write((await qr(uri)) + '\n');
        process.stdout.write(`Then confirm with: cairn mfa confirm ${uid} CODE\n`);
      });
    });

  mfa
    .command('confirm')
    .description('turn MFA on for a person with the code their app shows')
    .argument('<uid>')
    .argument('<code>', 'the 6-digit code the app shows now')
    .action(async (uid: string, code: string, _o: unknown, cmd: Command) => {
      await withDirectory(cmd, async ({ directory: d }) => {
        await d.accounts.mfaConfirm(SYSTEM, await dnOf(d, uid), code);
        process.stdout.write(`MFA is on for ${uid}: log in with the password followed by the current code\n`);
      });
    });

  mfa
    .command('reset')
    .argument('<uid>')
    .description('remove the secret (a lost phone); an account that must use MFA then cannot log in until enrolled again')
    .action(async (uid: string, _o: unknown, cmd: Command) => {
      await withDirectory(cmd, async ({ directory: d }) => {
        await d.accounts.mfaReset(SYSTEM, await dnOf(d, uid));
        process.stdout.write(`MFA secret of ${uid} removed\n`);
      });
    });

  mfa
    .command('new-key')
    .option('--reset-enrolments', 'required: every enrolment is removed, and everyone who used MFA must enroll again')
    .description('when the MFA key is lost or wrong and no backup has it: remove every enrolment and make a new key (the old file is kept aside)')
    .action(async (o: { resetEnrolments?: boolean }, cmd: Command) => {
      const config = configFor(cmd);
      const data = globalOptions(cmd).data;
      const file = mfaKeyFile(config, data);
      const { openDirectory, sealedEnrolments } = await import('../runtime');
      const { mfaKeyWorks, writeNewMfaKey } = await import('../security/mfa-key');
      const opened = await openDirectory(data, config, await cliLogger(config), { withoutMfaKey: true, hashing: 'inline' });
      try {
        const enrolled = await sealedEnrolments(opened.store);
        if (mfaKeyWorks(file, enrolled)) throw new Error(`the MFA key ${file} is there and opens the enrolled secrets; nothing to replace`);
        if (!o.resetEnrolments) {
          throw new Error(
            `a new MFA key removes all ${enrolled.count} MFA enrolment(s), and those people must enroll again; if the key cannot be restored, run "cairn mfa new-key --reset-enrolments"`,
          );
        }
        const d = opened.directory;
        const reset: string[] = [];
        for (const dn of await d.accounts.mfaEnrolled()) {
          await d.accounts.mfaReset(SYSTEM, dn);
          reset.push(dn);
        }
        const aside = writeNewMfaKey(file);
        process.stdout.write(
          `New MFA key in ${file}${aside ? ` (the old one is now ${aside})` : ''}; ${reset.length} enrolment(s) removed, to enroll again:\n`,
        );
        for (const dn of reset) process.stdout.write(`  ${dn}\n`);
      } finally {
        await opened.close();
      }
    });

  mfa
    .command('status')
    .argument('[uid]')
    .description('who is enrolled, pending, or required but not enrolled')
    .action(async (uid: string | undefined, _o: unknown, cmd: Command) => {
      await withDirectory(cmd, async ({ directory: d }) => {
        const list = uid ? [await personByUid(d, uid)] : await allPeople(d);
        let shown = 0;
        for (const e of list) {
          const status = await d.accounts.mfaStatus(e.dn);
          if (!status) continue;
          const state = MFA_STATE_WORDS[status];
          if (uid || state !== 'off') {
            process.stdout.write(`${valuesOf(e, 'uid')[0]}\t${state}\n`);
            shown++;
          }
        }
        if (shown === 0) process.stdout.write('nobody has MFA enrolled\n');
      });
    });
}

import type { Command } from 'commander';
import { closeSync, createReadStream, openSync, readSync } from 'node:fs';
import { SYSTEM } from '../directory/identity';
import { formatLdifRecord, ldifHeader } from '../ldif/write';
import { withDirectory } from './context';
import { progress } from './import/progress';

/**
 * Operational attributes written by export, so a re-import keeps identities, history and the password
 * policy state an administrator may read (a lock, a pending reset, failures, the policy in force).
 */
const EXPORTED_OPERATIONAL = new Set([
  'entryuuid',
  'creatorsname',
  'createtimestamp',
  'modifiersname',
  'modifytimestamp',
  'pwdpolicysubentry',
  'pwdchangedtime',
  'pwdaccountlockedtime',
  'pwdfailuretime',
  'pwdreset',
  'pwdgraceusetime',
]);

const collect = (v: string, acc: string[]) => [...acc, v];

/** Records up to which an import hashes its cleartext passwords inline, not on hash threads. */
const SMALL_IMPORT = 16;

/** The records of an LDIF file (its `dn:` lines), for the progress bar: one pass over the bytes, a block at a time. */
function countRecords(file: string): number {
  const fd = openSync(file, 'r');
  try {
    const block = Buffer.alloc(1 << 20);
    let count = 0;
    // The block's text is prefixed with the last bytes of the one before, so a "\ndn:" across two blocks counts.
    let tail = '\n';
    for (let n; (n = readSync(fd, block, 0, block.length, null)) > 0;) {
      const text = tail + block.toString('latin1', 0, n);
      count += (text.match(/\ndn::? /gi) ?? []).length;
      tail = text.slice(-5);
      if (/\ndn::? /i.test(tail)) tail = tail.slice(tail.search(/\ndn::? /i) + 1);
    }
    return count;
  } finally {
    closeSync(fd);
  }
}

interface ImportFlags {
  update?: boolean;
  dryRun?: boolean;
  passwordChangedNow?: boolean;
  admin: string[];
  json?: boolean;
}

export function registerImportExport(program: Command) {
  program
    .command('import')
    .description('load an LDIF file (RFC 2849), all or nothing, and say what was done')
    .argument('<file>', 'LDIF file, or - for standard input')
    .option('--update', "entries that exist already are replaced by the file's (to restore an export over a fresh init)")
    .option('--dry-run', 'check everything and list every problem, write nothing')
    .option('--password-changed-now', 'people without pwdChangedTime get the import time as pwdChangedTime')
    .option('--admin <dn>', 'make this imported entry an administrator (member of cn=admins); repeatable', collect, [])
    .option('--json', 'the summary as JSON')
    .action(async (file: string, opts: ImportFlags, cmd: Command) => {
      // Counted first (a missing or unreadable file stops here), then read as a stream, a block at a time:
      // a file of any size, never whole in memory.
      const records = file === '-' ? undefined : countRecords(file);
      const bar = progress(records ?? 0);
      const ldif = file === '-' ? process.stdin : createReadStream(file, { highWaterMark: 1 << 20 });
      const options = {
        file,
        update: opts.update ?? false,
        dryRun: opts.dryRun ?? false,
        passwordChangedNow: opts.passwordChangedNow ?? false,
        admins: opts.admin,
      };
      const { runImport } = await import('./import/run');
      const summary = await withDirectory(cmd, ({ directory, store }) => runImport(directory, store, ldif, options, bar.tick), {
        // A few records hash inline: hash threads would cost more to start than they save.
        hashing: records !== undefined && records <= SMALL_IMPORT ? 'inline' : 'threads',
      }).finally(() => bar.done());
      process.stdout.write(opts.json ? JSON.stringify(summary.toJSON(), null, 2) + '\n' : summary.format());
      if (!summary.ok) throw new Error(summary.formatProblems());
    });

  program
    .command('export')
    .description('write the directory as LDIF to standard output; not a backup (no passwords, MFA secrets or policy history): use cairn backup')
    .action(async (_opts: unknown, cmd: Command) => {
      await withDirectory(cmd, async ({ directory }) => {
        process.stdout.write('# cairn export: not a backup — no passwords, MFA secrets or policy history; use cairn backup\n' + ldifHeader());
        await directory.search(
          SYSTEM,
          {
            baseDN: directory.namingContext,
            scope: 'sub',
            filter: { type: 'present', attribute: 'objectClass' },
            attributes: ['*', '+'],
            typesOnly: false,
            sizeLimit: 0,
            timeLimit: 0,
          },
          {
            send: (e) => {
              const attributes = e.attributes
                .filter((a) => {
                  const key = directory.norm.attribute(a.type);
                  return !key?.type.operational || EXPORTED_OPERATIONAL.has(key.key);
                })
                .map((a) => ({ name: a.type, values: a.values }));
              const ok = process.stdout.write(formatLdifRecord({ dn: e.dn, attributes }));
              if (!ok) return new Promise<void>((r) => process.stdout.once('drain', () => r()));
            },
            isAbandoned: () => false,
          },
        );
      });
    });
}

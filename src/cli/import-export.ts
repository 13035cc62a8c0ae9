import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { valueFromBytes } from '../bytes';
import { SYSTEM } from '../directory/identity';
import { LdapError } from '../directory/errors';
import type { Directory } from '../directory/directory';
import { parseLdif } from '../ldif/parse';
import type { LdifAttribute, LdifRecord } from '../ldif/types';
import { formatLdifRecord, ldifHeader } from '../ldif/write';
import { withDirectory } from './context';
import { findAll } from './lookup';

/** Attributes another directory exports that Cairn computes itself or has no use for (replication state). */
const SKIPPED_ON_IMPORT = new Set(['entrycsn', 'contextcsn', 'structuralobjectclass', 'memberof', 'hassubordinates', 'entrydn', 'subschemasubentry']);
/** Operational attributes written by export, so a re-import keeps identities and history. */
const EXPORTED_OPERATIONAL = new Set(['entryuuid', 'creatorsname', 'createtimestamp', 'modifiersname', 'modifytimestamp']);

/** Hashes a record's cleartext passwords up front, so a batch of records shares the worker threads. */
async function hashPasswords(d: Directory, r: LdifRecord): Promise<void> {
  const lists = r.kind === 'content' || r.kind === 'add' ? [r.attributes] : [];
  for (const attrs of lists) {
    for (const a of attrs) {
      if (a.name.split(';')[0].toLowerCase() === 'userpassword' && a.values.length === 1) a.values = [await d.storedPasswordHash(a.values[0])];
    }
  }
}

const BATCH = 64;

const keep = (attrs: LdifAttribute[]) => attrs.filter((a) => !SKIPPED_ON_IMPORT.has(a.name.split(';')[0].toLowerCase()));

/** With --update, a record for an entry that exists replaces its attributes (restoring a backup over `init`). */
async function replaceEntry(d: Directory, dn: string, attrs: LdifAttribute[]): Promise<boolean> {
  const existing = await findAll(d, dn, { type: 'present', attribute: 'objectClass' }, ['*'], 'base').catch(() => []);
  if (existing.length !== 1) return false;
  const given = new Set(attrs.map((a) => d.ctx.norm.attribute(a.name)?.key));
  const dropped = existing[0].attributes.filter((a) => !given.has(d.ctx.norm.attribute(a.type)?.key));
  await d.modify(
    SYSTEM,
    dn,
    [
      ...attrs.map((a) => ({ operation: 'replace' as const, modification: { type: a.name, values: a.values } })),
      ...dropped.map((a) => ({ operation: 'replace' as const, modification: { type: a.type, values: [] } })),
    ],
    { migration: true },
  );
  return true;
}

async function applyRecord(d: Directory, r: LdifRecord, update: boolean) {
  switch (r.kind) {
    case 'content':
    case 'add': {
      const attrs = keep(r.attributes);
      if (update && (await replaceEntry(d, r.dn, attrs))) return;
      await d.add(SYSTEM, r.dn, attrs.map((a) => ({ type: a.name, values: a.values })), { migration: true });
      return;
    }
    case 'delete':
      await d.delete(SYSTEM, r.dn);
      return;
    case 'modify':
      await d.modify(
        SYSTEM,
        r.dn,
        r.changes.map((c) => ({ operation: c.operation, modification: { type: c.attribute, values: c.values } })),
        { migration: true },
      );
      return;
    case 'modrdn':
      await d.modifyDN(SYSTEM, r.dn, r.newRdn, r.deleteOldRdn, r.newSuperior);
      return;
  }
}

/** A progress line on a terminal, redrawn at most every 1%. */
function progress(total: number) {
  if (!process.stderr.isTTY || total < 200) return { tick: (_n: number) => undefined, done: () => undefined };
  let shown = -1;
  return {
    tick: (n: number) => {
      const pct = Math.floor((n / total) * 100);
      if (pct === shown) return;
      shown = pct;
      const bar = '#'.repeat(Math.floor(pct / 2.5)).padEnd(40, '.');
      process.stderr.write(`\r[${bar}] ${pct}% ${n}/${total}`);
    },
    done: () => process.stderr.write('\n'),
  };
}

export function registerImportExport(program: Command) {
  program
    .command('import')
    .description('load an LDIF file (RFC 2849), all or nothing')
    .argument('<file>', 'LDIF file, or - for standard input')
    .option('--update', 'entries that exist already are replaced by the file\'s (to restore an export over a fresh init)')
    .action(async (file: string, opts: { update?: boolean }, cmd: Command) => {
      const text = valueFromBytes(readFileSync(file === '-' ? 0 : file));
      const total = (text.match(/^dn::? /gim) ?? []).length;
      const bar = progress(total);
      const count = await withDirectory(cmd, async ({ directory, store }) =>
        store.batch(async () => {
          let n = 0;
          const apply = async (batch: LdifRecord[]) => {
            for (const record of batch) {
              try {
                await applyRecord(directory, record, opts.update ?? false);
              } catch (err) {
                if (err instanceof LdapError) throw new Error(`line ${record.line}: ${record.dn}: ${err.message} (LDAP result ${err.resultCode}); nothing was imported`);
                throw err;
              }
              bar.tick(++n);
            }
          };
          let batch: LdifRecord[] = [];
          for (const record of parseLdif(text)) {
            batch.push(record);
            if (batch.length === BATCH) {
              await Promise.all(batch.map((r) => hashPasswords(directory, r).catch(() => undefined)));
              await apply(batch);
              batch = [];
            }
          }
          await Promise.all(batch.map((r) => hashPasswords(directory, r).catch(() => undefined)));
          await apply(batch);
          return n;
        }),
      ).catch((err: Error) => {
        bar.done();
        if (err.name === 'LdifError') throw new Error(`${file}: ${err.message}; nothing was imported`);
        throw err;
      });
      bar.done();
      process.stdout.write(`Imported ${count} record${count === 1 ? '' : 's'} from ${file}\n`);
    });

  program
    .command('export')
    .description('write the directory as LDIF to standard output; not a backup (no passwords, MFA secrets or policy history): use cairn backup')
    .action(async (_opts: unknown, cmd: Command) => {
      await withDirectory(cmd, async ({ directory }) => {
        process.stdout.write('# cairn export: not a backup — no passwords, MFA secrets or policy history; use cairn backup\n' + ldifHeader());
        await directory.search(
          SYSTEM,
          { baseDN: directory.namingContext, scope: 'sub', filter: { type: 'present', attribute: 'objectClass' }, attributes: ['*', '+'], typesOnly: false, sizeLimit: 0, timeLimit: 0 },
          {
            send: (e) => {
              const attributes = e.attributes
                .filter((a) => {
                  const key = directory.ctx.norm.attribute(a.type);
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

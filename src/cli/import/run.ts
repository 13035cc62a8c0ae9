import { SYSTEM } from '../../directory/identity';
import { serviceAccountTest } from '../../directory/layout';
import { LdapError } from '../../directory/errors';
import type { Directory } from '../../directory/directory';
import { untouchedInitEntries } from '../../directory/init-entries';
import { formatGeneralizedTime } from '../../directory/matching';
import { ResultCode } from '../../ldap/result-codes';
import { parseLdifStream } from '../../ldif/parse';
import type { LdifAttribute, LdifRecord } from '../../ldif/types';
import type { SqliteStore } from '../../store/sqlite-store';
import { makeImportedAdministrator } from './admins';
import { hashScheme } from '../../security/passwords';
import { entryKind, looksLikeRootDn } from './kinds';
import { countMemberUidChanges } from './member-uid';
import { danglingReferences, namesReferences } from './references';
import { alignShadow, touchesShadowAlignment } from './shadow';
import { ImportSummary } from './summary';
import { replaceEntry } from './takeover';

/** Attributes another directory exports that Cairn computes itself or has no use for (replication state). */
const SKIPPED_ON_IMPORT = new Set(['entrycsn', 'contextcsn', 'structuralobjectclass', 'memberof', 'hassubordinates', 'entrydn', 'subschemasubentry']);

export interface ImportOptions {
  file: string;
  /** Entries that exist already are replaced by the file's. */
  update: boolean;
  /** Check everything, write nothing. */
  dryRun: boolean;
  /** People without pwdChangedTime get the import time as pwdChangedTime. */
  passwordChangedNow: boolean;
  /** Imported entries to make members of cn=admins. */
  admins: string[];
}

/** A record ready to apply, with what the summary learns from it once it is in. */
interface Prepared {
  record: LdifRecord;
  attrs: LdifAttribute[];
  skipped: string[];
  schemes: string[];
  noChangedTime: boolean;
}

const BATCH = 64;
const baseName = (name: string) => name.split(';')[0];
const valuesOf = (attrs: LdifAttribute[], key: string) => attrs.filter((a) => baseName(a.name).toLowerCase() === key).flatMap((a) => a.values);

/** Thrown inside the store's batch so that it rolls back (a dry run, or an import with problems). */
class RollBack extends Error {}

/**
 * Runs an import in one transaction. Every record is applied in a savepoint of its own, so a failed one
 * changes nothing and the rest are still checked; problems are collected with their line numbers. At the
 * end everything is committed, or, after a dry run or any problem, rolled back.
 */
export async function runImport(
  d: Directory,
  store: SqliteStore,
  ldif: AsyncIterable<Uint8Array>,
  o: ImportOptions,
  tick: (n: number) => void,
): Promise<ImportSummary> {
  // One audit record for the import, with what it did; not one line per entry (nor lines for a rolled-back one).
  return d.bulk(
    SYSTEM,
    { op: 'import', dn: d.namingContext, file: o.file },
    () => importRecords(d, store, ldif, o, tick),
    (s) => ({
      dryRun: s.dryRun,
      written: s.ok && !s.dryRun,
      records: s.records,
      added: [...s.added.values()].reduce((a, b) => a + b, 0),
      replaced: s.replaced + s.takenOver.length,
      modified: s.modified,
      deleted: s.deleted,
      renamed: s.renamed,
      problems: s.problems.length,
    }),
  );
}

async function importRecords(
  d: Directory,
  store: SqliteStore,
  ldif: AsyncIterable<Uint8Array>,
  o: ImportOptions,
  tick: (n: number) => void,
): Promise<ImportSummary> {
  const now = Date.now();
  const summary = new ImportSummary(o.file, o.dryRun, o.passwordChangedNow, formatGeneralizedTime(now));
  const norm = d.norm;
  const failed = new Map<string, number>();
  /** Entries the file added, replaced or modified whose shadow attributes may need aligning (see alignShadow). */
  const shadowed = new Set<string>();
  /** Entries the file added, replaced or modified that hold references (member, pwdPolicySubentry), with the line of that record. */
  const referencing = new Map<string, number>();
  /** rfc2307bis groups' memberUid as the file gave it, to count what following member changed. */
  const memberUids = new Map<string, string[]>();
  const adminNdns = new Set(o.admins.map((dn) => safeNdn(d, dn)));
  const isService = serviceAccountTest(norm, d.namingContext);
  const untouchedInit = await untouchedInitEntries(store);

  const prepare = (record: LdifRecord): Prepared => {
    const p: Prepared = { record, attrs: [], skipped: [], schemes: [], noChangedTime: false };
    if (record.kind !== 'content' && record.kind !== 'add') return p;
    for (const a of record.attributes) {
      if (SKIPPED_ON_IMPORT.has(baseName(a.name).toLowerCase())) p.skipped.push(baseName(a.name));
      else p.attrs.push({ name: a.name, values: [...a.values] });
    }
    const passwords = valuesOf(p.attrs, 'userpassword');
    p.schemes = passwords.map((v) => hashScheme(v) ?? 'cleartext');
    if (passwords.length && valuesOf(p.attrs, 'pwdchangedtime').length === 0) {
      p.noChangedTime = true;
      if (o.passwordChangedNow) p.attrs.push({ name: 'pwdChangedTime', values: [summary.importedAt] });
    }
    return p;
  };

  // Cleartext passwords are hashed up front, a batch at a time, so the batch shares the worker threads.
  const hashPasswords = async (p: Prepared) => {
    for (const a of p.attrs) {
      if (baseName(a.name).toLowerCase() === 'userpassword' && a.values.length === 1)
        a.values = [await d.storedPasswordHash(a.values[0]).catch(() => a.values[0])];
    }
  };

  const apply = async (p: Prepared) => {
    const r = p.record;
    switch (r.kind) {
      case 'content':
      case 'add': {
        const ndn = norm.normalizeDN(r.dn).ndn;
        const classes = valuesOf(p.attrs, 'objectclass');
        const fromInit = await untouchedInit(ndn);
        if (fromInit) {
          const { kept, dropped } = await replaceEntry(d, fromInit, r.dn, p.attrs);
          summary.takenOver.push({ dn: r.dn, kept, dropped });
        } else {
          const existing = o.update ? await store.entryByNdn(ndn) : undefined;
          if (existing) {
            const { kept } = await replaceEntry(d, existing, r.dn, p.attrs);
            summary.replaced++;
            if (kept.length) summary.count(summary.normalised, "policy entries replaced (--update): Cairn's own cairn* settings kept");
          } else {
            await d.add(
              SYSTEM,
              r.dn,
              p.attrs.map((a) => ({ type: a.name, values: a.values })),
              { migration: true },
            );
            summary.count(summary.added, entryKind(classes, isService(ndn)));
          }
        }
        const names = p.attrs.map((a) => a.name);
        if (touchesShadowAlignment(norm, names, true)) shadowed.add(ndn);
        if (namesReferences(norm, names)) referencing.set(ndn, r.line);
        const lower = classes.map((c) => c.toLowerCase());
        if (lower.includes('groupofnames') && lower.includes('posixgroup')) memberUids.set(ndn, valuesOf(p.attrs, 'memberuid'));
        for (const a of p.skipped) summary.count(summary.skipped, a);
        for (const s of p.schemes) summary.count(summary.hashes, s);
        if (p.noChangedTime) summary.noChangedTime++;
        const rdnValue = norm.normalizeDN(r.dn).rdns[0]?.[0]?.value ?? '';
        // A service (below ou=services) is what it was on OpenLDAP: an account that binds and reads.
        if (!adminNdns.has(ndn) && !isService(ndn) && looksLikeRootDn(classes, rdnValue)) summary.rootLike.push(r.dn);
        return;
      }
      case 'delete':
        await d.delete(SYSTEM, r.dn);
        summary.deleted++;
        return;
      case 'modify': {
        await d.modify(
          SYSTEM,
          r.dn,
          r.changes.map((c) => ({ operation: c.operation, modification: { type: c.attribute, values: c.values } })),
          { migration: true },
        );
        summary.modified++;
        const ndn = safeNdn(d, r.dn);
        const names = r.changes.map((c) => c.attribute);
        if (!referencing.has(ndn) && namesReferences(norm, names)) referencing.set(ndn, r.line);
        if (touchesShadowAlignment(norm, names, false)) shadowed.add(ndn);
        return;
      }
      case 'modrdn':
        await d.modifyDN(SYSTEM, r.dn, r.newRdn, r.deleteOldRdn, r.newSuperior);
        summary.renamed++;
        return;
    }
  };

  const problem = (record: LdifRecord, err: LdapError) => {
    const { line, dn } = record;
    const ndn = safeNdn(d, dn);
    const parent = ndn.split(',').slice(1).join(',');
    const parentLine = failed.get(parent);
    const message =
      err.resultCode === ResultCode.noSuchObject && parentLine !== undefined
        ? `its parent was not imported (see line ${parentLine})`
        : `${err.message} (LDAP result ${err.resultCode})`;
    summary.problems.push({ line, dn, message });
    if (ndn) failed.set(ndn, line);
  };

  let n = 0;
  const run = async (batch: Prepared[]) => {
    await Promise.all(batch.map(hashPasswords));
    for (const p of batch) {
      try {
        await store.savepoint(() => apply(p));
      } catch (err) {
        if (!(err instanceof LdapError)) throw err;
        problem(p.record, err);
      }
      tick(++n);
    }
  };

  try {
    await store.batch(async () => {
      let batch: Prepared[] = [];
      try {
        for await (const record of parseLdifStream(ldif)) {
          summary.records++;
          batch.push(prepare(record));
          if (batch.length === BATCH) {
            await run(batch);
            batch = [];
          }
        }
      } catch (err) {
        if (!(err instanceof Error && err.name === 'LdifError')) throw err;
        // The file cannot be read past a syntax error: what came before is still checked.
        summary.problems.push({
          line: (err as Error & { line: number }).line,
          dn: '',
          message: err.message.replace(/^line \d+: /, '') + ' (the rest of the file was not read)',
        });
      }
      await run(batch);
      summary.problems.push(...(await danglingReferences(d, referencing)));
      if (summary.ok) {
        await alignShadow(d, shadowed, summary);
        await countMemberUidChanges(d, memberUids, summary);
      }
      for (const dn of o.admins) {
        try {
          await store.savepoint(() => makeImportedAdministrator(d, dn));
          summary.admins.push(dn);
        } catch (err) {
          if (!(err instanceof LdapError)) throw err;
          summary.problems.push({ line: 0, dn, message: `${err.message} (LDAP result ${err.resultCode})` });
        }
      }
      summary.problems.sort((x, y) => (x.line || Infinity) - (y.line || Infinity));
      if (o.dryRun || !summary.ok) throw new RollBack();
    });
  } catch (err) {
    if (!(err instanceof RollBack)) throw err;
  }
  return summary;
}

function safeNdn(d: Directory, dn: string): string {
  try {
    return d.norm.normalizeDN(dn).ndn;
  } catch {
    return '';
  }
}

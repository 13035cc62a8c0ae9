import { KIND_ORDER, type EntryKind } from './kinds';

/** One record that could not be imported, with the line of its `dn:`. */
export interface Problem {
  line: number;
  dn: string;
  message: string;
}

/** An entry that `cairn init` made and the import replaced, and what became of Cairn's own values. */
export interface TakeOver {
  dn: string;
  kept: string[];
  dropped: string[];
}

/** Everything an import did, skipped or changed: printed once at the end, for a person or as JSON. */
export class ImportSummary {
  records = 0;
  readonly added = new Map<EntryKind, number>();
  replaced = 0;
  modified = 0;
  deleted = 0;
  renamed = 0;
  readonly hashes = new Map<string, number>();
  readonly skipped = new Map<string, number>();
  readonly takenOver: TakeOver[] = [];
  readonly normalised = new Map<string, number>();
  readonly rootLike: string[] = [];
  readonly admins: string[] = [];
  /** People imported with a password and no pwdChangedTime, and whether they got the import time. */
  noChangedTime = 0;
  readonly problems: Problem[] = [];

  constructor(
    readonly file: string,
    readonly dryRun: boolean,
    readonly passwordChangedNow: boolean,
    readonly importedAt: string,
  ) {}

  count<K>(map: Map<K, number>, key: K, by = 1) {
    map.set(key, (map.get(key) ?? 0) + by);
  }

  get ok() {
    return this.problems.length === 0;
  }

  toJSON() {
    const obj = <K extends string>(m: Map<K, number>) => Object.fromEntries([...m].sort((a, b) => a[0].localeCompare(b[0])));
    return {
      file: this.file,
      dryRun: this.dryRun,
      ok: this.ok,
      written: this.ok && !this.dryRun,
      records: this.records,
      added: Object.fromEntries(KIND_ORDER.filter((k) => this.added.has(k)).map((k) => [k, this.added.get(k)])),
      replaced: this.replaced,
      modified: this.modified,
      deleted: this.deleted,
      renamed: this.renamed,
      passwordHashes: obj(this.hashes),
      skippedAttributes: obj(this.skipped),
      takenOverFromInit: this.takenOver,
      normalised: obj(this.normalised),
      withoutPwdChangedTime: this.noChangedTime,
      rootDnLike: this.rootLike,
      madeAdministrators: this.admins,
      problems: this.problems,
    };
  }

  /** Every problem, one a line with its line number; one problem is one line (for stderr). */
  formatProblems(): string {
    const end = this.dryRun ? 'dry run: nothing was written' : 'nothing was imported';
    const line = (p: Problem) => (p.line ? `line ${p.line}: ${p.dn ? `${p.dn}: ` : `${this.file}: `}` : '') + p.message;
    if (this.problems.length === 1) return `${line(this.problems[0])}; ${end}`;
    return [`${this.problems.length} problems in ${this.file}; ${end}:`, ...this.problems.map((p) => `  ${line(p)}`)].join('\n');
  }

  /** The summary as a person reads it. */
  format(): string {
    const out: string[] = [];
    const verb = this.dryRun ? 'would be' : 'were';
    out.push(`${this.dryRun ? 'Dry run of' : this.ok ? 'Imported' : 'Checked'} ${this.records} record${this.records === 1 ? '' : 's'} from ${this.file}`);
    const added = KIND_ORDER.filter((k) => this.added.has(k));
    if (added.length) {
      out.push(`Entries added${this.dryRun ? ' (would be)' : ''}:`);
      for (const k of added) out.push(`  ${String(this.added.get(k)).padStart(6)}  ${k}`);
    }
    const changes = [
      [this.replaced, 'replaced (--update)'],
      [this.modified, 'modified'],
      [this.renamed, 'renamed'],
      [this.deleted, 'deleted'],
    ] as const;
    for (const [n, what] of changes) if (n) out.push(`  ${String(n).padStart(6)}  ${what}`);
    if (this.hashes.size) {
      out.push('Passwords by scheme:');
      for (const [s, n] of [...this.hashes].sort((a, b) => b[1] - a[1]))
        out.push(`  ${String(n).padStart(6)}  ${s}${s === 'cleartext' ? ` (${verb} hashed with bcrypt)` : ''}`);
    }
    if (this.takenOver.length) {
      out.push("Taken over from cairn init (unchanged since init, replaced by the file's entry and DN spelling):");
      for (const t of this.takenOver) {
        out.push(`  ${t.dn}`);
        if (t.kept.length) out.push(`    kept Cairn's own ${t.kept.join(', ')} (not in the file)`);
        if (t.dropped.length) out.push(`    dropped ${t.dropped.join(', ')} (not in the file)`);
      }
    }
    if (this.skipped.size) {
      out.push('Attributes skipped (Cairn computes them or has no use for them):');
      for (const [a, n] of [...this.skipped].sort((a, b) => b[1] - a[1])) out.push(`  ${String(n).padStart(6)}  ${a}`);
    }
    if (this.normalised.size) {
      out.push('Values normalised:');
      for (const [what, n] of this.normalised) out.push(`  ${String(n).padStart(6)}  ${what}`);
    }
    const n = this.noChangedTime;
    const entries = `${n} ${n === 1 ? 'entry' : 'entries'} with a password`;
    if (n && this.passwordChangedNow)
      out.push(`${entries} had no pwdChangedTime: ${n === 1 ? 'it gets' : 'they get'} the import time ${this.importedAt} (--password-changed-now).`);
    else if (n) {
      out.push(
        `${entries} had no pwdChangedTime (OpenLDAP sets none without pwdMaxAge): as on OpenLDAP, ${n === 1 ? 'its password does' : 'their passwords do'} not expire ` +
          'until next changed (nor do their shadow attributes change), so a pwdMaxAge set later does not expire them all at once. ' +
          'To start their password age at this import instead (they then expire together, pwdMaxAge after it): --password-changed-now.',
      );
    }
    const was = this.dryRun ? 'would be' : 'was';
    for (const dn of this.rootLike) {
      out.push(
        `${dn} ${was} imported as an ordinary entry; it is not an administrator of Cairn. To make it one: cairn import --admin '${dn}' or cairn admin add '${dn}'.`,
      );
    }
    for (const dn of this.admins) out.push(`${dn} ${was} made an administrator of Cairn (member of cn=admins).`);
    return out.join('\n') + '\n';
  }
}

import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closeLogFiles, createLogger, flatLine } from '../../src/log';
import { MAX_LOG_STRING } from '../../src/log-cap';

const withoutTime = (line: string) => line.replace(/"timestamp":"[^"]*"/, '"timestamp":"T"');

describe('log lines of plain fields', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'cairn-log-line-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** The lines a logger wrote to its file. */
  function written(fn: (log: ReturnType<typeof createLogger>) => void): string[] {
    const file = join(dir, 'cairn.log');
    fn(createLogger('info', file));
    closeLogFiles();
    return readFileSync(file, 'utf8').split('\n').filter(Boolean);
  }

  it('are written byte for byte as pino writes them, whatever the strings hold', () => {
    const fields = {
      conn: 7,
      peer: '127.0.0.1:40000',
      msgid: 3,
      op: 'search',
      dn: 'cn=Ünïcode "quoted" \\ back\u2028sep,dc=example,dc=com',
      filter: '(cn=tab\there\u0001)',
      entries: 0,
      ms: 0.433983,
      ok: true,
      gone: undefined,
      notANumber: NaN,
    };
    // The second line carries an object, so pino writes it: without that field, it is the same line.
    const [flat, viaPino] = written((log) => {
      log.info('operation', fields);
      log.info('operation', { ...fields, nested: {} });
    });
    expect(flatLine('info', 'operation', fields)).to.be.a('string');
    expect(withoutTime(flat)).to.equal(withoutTime(viaPino.replace(',"nested":{}', '')));
    expect(JSON.parse(flat)).to.include({ level: 'info', conn: 7, dn: fields.dn, filter: fields.filter, message: 'operation', notANumber: null });
  });

  it('leave to pino what needs bounding or is not plain: long strings, lists, objects', () => {
    expect(flatLine('info', 'm', { filter: 'f'.repeat(MAX_LOG_STRING + 1) })).to.equal(undefined);
    expect(flatLine('info', 'm', { attributes: ['cn'] })).to.equal(undefined);
    expect(flatLine('info', 'm', { error: new Error('x') })).to.equal(undefined);
    const [line] = written((log) => log.info('m', { filter: 'f'.repeat(200 * 1024) }));
    expect(line.length).to.be.below(2 * MAX_LOG_STRING);
    expect((JSON.parse(line) as { filter: string }).filter).to.match(/…\(\+\d+ chars\)$/);
  });
});

import { closeSync, fstatSync, openSync, writeSync } from 'node:fs';
import { resolve } from 'node:path';
import pino from 'pino';
import { capFields, MAX_LOG_STRING } from './log-cap';

export type LogLevel = 'error' | 'warn' | 'info' | 'debug';
/** What a line says besides its message: flat names and values (never a secret). */
export type LogFields = Record<string, unknown>;

/** Where the server, the CLI and the audit trail say what happened: one JSON line per event. */
export interface Logger {
  /** The lowest level written (a reload may change it). */
  level: string;
  error(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  debug(message: string, fields?: LogFields): void;
  isLevelEnabled(level: LogLevel): boolean;
}

/**
 * Where log lines go: stderr or a file opened for appending. A write per log line would cost a busy
 * server a large part of its time (stderr through a pipe is written synchronously on Linux), so lines are
 * gathered and written once per turn of the event loop, and whatever is left is written when the process
 * exits. A file can be reopened at its path (SIGHUP after logrotate moved it away): lines written before
 * the reopen go to the old file, later ones to the new.
 */
class LineSink {
  private pending: string[] = [];
  private scheduled = false;
  private fd: number;
  /** Whether the lines go to a regular file (a log file, or stderr sent to one), not a pipe or a terminal. */
  private readonly toFile: boolean;

  /** `path` undefined: stderr. */
  constructor(readonly path?: string) {
    this.fd = path === undefined ? 2 : openLogFile(path);
    this.toFile = path !== undefined || isRegularFile(2);
    flushAtExit();
  }

  /** One whole line, with its newline (pino's destination interface). */
  write(line: string): void {
    this.pending.push(line);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /**
   * Opens the file at its path again (a new one when it was moved away) and writes the lines to come
   * there. When the path cannot be opened, lines keep going to the old file and the reason is thrown.
   */
  reopen(): void {
    if (this.path === undefined) return;
    const fd = openLogFile(this.path);
    this.flush();
    const old = this.fd;
    this.fd = fd;
    try {
      closeSync(old);
    } catch {
      // already closed: nothing to do.
    }
  }

  /** Writes what is gathered and closes the file; a line that comes later opens it again. */
  close() {
    this.flush();
    if (this.path === undefined || this.fd < 0) return;
    try {
      closeSync(this.fd);
    } catch {
      // already closed: nothing to do.
    }
    this.fd = -1;
  }

  /**
   * Writes of whole lines, so that lines of several processes (the server's workers share stderr and the
   * log files) never mix: at most PIPE_BUF (4096) bytes to stderr, which may be a pipe; a file opened for
   * appending takes each write at once whatever its size.
   */
  flush() {
    const most = 4096;
    this.scheduled = false;
    const lines = this.pending;
    if (lines.length === 0) return;
    this.pending = [];
    let chunk = '';
    let bytes = 0;
    if (this.fd < 0 && this.path !== undefined) {
      try {
        this.fd = openLogFile(this.path);
      } catch {
        return; // the folder is gone: nothing more can be said.
      }
    }
    const write = (text: string) => {
      try {
        if (text) writeSync(this.fd, text);
      } catch {
        // stderr closed, disk full: nothing more can be said.
      }
    };
    // A file takes any write whole: the lines go in one write, counted by nobody.
    if (this.toFile) return write(lines.join(''));
    for (const line of lines) {
      const size = Buffer.byteLength(line);
      if (bytes + size > most) {
        write(chunk);
        chunk = '';
        bytes = 0;
      }
      chunk += line;
      bytes += size;
    }
    write(chunk);
  }
}

function isRegularFile(fd: number): boolean {
  try {
    return fstatSync(fd).isFile();
  } catch {
    return false;
  }
}

function openLogFile(path: string): number {
  try {
    return openSync(path, 'a', 0o640);
  } catch (err) {
    throw new Error(`cannot open the log file ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, { cause: err });
  }
}

let flushingAtExit = false;
/** Whatever is gathered is written when the process exits: one listener for every sink. */
function flushAtExit(): void {
  if (flushingAtExit) return;
  flushingAtExit = true;
  process.once('exit', () => flushLogs());
}

let stderrSink: LineSink | undefined;
/** One sink per file in this process: the main log and the audit log may even be the same file. */
const fileSinks = new Map<string, LineSink>();

const sinkFor = (file?: string): LineSink => {
  if (!file) return (stderrSink ??= new LineSink());
  const path = resolve(file);
  let sink = fileSinks.get(path);
  if (!sink) fileSinks.set(path, (sink = new LineSink(path)));
  return sink;
};

/**
 * Reopens every log file of this process at its path (logrotate's postrotate, SIGHUP). Returns one
 * message per file that could not be reopened; that file keeps receiving the lines.
 */
export function reopenLogFiles(): string[] {
  const problems: string[] = [];
  for (const sink of fileSinks.values()) {
    try {
      sink.reopen();
    } catch (err) {
      problems.push((err as Error).message);
    }
  }
  return problems;
}

/** Writes out every line gathered so far (before the process exits on purpose). */
export function flushLogs(): void {
  stderrSink?.flush();
  for (const sink of fileSinks.values()) sink.flush();
}

/**
 * Writes out every line and closes the log files, as the end of a process would: for a program that runs
 * several commands in one process (the tests' CLI thread), so that each command opens its files anew.
 */
export function closeLogFiles(): void {
  stderrSink?.flush();
  for (const sink of fileSinks.values()) sink.close();
  fileSinks.clear();
}

/** Pino's methods take the fields first; Cairn's callers say the message first. */
class PinoLogger implements Logger {
  constructor(
    private readonly lines: pino.Logger,
    private readonly sink: { write(line: string): void },
  ) {}
  get level(): string {
    return this.lines.level;
  }
  set level(level: string) {
    this.lines.level = level;
  }
  error(message: string, fields: LogFields = {}) {
    this.lines.error(fields, message);
  }
  warn(message: string, fields: LogFields = {}) {
    this.lines.warn(fields, message);
  }
  info(message: string, fields: LogFields = {}) {
    // A line of plain fields (every operation of a busy server) is written here, as pino would write it,
    // in a third of pino's time; anything else goes through pino.
    if (this.lines.levelVal > INFO) return;
    const line = flatLine('info', message, fields);
    if (line === undefined) this.lines.info(fields, message);
    else this.sink.write(line);
  }
  debug(message: string, fields: LogFields = {}) {
    this.lines.debug(fields, message);
  }
  isLevelEnabled(level: LogLevel): boolean {
    return this.lines.isLevelEnabled(level);
  }
}

let secondStart = -1;
let secondText = '';
/**
 * The time of a log line, as Date's toISOString writes it. toISOString costs 0.7-1.4 µs, a third of a whole
 * line, so the text up to the second is kept and only the milliseconds are written each time.
 */
export function isoNow(now = Date.now()): string {
  const ms = now % 1000;
  const second = now - ms;
  if (second !== secondStart) {
    secondStart = second;
    secondText = new Date(second).toISOString().slice(0, 20);
  }
  return secondText + (ms < 10 ? '00' : ms < 100 ? '0' : '') + ms + 'Z';
}

const INFO = 30;

/**
 * The JSON line pino writes (level, timestamp, the fields in order, message), for fields that are all
 * strings, numbers, booleans or undefined (left out) and that JSON writes in at most MAX_LOG_STRING
 * characters, so that nothing in them needs bounding (capFields); undefined for any other fields. Field
 * names are Cairn's own, short and plain.
 */
export function flatLine(level: LogLevel, message: string, fields: LogFields): string | undefined {
  for (const name in fields) {
    const v = fields[name];
    if ((typeof v === 'object' && v !== null) || typeof v === 'bigint') return undefined;
  }
  const json = JSON.stringify(fields);
  if (json.length > MAX_LOG_STRING) return undefined;
  const rest = json.length > 2 ? `,${json.slice(1, -1)}` : '';
  return `{"level":"${level}","timestamp":"${isoNow()}"${rest},"message":${JSON.stringify(message)}}\n`;
}

/**
 * One JSON line per event, to stderr or a file: level, time, the fields, the message. Every field is
 * bounded (capFields): a client's 200 KB filter makes a line of about 1 KB, not 200 KB. Callers never
 * pass secrets.
 */
export function createLogger(level: string, file?: string): Logger {
  const options: pino.LoggerOptions = {
    level,
    base: undefined,
    messageKey: 'message',
    timestamp: () => `,"timestamp":"${isoNow()}"`,
    formatters: { level: (label) => ({ level: label }), log: (fields) => capFields(fields) },
  };
  const sink = sinkFor(file);
  return new PinoLogger(pino(options, sink), sink);
}

/** A logger that drops everything, for library use and tests. */
export function silentLogger(): Logger {
  const sink = { write: () => undefined };
  return new PinoLogger(pino({ level: 'silent' }, sink), sink);
}

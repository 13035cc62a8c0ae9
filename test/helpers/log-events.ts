/** A log line as Cairn writes it: one JSON object per line. */
export interface LogEvent {
  level: string;
  message: string;
  timestamp: string;
  [field: string]: unknown;
}

/** The JSON lines of a log (a server's stderr, a log file); other lines are skipped. */
export function logEvents(text: string): LogEvent[] {
  return text.split('\n').flatMap((line) => {
    if (!line.startsWith('{')) return [];
    try {
      return [JSON.parse(line) as LogEvent];
    } catch {
      return [];
    }
  });
}

/** The first event at `level` whose message (or, with `field`, that field) matches. */
export function findEvent(text: string, level: string, pattern: RegExp, field = 'message'): LogEvent | undefined {
  return logEvents(text).find((e) => e.level === level && pattern.test(String(e[field])));
}

import winston from 'winston';

export type Logger = winston.Logger;

/** One JSON line per event, to stderr or a file. Callers never pass secrets. */
export function createLogger(level: string, file?: string): Logger {
  const transport = file
    ? new winston.transports.File({ filename: file })
    : new winston.transports.Stream({ stream: process.stderr });
  return winston.createLogger({
    level,
    format: winston.format.combine(winston.format.timestamp(), winston.format.json()),
    transports: [transport],
  });
}

/** A logger that drops everything, for library use and tests. */
export function silentLogger(): Logger {
  return winston.createLogger({ silent: true, transports: [new winston.transports.Stream({ stream: process.stderr })] });
}

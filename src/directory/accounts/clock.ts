/**
 * The time every account rule reads (lockout, failure-count interval, expiry, warnings, grace logins,
 * must-change, minimum age, MFA steps, replay and reuse grace, password checks under way): milliseconds
 * since 1970. The directory is opened with the system clock; tests pass one they can move.
 */
export type Clock = () => number;

export const systemClock: Clock = () => Date.now();

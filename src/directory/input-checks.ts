import { InputError } from './errors';

/**
 * Checks of what a person typed (the CLI's arguments, the portal's forms) before it reaches the directory:
 * each throws one plain-words InputError (the CLI prints it and exits 1) and changes nothing. The directory checks again what the schema says; these catch what the
 * schema allows but a POSIX system or a person would not mean (a uid with a space, uidNumber -5).
 */

/**
 * A login or group name as POSIX systems take it (the portable file-name characters, not starting with
 * "-", an optional final "$" for machine accounts), at most 32 characters like useradd.
 */
const POSIX_NAME = /^[A-Za-z0-9_][A-Za-z0-9._-]*\$?$/;
const NAME_MAX = 32;

export function checkName(what: string, name: string): void {
  if (name.length > NAME_MAX) throw new InputError(`${what} "${name}" is too long: at most ${NAME_MAX} characters`);
  if (!POSIX_NAME.test(name)) {
    throw new InputError(`${what} "${name}" may hold only letters A-Z and a-z, digits, ".", "_" and "-" (not first), and a final "$"`);
  }
}

/** uid_t and gid_t are 32 bits and (uid_t)-1 means "none"; 0 is root, which a directory should not hand out. */
const ID_MAX = 4294967294;

/** A uidNumber or gidNumber given on the command line (--uid-number, --gid-number): the same text back. */
export function checkIdNumber(option: string, value: string): string {
  if (!/^[1-9][0-9]*$/.test(value) || Number(value) > ID_MAX) throw new InputError(`${option} must be a whole number from 1 to ${ID_MAX}, not "${value}"`);
  return value;
}

/** An email address: something@domain, no spaces (the schema's IA5String would take any ASCII). */
export function checkMail(value: string, what = '--mail'): void {
  if (!/^[^\s@]+@[^\s@]+$/.test(value)) throw new InputError(`${what} "${value}" is not an email address (name@domain)`);
}

/** A login shell: an absolute path, as /etc/passwd has it. */
export function checkShell(value: string, what = '--shell'): void {
  if (!/^\/\S*$/.test(value)) throw new InputError(`${what} "${value}" must be an absolute path such as /bin/bash`);
}

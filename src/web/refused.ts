import { InputError, LdapError } from '../directory/errors';

/** What a page says of a refusal: the directory's words (with its reason) or the input checks'; anything else is a fault. */
export function refusedText(err: unknown): string {
  if (err instanceof LdapError || err instanceof InputError) return err.message;
  throw err;
}

import unixCrypt from 'unix-crypt-td-js';

/** Traditional DES crypt(3): a 2-character salt and 11 characters of hash; only 8 bytes, 7 bits each, count. */
export const DES_CRYPT = /^[./0-9A-Za-z]{13}$/;

export function desCrypt(password: Buffer, salt: string): string {
  return unixCrypt([...password], salt);
}

/** Traditional DES crypt(3): a 2-character salt and 11 characters of hash; only 8 bytes, 7 bits each, count. */
export const DES_CRYPT = /^[./0-9A-Za-z]{13}$/;

/** Loaded at the first DES hash, which only migrated directories hold. */
export async function desCrypt(password: Buffer, salt: string): Promise<string> {
  const { default: unixCrypt } = await import('unix-crypt-td-js');
  return unixCrypt([...password], salt);
}

declare module 'unix-crypt-td-js' {
  /** Traditional DES crypt(3): 13 characters, the 2-character salt first. */
  function crypt(password: string | number[], salt: string | number[]): string;
  export = crypt;
}

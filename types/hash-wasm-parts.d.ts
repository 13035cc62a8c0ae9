// hash-wasm's one-algorithm builds (dist/<name>.umd.min.js): the same functions as its index, which holds
// every algorithm's WebAssembly (284 KB against bcrypt's 28 KB).
declare module 'hash-wasm/dist/bcrypt.umd.min.js' {
  export { bcrypt, bcryptVerify } from 'hash-wasm';
}
declare module 'hash-wasm/dist/argon2.umd.min.js' {
  export { argon2Verify } from 'hash-wasm';
}

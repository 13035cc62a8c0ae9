;; yescrypt's pwxform over the 64-byte sub-blocks of one block (BlockMix_pwxform without its final
;; Salsa20/2, which yescrypt.ts does): the part of a yescrypt verification that takes nearly all its time.
;; It works in 64-bit lanes, which JavaScript has no fast way to do. Built into pwxform.wasm by
;; scripts/wasm.js; yescrypt.ts holds the memory, the S-boxes and the other steps.
;;
;; PWXsimple 2, PWXgather 4, PWXrounds 6, Swidth 8 (YESCRYPT_DEFAULTS): S0, S1 and S2 are 4 KiB each.
;; state (16 bytes): the byte offsets of S0, S1, S2, and w (the write position in S2, in bytes).
(module
  (import "env" "memory" (memory 1))

  ;; blocks(b, count, state, y): for each of `count` sub-blocks of 64 bytes at b,
  ;; Y ^= B_i; pwxform(Y); B_i = Y, with Y starting as the last sub-block. y: 64 bytes of scratch.
  (func (export "blocks") (param $b i32) (param $count i32) (param $state i32) (param $y i32)
    (local $i i32) (local $at i32) (local $k i32)
    ;; Y = the last sub-block
    (local.set $at (i32.add (local.get $b) (i32.shl (i32.sub (local.get $count) (i32.const 1)) (i32.const 6))))
    (local.set $k (i32.const 0))
    (loop $copy
      (i64.store (i32.add (local.get $y) (local.get $k)) (i64.load (i32.add (local.get $at) (local.get $k))))
      (local.set $k (i32.add (local.get $k) (i32.const 8)))
      (br_if $copy (i32.lt_u (local.get $k) (i32.const 64))))
    (local.set $i (i32.const 0))
    (loop $each
      (local.set $at (i32.add (local.get $b) (i32.shl (local.get $i) (i32.const 6))))
      (if (i32.gt_u (local.get $count) (i32.const 1))
        (then
          (local.set $k (i32.const 0))
          (loop $xor
            (i64.store (i32.add (local.get $y) (local.get $k))
              (i64.xor (i64.load (i32.add (local.get $y) (local.get $k))) (i64.load (i32.add (local.get $at) (local.get $k)))))
            (local.set $k (i32.add (local.get $k) (i32.const 8)))
            (br_if $xor (i32.lt_u (local.get $k) (i32.const 64))))))
      (call $pwxform (local.get $y) (local.get $state))
      (local.set $k (i32.const 0))
      (loop $back
        (i64.store (i32.add (local.get $at) (local.get $k)) (i64.load (i32.add (local.get $y) (local.get $k))))
        (local.set $k (i32.add (local.get $k) (i32.const 8)))
        (br_if $back (i32.lt_u (local.get $k) (i32.const 64))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $each (i32.lt_u (local.get $i) (local.get $count)))))

  ;; One pwxform of the 64 bytes at x, then (S0, S1, S2) <- (S2, S0, S1) and w <- w mod 4096.
  (func $pwxform (param $x i32) (param $state i32)
    (local $s0 i32) (local $s1 i32) (local $s2 i32) (local $w i32)
    (local $round i32) (local $keep i32) (local $lane i32) (local $p0 i32) (local $p1 i32)
    (local $first i64) (local $v i64)
    (local.set $s0 (i32.load (local.get $state)))
    (local.set $s1 (i32.load offset=4 (local.get $state)))
    (local.set $s2 (i32.load offset=8 (local.get $state)))
    (local.set $w (i32.load offset=12 (local.get $state)))
    (local.set $round (i32.const 0))
    (loop $rounds
      (local.set $keep (i32.and (i32.ne (local.get $round) (i32.const 0)) (i32.ne (local.get $round) (i32.const 5))))
      (local.set $lane (local.get $x))
      (loop $gather
        ;; p0 and p1 from the low and high words of the lane's first 64-bit word
        (local.set $first (i64.load (local.get $lane)))
        (local.set $p0 (i32.add (local.get $s0) (i32.and (i32.wrap_i64 (local.get $first)) (i32.const 0xff0))))
        (local.set $p1 (i32.add (local.get $s1) (i32.and (i32.wrap_i64 (i64.shr_u (local.get $first) (i64.const 32))) (i32.const 0xff0))))
        ;; the two 64-bit words: v = ((v >> 32) * (v & 0xffffffff) + S0[p0]) ^ S1[p1]
        (local.set $v
          (i64.xor
            (i64.add
              (i64.mul (i64.shr_u (local.get $first) (i64.const 32)) (i64.and (local.get $first) (i64.const 0xffffffff)))
              (i64.load (local.get $p0)))
            (i64.load (local.get $p1))))
        (i64.store (local.get $lane) (local.get $v))
        (if (local.get $keep)
          (then
            (i64.store (i32.add (local.get $s2) (local.get $w)) (local.get $v))
            (local.set $w (i32.add (local.get $w) (i32.const 8)))))
        (local.set $v (i64.load offset=8 (local.get $lane)))
        (local.set $v
          (i64.xor
            (i64.add
              (i64.mul (i64.shr_u (local.get $v) (i64.const 32)) (i64.and (local.get $v) (i64.const 0xffffffff)))
              (i64.load offset=8 (local.get $p0)))
            (i64.load offset=8 (local.get $p1))))
        (i64.store offset=8 (local.get $lane) (local.get $v))
        (if (local.get $keep)
          (then
            (i64.store (i32.add (local.get $s2) (local.get $w)) (local.get $v))
            (local.set $w (i32.add (local.get $w) (i32.const 8)))))
        (local.set $lane (i32.add (local.get $lane) (i32.const 16)))
        (br_if $gather (i32.lt_u (local.get $lane) (i32.add (local.get $x) (i32.const 64)))))
      (local.set $round (i32.add (local.get $round) (i32.const 1)))
      (br_if $rounds (i32.lt_u (local.get $round) (i32.const 6))))
    (i32.store (local.get $state) (local.get $s2))
    (i32.store offset=4 (local.get $state) (local.get $s0))
    (i32.store offset=8 (local.get $state) (local.get $s1))
    (i32.store offset=12 (local.get $state) (i32.and (local.get $w) (i32.const 4095))))
)

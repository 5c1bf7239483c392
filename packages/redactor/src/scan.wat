;; The two hot loops of @ironrun/redactor, as WebAssembly with 128-bit SIMD.
;; `scripts/build-wasm.mjs` compiles this file into `src/scan-wasm.ts`; a test
;; checks that the two agree. Everything here only *finds candidates*: the
;; TypeScript around it compares them with the patterns and decides what is
;; redacted, exactly as its pure TypeScript path does.
;;
;; Memory is laid out by `WasmScan` (src/wasm-scan.ts): the skip tables of each
;; skipping search, the class of each byte value, two candidate lists and the
;; chunk being read. All offsets are passed in; nothing is fixed here.
(module
  (memory (export "memory") 1)

  ;; Where `skip` stopped (resume there) and how many candidates it wrote to each list.
  (global $resumeA (export "resumeA") (mut i32) (i32.const 0))
  (global $resumeB (export "resumeB") (mut i32) (i32.const 0))
  (global $countA (export "countA") (mut i32) (i32.const 0))
  (global $countB (export "countB") (mut i32) (i32.const 0))
  ;; How many windows `skip` found with a shift of 0, listed or not (the verify filter dropped the others).
  (global $zeroes (export "zeroes") (mut i32) (i32.const 0))
  ;; Where `breaks` or `compact` stopped.
  (global $resume (export "resume") (mut i32) (i32.const 0))
  ;; How many stretches `compact` listed.
  (global $segments (export "segments") (mut i32) (i32.const 0))
  ;; The longest stretch of the run `compact` copied with no character other than a hex digit,
  ;; as chunk offsets [hexFrom, hexTo) (the first such stretch when two are as long).
  (global $hexFrom (export "hexFrom") (mut i32) (i32.const 0))
  (global $hexTo (export "hexTo") (mut i32) (i32.const 0))

;; One step of a cursor: hash the window's last 4 bytes (the same multiplicative hash as
  ;; SkipSearch, keeping the top bits); if either of its two bits in the presence bitset (bit
  ;; h & 31 of word h >> 5, and the bit the 5 product bits below h pick) is clear, no pattern has
  ;; the block: jump $maxShift; else move by
  ;; the shift table, and where that is 0 write the window start to the cursor's list if the
  ;; verify bitset has the hash of the window's first and last 4 bytes (`$verifyShift` keeps its
  ;; top bits; `$wordOffset` is the window's length minus 4): a pattern that starts there has
  ;; those bytes, so a window no pattern can start at is never listed, and most are dropped here.

  ;; Two cursors, over starts [$a, $aEnd) and [$b, $bEnd], advance in one loop:
  ;; their work is independent, so the CPU overlaps it. Window starts where the
  ;; shift is 0 go to list A (`$outA`) or list B (`$outB`), at most `$cap` each;
  ;; when a list is full the function returns and the caller resumes from
  ;; `resumeA` and `resumeB`.
  (func (export "skip")
    (param $a i32) (param $aEnd i32) (param $b i32) (param $bEnd i32)
    (param $lastOffset i32) (param $maxShift i32) (param $bitsShift i32) (param $tableShift i32)
    (param $wordOffset i32) (param $verifyShift i32)
    (param $bitset i32) (param $shifts i32) (param $verify i32) (param $chunk i32)
    (param $outA i32) (param $outB i32) (param $cap i32)
    (local $base i32) (local $h i32) (local $s i32) (local $na i32) (local $nb i32)
    (local $tail i32) (local $nz i32) (local $p i32) (local $bits i32) (local $lowShift i32)
    ;; The block of the window starting at x is at $base + x, its last 4 bytes at $tail + x.
    (local.set $lowShift (i32.sub (local.get $bitsShift) (i32.const 5)))
    (local.set $base (i32.add (local.get $chunk) (local.get $lastOffset)))
    (local.set $tail (i32.add (local.get $chunk) (local.get $wordOffset)))
    (block $full
      (block $leave
        (loop $both
          (br_if $leave (i32.ge_s (local.get $a) (local.get $aEnd)))
          (br_if $leave (i32.gt_s (local.get $b) (local.get $bEnd)))
        (local.set $p
          (i32.mul (i32.load (i32.add (local.get $base) (local.get $a))) (i32.const 0x9e3779b1)))
        (local.set $h (i32.shr_u (local.get $p) (local.get $bitsShift)))
        ;; Two bits of the word: bit h & 31, and the one the 5 hash bits below h pick.
        (local.set $bits (i32.or (i32.shl (i32.const 1) (local.get $h))
          (i32.shl (i32.const 1) (i32.shr_u (local.get $p) (local.get $lowShift)))))
        (if (i32.eq (local.get $bits) (i32.and (local.get $bits)
              (i32.load (i32.add (local.get $bitset) (i32.shl (i32.shr_u (local.get $h) (i32.const 5)) (i32.const 2))))))
          (then
            (local.set $s (i32.load8_u (i32.add (local.get $shifts) (i32.shr_u (local.get $h) (local.get $tableShift)))))
            (if (local.get $s)
              (then (local.set $a (i32.add (local.get $a) (local.get $s))))
              (else
                ;; Listed only if some pattern has this window's first and last 4 bytes.
                (local.set $nz (i32.add (local.get $nz) (i32.const 1)))
                (local.set $h (i32.shr_u
                  (i32.mul
                    (i32.xor (i32.load (i32.add (local.get $chunk) (local.get $a)))
                      (i32.mul (i32.load (i32.add (local.get $tail) (local.get $a))) (i32.const 0x85ebca6b)))
                    (i32.const 0x9e3779b1))
                  (local.get $verifyShift)))
                (if (i32.and
                      (i32.load (i32.add (local.get $verify) (i32.shl (i32.shr_u (local.get $h) (i32.const 5)) (i32.const 2))))
                      (i32.shl (i32.const 1) (local.get $h)))
                  (then
                    (i32.store (i32.add (local.get $outA) (i32.shl (local.get $na) (i32.const 2))) (local.get $a))
                    (local.set $na (i32.add (local.get $na) (i32.const 1)))))
                (local.set $a (i32.add (local.get $a) (i32.const 1)))
                (br_if $full (i32.ge_u (local.get $na) (local.get $cap))))))
          (else (local.set $a (i32.add (local.get $a) (local.get $maxShift)))))
        (local.set $p
          (i32.mul (i32.load (i32.add (local.get $base) (local.get $b))) (i32.const 0x9e3779b1)))
        (local.set $h (i32.shr_u (local.get $p) (local.get $bitsShift)))
        ;; Two bits of the word: bit h & 31, and the one the 5 hash bits below h pick.
        (local.set $bits (i32.or (i32.shl (i32.const 1) (local.get $h))
          (i32.shl (i32.const 1) (i32.shr_u (local.get $p) (local.get $lowShift)))))
        (if (i32.eq (local.get $bits) (i32.and (local.get $bits)
              (i32.load (i32.add (local.get $bitset) (i32.shl (i32.shr_u (local.get $h) (i32.const 5)) (i32.const 2))))))
          (then
            (local.set $s (i32.load8_u (i32.add (local.get $shifts) (i32.shr_u (local.get $h) (local.get $tableShift)))))
            (if (local.get $s)
              (then (local.set $b (i32.add (local.get $b) (local.get $s))))
              (else
                ;; Listed only if some pattern has this window's first and last 4 bytes.
                (local.set $nz (i32.add (local.get $nz) (i32.const 1)))
                (local.set $h (i32.shr_u
                  (i32.mul
                    (i32.xor (i32.load (i32.add (local.get $chunk) (local.get $b)))
                      (i32.mul (i32.load (i32.add (local.get $tail) (local.get $b))) (i32.const 0x85ebca6b)))
                    (i32.const 0x9e3779b1))
                  (local.get $verifyShift)))
                (if (i32.and
                      (i32.load (i32.add (local.get $verify) (i32.shl (i32.shr_u (local.get $h) (i32.const 5)) (i32.const 2))))
                      (i32.shl (i32.const 1) (local.get $h)))
                  (then
                    (i32.store (i32.add (local.get $outB) (i32.shl (local.get $nb) (i32.const 2))) (local.get $b))
                    (local.set $nb (i32.add (local.get $nb) (i32.const 1)))))
                (local.set $b (i32.add (local.get $b) (i32.const 1)))
                (br_if $full (i32.ge_u (local.get $nb) (local.get $cap))))))
          (else (local.set $b (i32.add (local.get $b) (local.get $maxShift)))))
          (br $both)))
      ;; What is left of either range, one cursor at a time.
      (block $leaveA
        (loop $onlyA
          (br_if $leaveA (i32.ge_s (local.get $a) (local.get $aEnd)))
        (local.set $p
          (i32.mul (i32.load (i32.add (local.get $base) (local.get $a))) (i32.const 0x9e3779b1)))
        (local.set $h (i32.shr_u (local.get $p) (local.get $bitsShift)))
        ;; Two bits of the word: bit h & 31, and the one the 5 hash bits below h pick.
        (local.set $bits (i32.or (i32.shl (i32.const 1) (local.get $h))
          (i32.shl (i32.const 1) (i32.shr_u (local.get $p) (local.get $lowShift)))))
        (if (i32.eq (local.get $bits) (i32.and (local.get $bits)
              (i32.load (i32.add (local.get $bitset) (i32.shl (i32.shr_u (local.get $h) (i32.const 5)) (i32.const 2))))))
          (then
            (local.set $s (i32.load8_u (i32.add (local.get $shifts) (i32.shr_u (local.get $h) (local.get $tableShift)))))
            (if (local.get $s)
              (then (local.set $a (i32.add (local.get $a) (local.get $s))))
              (else
                ;; Listed only if some pattern has this window's first and last 4 bytes.
                (local.set $nz (i32.add (local.get $nz) (i32.const 1)))
                (local.set $h (i32.shr_u
                  (i32.mul
                    (i32.xor (i32.load (i32.add (local.get $chunk) (local.get $a)))
                      (i32.mul (i32.load (i32.add (local.get $tail) (local.get $a))) (i32.const 0x85ebca6b)))
                    (i32.const 0x9e3779b1))
                  (local.get $verifyShift)))
                (if (i32.and
                      (i32.load (i32.add (local.get $verify) (i32.shl (i32.shr_u (local.get $h) (i32.const 5)) (i32.const 2))))
                      (i32.shl (i32.const 1) (local.get $h)))
                  (then
                    (i32.store (i32.add (local.get $outA) (i32.shl (local.get $na) (i32.const 2))) (local.get $a))
                    (local.set $na (i32.add (local.get $na) (i32.const 1)))))
                (local.set $a (i32.add (local.get $a) (i32.const 1)))
                (br_if $full (i32.ge_u (local.get $na) (local.get $cap))))))
          (else (local.set $a (i32.add (local.get $a) (local.get $maxShift)))))
          (br $onlyA)))
      (block $leaveB
        (loop $onlyB
          (br_if $leaveB (i32.gt_s (local.get $b) (local.get $bEnd)))
        (local.set $p
          (i32.mul (i32.load (i32.add (local.get $base) (local.get $b))) (i32.const 0x9e3779b1)))
        (local.set $h (i32.shr_u (local.get $p) (local.get $bitsShift)))
        ;; Two bits of the word: bit h & 31, and the one the 5 hash bits below h pick.
        (local.set $bits (i32.or (i32.shl (i32.const 1) (local.get $h))
          (i32.shl (i32.const 1) (i32.shr_u (local.get $p) (local.get $lowShift)))))
        (if (i32.eq (local.get $bits) (i32.and (local.get $bits)
              (i32.load (i32.add (local.get $bitset) (i32.shl (i32.shr_u (local.get $h) (i32.const 5)) (i32.const 2))))))
          (then
            (local.set $s (i32.load8_u (i32.add (local.get $shifts) (i32.shr_u (local.get $h) (local.get $tableShift)))))
            (if (local.get $s)
              (then (local.set $b (i32.add (local.get $b) (local.get $s))))
              (else
                ;; Listed only if some pattern has this window's first and last 4 bytes.
                (local.set $nz (i32.add (local.get $nz) (i32.const 1)))
                (local.set $h (i32.shr_u
                  (i32.mul
                    (i32.xor (i32.load (i32.add (local.get $chunk) (local.get $b)))
                      (i32.mul (i32.load (i32.add (local.get $tail) (local.get $b))) (i32.const 0x85ebca6b)))
                    (i32.const 0x9e3779b1))
                  (local.get $verifyShift)))
                (if (i32.and
                      (i32.load (i32.add (local.get $verify) (i32.shl (i32.shr_u (local.get $h) (i32.const 5)) (i32.const 2))))
                      (i32.shl (i32.const 1) (local.get $h)))
                  (then
                    (i32.store (i32.add (local.get $outB) (i32.shl (local.get $nb) (i32.const 2))) (local.get $b))
                    (local.set $nb (i32.add (local.get $nb) (i32.const 1)))))
                (local.set $b (i32.add (local.get $b) (i32.const 1)))
                (br_if $full (i32.ge_u (local.get $nb) (local.get $cap))))))
          (else (local.set $b (i32.add (local.get $b) (local.get $maxShift)))))
          (br $onlyB))))
    (global.set $resumeA (local.get $a))
    (global.set $resumeB (local.get $b))
    (global.set $countA (local.get $na))
    (global.set $countB (local.get $nb))
    (global.set $zeroes (local.get $nz)))

  ;; `skip` with 8-byte blocks: the hash of the window's last 8 bytes is that of the
  ;; 4-byte word lo ^ (hi * 0x85ebca6b), as SkipSearch computes it for `block = 8`. For text
  ;; whose 4-byte blocks carry few bits (hex digits: 16 bits), so that most blocks belong to some
  ;; pattern when there are many. The same loop otherwise; kept apart so the 4-byte loop pays nothing.
  (func (export "skip8")
    (param $a i32) (param $aEnd i32) (param $b i32) (param $bEnd i32)
    (param $lastOffset i32) (param $maxShift i32) (param $bitsShift i32) (param $tableShift i32)
    (param $wordOffset i32) (param $verifyShift i32)
    (param $bitset i32) (param $shifts i32) (param $verify i32) (param $chunk i32)
    (param $outA i32) (param $outB i32) (param $cap i32)
    (local $base i32) (local $h i32) (local $s i32) (local $na i32) (local $nb i32)
    (local $tail i32) (local $nz i32) (local $p i32) (local $bits i32) (local $lowShift i32)
    ;; The block of the window starting at x is at $base + x, its last 4 bytes at $tail + x.
    (local.set $lowShift (i32.sub (local.get $bitsShift) (i32.const 5)))
    (local.set $base (i32.add (local.get $chunk) (local.get $lastOffset)))
    (local.set $tail (i32.add (local.get $chunk) (local.get $wordOffset)))
    (block $full
      (block $leave
        (loop $both
          (br_if $leave (i32.ge_s (local.get $a) (local.get $aEnd)))
          (br_if $leave (i32.gt_s (local.get $b) (local.get $bEnd)))
        (local.set $p
          (i32.mul
          (i32.xor (i32.load (i32.add (local.get $base) (local.get $a)))
            (i32.mul (i32.load offset=4 (i32.add (local.get $base) (local.get $a))) (i32.const 0x85ebca6b)))
          (i32.const 0x9e3779b1)))
        (local.set $h (i32.shr_u (local.get $p) (local.get $bitsShift)))
        ;; Two bits of the word: bit h & 31, and the one the 5 hash bits below h pick.
        (local.set $bits (i32.or (i32.shl (i32.const 1) (local.get $h))
          (i32.shl (i32.const 1) (i32.shr_u (local.get $p) (local.get $lowShift)))))
        (if (i32.eq (local.get $bits) (i32.and (local.get $bits)
              (i32.load (i32.add (local.get $bitset) (i32.shl (i32.shr_u (local.get $h) (i32.const 5)) (i32.const 2))))))
          (then
            (local.set $s (i32.load8_u (i32.add (local.get $shifts) (i32.shr_u (local.get $h) (local.get $tableShift)))))
            (if (local.get $s)
              (then (local.set $a (i32.add (local.get $a) (local.get $s))))
              (else
                ;; Listed only if some pattern has this window's first and last 4 bytes.
                (local.set $nz (i32.add (local.get $nz) (i32.const 1)))
                (local.set $h (i32.shr_u
                  (i32.mul
                    (i32.xor (i32.load (i32.add (local.get $chunk) (local.get $a)))
                      (i32.mul (i32.load (i32.add (local.get $tail) (local.get $a))) (i32.const 0x85ebca6b)))
                    (i32.const 0x9e3779b1))
                  (local.get $verifyShift)))
                (if (i32.and
                      (i32.load (i32.add (local.get $verify) (i32.shl (i32.shr_u (local.get $h) (i32.const 5)) (i32.const 2))))
                      (i32.shl (i32.const 1) (local.get $h)))
                  (then
                    (i32.store (i32.add (local.get $outA) (i32.shl (local.get $na) (i32.const 2))) (local.get $a))
                    (local.set $na (i32.add (local.get $na) (i32.const 1)))))
                (local.set $a (i32.add (local.get $a) (i32.const 1)))
                (br_if $full (i32.ge_u (local.get $na) (local.get $cap))))))
          (else (local.set $a (i32.add (local.get $a) (local.get $maxShift)))))
        (local.set $p
          (i32.mul
          (i32.xor (i32.load (i32.add (local.get $base) (local.get $b)))
            (i32.mul (i32.load offset=4 (i32.add (local.get $base) (local.get $b))) (i32.const 0x85ebca6b)))
          (i32.const 0x9e3779b1)))
        (local.set $h (i32.shr_u (local.get $p) (local.get $bitsShift)))
        ;; Two bits of the word: bit h & 31, and the one the 5 hash bits below h pick.
        (local.set $bits (i32.or (i32.shl (i32.const 1) (local.get $h))
          (i32.shl (i32.const 1) (i32.shr_u (local.get $p) (local.get $lowShift)))))
        (if (i32.eq (local.get $bits) (i32.and (local.get $bits)
              (i32.load (i32.add (local.get $bitset) (i32.shl (i32.shr_u (local.get $h) (i32.const 5)) (i32.const 2))))))
          (then
            (local.set $s (i32.load8_u (i32.add (local.get $shifts) (i32.shr_u (local.get $h) (local.get $tableShift)))))
            (if (local.get $s)
              (then (local.set $b (i32.add (local.get $b) (local.get $s))))
              (else
                ;; Listed only if some pattern has this window's first and last 4 bytes.
                (local.set $nz (i32.add (local.get $nz) (i32.const 1)))
                (local.set $h (i32.shr_u
                  (i32.mul
                    (i32.xor (i32.load (i32.add (local.get $chunk) (local.get $b)))
                      (i32.mul (i32.load (i32.add (local.get $tail) (local.get $b))) (i32.const 0x85ebca6b)))
                    (i32.const 0x9e3779b1))
                  (local.get $verifyShift)))
                (if (i32.and
                      (i32.load (i32.add (local.get $verify) (i32.shl (i32.shr_u (local.get $h) (i32.const 5)) (i32.const 2))))
                      (i32.shl (i32.const 1) (local.get $h)))
                  (then
                    (i32.store (i32.add (local.get $outB) (i32.shl (local.get $nb) (i32.const 2))) (local.get $b))
                    (local.set $nb (i32.add (local.get $nb) (i32.const 1)))))
                (local.set $b (i32.add (local.get $b) (i32.const 1)))
                (br_if $full (i32.ge_u (local.get $nb) (local.get $cap))))))
          (else (local.set $b (i32.add (local.get $b) (local.get $maxShift)))))
          (br $both)))
      ;; What is left of either range, one cursor at a time.
      (block $leaveA
        (loop $onlyA
          (br_if $leaveA (i32.ge_s (local.get $a) (local.get $aEnd)))
        (local.set $p
          (i32.mul
          (i32.xor (i32.load (i32.add (local.get $base) (local.get $a)))
            (i32.mul (i32.load offset=4 (i32.add (local.get $base) (local.get $a))) (i32.const 0x85ebca6b)))
          (i32.const 0x9e3779b1)))
        (local.set $h (i32.shr_u (local.get $p) (local.get $bitsShift)))
        ;; Two bits of the word: bit h & 31, and the one the 5 hash bits below h pick.
        (local.set $bits (i32.or (i32.shl (i32.const 1) (local.get $h))
          (i32.shl (i32.const 1) (i32.shr_u (local.get $p) (local.get $lowShift)))))
        (if (i32.eq (local.get $bits) (i32.and (local.get $bits)
              (i32.load (i32.add (local.get $bitset) (i32.shl (i32.shr_u (local.get $h) (i32.const 5)) (i32.const 2))))))
          (then
            (local.set $s (i32.load8_u (i32.add (local.get $shifts) (i32.shr_u (local.get $h) (local.get $tableShift)))))
            (if (local.get $s)
              (then (local.set $a (i32.add (local.get $a) (local.get $s))))
              (else
                ;; Listed only if some pattern has this window's first and last 4 bytes.
                (local.set $nz (i32.add (local.get $nz) (i32.const 1)))
                (local.set $h (i32.shr_u
                  (i32.mul
                    (i32.xor (i32.load (i32.add (local.get $chunk) (local.get $a)))
                      (i32.mul (i32.load (i32.add (local.get $tail) (local.get $a))) (i32.const 0x85ebca6b)))
                    (i32.const 0x9e3779b1))
                  (local.get $verifyShift)))
                (if (i32.and
                      (i32.load (i32.add (local.get $verify) (i32.shl (i32.shr_u (local.get $h) (i32.const 5)) (i32.const 2))))
                      (i32.shl (i32.const 1) (local.get $h)))
                  (then
                    (i32.store (i32.add (local.get $outA) (i32.shl (local.get $na) (i32.const 2))) (local.get $a))
                    (local.set $na (i32.add (local.get $na) (i32.const 1)))))
                (local.set $a (i32.add (local.get $a) (i32.const 1)))
                (br_if $full (i32.ge_u (local.get $na) (local.get $cap))))))
          (else (local.set $a (i32.add (local.get $a) (local.get $maxShift)))))
          (br $onlyA)))
      (block $leaveB
        (loop $onlyB
          (br_if $leaveB (i32.gt_s (local.get $b) (local.get $bEnd)))
        (local.set $p
          (i32.mul
          (i32.xor (i32.load (i32.add (local.get $base) (local.get $b)))
            (i32.mul (i32.load offset=4 (i32.add (local.get $base) (local.get $b))) (i32.const 0x85ebca6b)))
          (i32.const 0x9e3779b1)))
        (local.set $h (i32.shr_u (local.get $p) (local.get $bitsShift)))
        ;; Two bits of the word: bit h & 31, and the one the 5 hash bits below h pick.
        (local.set $bits (i32.or (i32.shl (i32.const 1) (local.get $h))
          (i32.shl (i32.const 1) (i32.shr_u (local.get $p) (local.get $lowShift)))))
        (if (i32.eq (local.get $bits) (i32.and (local.get $bits)
              (i32.load (i32.add (local.get $bitset) (i32.shl (i32.shr_u (local.get $h) (i32.const 5)) (i32.const 2))))))
          (then
            (local.set $s (i32.load8_u (i32.add (local.get $shifts) (i32.shr_u (local.get $h) (local.get $tableShift)))))
            (if (local.get $s)
              (then (local.set $b (i32.add (local.get $b) (local.get $s))))
              (else
                ;; Listed only if some pattern has this window's first and last 4 bytes.
                (local.set $nz (i32.add (local.get $nz) (i32.const 1)))
                (local.set $h (i32.shr_u
                  (i32.mul
                    (i32.xor (i32.load (i32.add (local.get $chunk) (local.get $b)))
                      (i32.mul (i32.load (i32.add (local.get $tail) (local.get $b))) (i32.const 0x85ebca6b)))
                    (i32.const 0x9e3779b1))
                  (local.get $verifyShift)))
                (if (i32.and
                      (i32.load (i32.add (local.get $verify) (i32.shl (i32.shr_u (local.get $h) (i32.const 5)) (i32.const 2))))
                      (i32.shl (i32.const 1) (local.get $h)))
                  (then
                    (i32.store (i32.add (local.get $outB) (i32.shl (local.get $nb) (i32.const 2))) (local.get $b))
                    (local.set $nb (i32.add (local.get $nb) (i32.const 1)))))
                (local.set $b (i32.add (local.get $b) (i32.const 1)))
                (br_if $full (i32.ge_u (local.get $nb) (local.get $cap))))))
          (else (local.set $b (i32.add (local.get $b) (local.get $maxShift)))))
          (br $onlyB))))
    (global.set $resumeA (local.get $a))
    (global.set $resumeB (local.get $b))
    (global.set $countA (local.get $na))
    (global.set $countB (local.get $nb))
    (global.set $zeroes (local.get $nz)))

  ;; Whether the line break at chunk offset `$p` may be inside a wrapped form:
  ;; the bytes on either side (where there are any) must not be breakers (class 2).
  (func $keep (param $p i32) (param $len i32) (param $chunk i32) (param $classes i32) (result i32)
    (i32.and
      (i32.or
        (i32.eqz (local.get $p))
        (i32.ne (i32.load8_u (i32.add (local.get $classes)
                  (i32.load8_u (i32.add (local.get $chunk) (i32.sub (local.get $p) (i32.const 1))))))
                (i32.const 2)))
      (i32.or
        (i32.ge_u (i32.add (local.get $p) (i32.const 1)) (local.get $len))
        (i32.ne (i32.load8_u (i32.add (local.get $classes)
                  (i32.load8_u (i32.add (local.get $chunk) (i32.add (local.get $p) (i32.const 1))))))
                (i32.const 2)))))

;; Writes to `$out`, in order, the offsets p in [$from, $len) of the chunk
  ;; where a `\n` or `\r` is kept by `$keep`, at most `$cap` of them; returns
  ;; how many. `resume` is where to call again (`$len` when done).
  ;;
  ;; 64 bytes are tested at once. The first break of each 64 is handled without
  ;; a branch (its offset is always written; the count moves on only if it is
  ;; kept), since whether a block holds a break is as good as random in text
  ;; and a mispredicted branch per line would cost more than the test itself;
  ;; a second break in the same 64 bytes (a line shorter than that) is taken
  ;; in a loop. `WasmScan` keeps a byte of the alphabets just before the chunk
  ;; and writes one just after it, so `$keep`'s two ends need no test here.
  (func (export "breaks")
    (param $from i32) (param $len i32) (param $chunk i32) (param $classes i32)
    (param $out i32) (param $cap i32) (result i32)
    (local $i i32) (local $m i64) (local $p i32) (local $n i32) (local $at i32) (local $byte i32)
    (local $v v128) (local $w v128) (local $x v128) (local $y v128)
    (local.set $i (local.get $from))
    (block $done
      (block $full
        (loop $vector
          (br_if $done (i32.gt_u (i32.add (local.get $i) (i32.const 64)) (local.get $len)))
          ;; Room for a whole block's breaks, or stop here.
          (br_if $full (i32.gt_u (i32.add (local.get $n) (i32.const 64)) (local.get $cap)))
          (local.set $at (i32.add (local.get $chunk) (local.get $i)))
          (local.set $v (v128.load (local.get $at)))
          (local.set $w (v128.load offset=16 (local.get $at)))
          (local.set $x (v128.load offset=32 (local.get $at)))
          (local.set $y (v128.load offset=48 (local.get $at)))
          ;; A bit for each `\n` or `\r` of the 64 bytes.
          (local.set $m (i64.or
            (i64.or
              (i64.extend_i32_u (i8x16.bitmask (v128.or
                (i8x16.eq (local.get $v) (v128.const i8x16 10 10 10 10 10 10 10 10 10 10 10 10 10 10 10 10))
                (i8x16.eq (local.get $v) (v128.const i8x16 13 13 13 13 13 13 13 13 13 13 13 13 13 13 13 13)))))
              (i64.shl (i64.extend_i32_u (i8x16.bitmask (v128.or
                (i8x16.eq (local.get $w) (v128.const i8x16 10 10 10 10 10 10 10 10 10 10 10 10 10 10 10 10))
                (i8x16.eq (local.get $w) (v128.const i8x16 13 13 13 13 13 13 13 13 13 13 13 13 13 13 13 13))))) (i64.const 16)))
            (i64.or
              (i64.shl (i64.extend_i32_u (i8x16.bitmask (v128.or
                (i8x16.eq (local.get $x) (v128.const i8x16 10 10 10 10 10 10 10 10 10 10 10 10 10 10 10 10))
                (i8x16.eq (local.get $x) (v128.const i8x16 13 13 13 13 13 13 13 13 13 13 13 13 13 13 13 13))))) (i64.const 32))
              (i64.shl (i64.extend_i32_u (i8x16.bitmask (v128.or
                (i8x16.eq (local.get $y) (v128.const i8x16 10 10 10 10 10 10 10 10 10 10 10 10 10 10 10 10))
                (i8x16.eq (local.get $y) (v128.const i8x16 13 13 13 13 13 13 13 13 13 13 13 13 13 13 13 13))))) (i64.const 48)))))
          ;; The first break (or, with none, offset $i + 64, which is never counted).
          (loop $each
            (local.set $p (i32.add (local.get $i) (i32.wrap_i64 (i64.ctz (local.get $m)))))
            (i32.store (i32.add (local.get $out) (i32.shl (local.get $n) (i32.const 2))) (local.get $p))
            (local.set $n (i32.add (local.get $n)
              (i32.and
                (i64.ne (local.get $m) (i64.const 0))
                (i32.and
                  (i32.ne (i32.load8_u (i32.add (local.get $classes)
                            (i32.load8_u (i32.add (local.get $chunk) (i32.sub (local.get $p) (i32.const 1))))))
                          (i32.const 2))
                  (i32.ne (i32.load8_u (i32.add (local.get $classes)
                            (i32.load8_u (i32.add (local.get $chunk) (i32.add (local.get $p) (i32.const 1))))))
                          (i32.const 2))))))
            (local.set $m (i64.and (local.get $m) (i64.sub (local.get $m) (i64.const 1))))
            ;; More than one break in these 64 bytes: rare in text, taken in a loop.
            (br_if $each (i64.ne (local.get $m) (i64.const 0))))
          (local.set $i (i32.add (local.get $i) (i32.const 64)))
          (br $vector)))
      ;; The list may not hold another block's breaks: resume at this block.
      (global.set $resume (local.get $i))
      (return (local.get $n)))
    ;; Fewer than 64 bytes left: one at a time.
    (block $end
      (loop $byte
        (br_if $end (i32.ge_u (local.get $i) (local.get $len)))
        (local.set $byte (i32.load8_u (i32.add (local.get $chunk) (local.get $i))))
        (if (i32.and
              (i32.or (i32.eq (local.get $byte) (i32.const 10)) (i32.eq (local.get $byte) (i32.const 13)))
              (call $keep (local.get $i) (local.get $len) (local.get $chunk) (local.get $classes)))
          (then
            (if (i32.ge_u (local.get $n) (local.get $cap))
              (then (global.set $resume (local.get $i)) (return (local.get $n))))
            (i32.store (i32.add (local.get $out) (i32.shl (local.get $n) (i32.const 2))) (local.get $i))
            (local.set $n (i32.add (local.get $n) (i32.const 1)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $byte)))
    (global.set $resume (local.get $len))
    (local.get $n))

  ;; Copies the run of encoded characters and line breaks that starts at chunk offset `$from` to
  ;; `$out` without its line breaks, up to the first byte outside the base64, base64url and hex
  ;; alphabets and the line breaks, or the third line-break byte in a row, or `$len`. Returns how
  ;; many characters it copied; `resume` is where the run stopped and `segments` how many stretches
  ;; (characters between two breaks) it had: stretch k starts at character `$starts[k]` of the copy
  ;; and at chunk offset `$raws[k]`; [`hexFrom`, `hexTo`) is the longest stretch of it with no
  ;; character other than a hex digit (line breaks allowed; the first of equals). Room needed: the run's length + 16 bytes at `$out` (a whole
  ;; vector is stored where fewer bytes count), and (length / 2 + 2) entries in each list. 16 bytes
  ;; are classified at once; a line break is taken out of its vector with a swizzle. The last
  ;; 15 bytes or fewer are taken byte by byte.
  (func (export "compact")
    (param $from i32) (param $len i32) (param $chunk i32) (param $classes i32)
    (param $out i32) (param $starts i32) (param $raws i32) (result i32)
    (local $i i32) (local $v v128) (local $kinds v128) (local $ok i32) (local $br i32) (local $stop i32)
    (local $limit i32) (local $b i32) (local $class i32) (local $n i32) (local $hex i32) (local $other i32)
    (local $spanFrom i32) (local $bestFrom i32) (local $bestTo i32) (local $third i32)
    (local $stretch i32) (local $last i32) (local $row i32) (local $at i32) (local $p i32) (local $removed i32)
    ;; The character at chunk offset x of the current stretch goes to $out + $base + x.
    (local $base i32)
    (local.set $i (local.get $from))
    (local.set $stretch (local.get $from))
    (local.set $spanFrom (local.get $from))
    (local.set $bestFrom (local.get $from))
    (local.set $bestTo (local.get $from))
    (local.set $last (i32.const -2))
    (local.set $base (i32.sub (i32.const 0) (local.get $from)))
    (local.set $stop (local.get $len))
    (block $ended
      (loop $vector
        (br_if $ended (i32.ge_u (local.get $i) (local.get $len)))
        (local.set $limit (local.get $len))
        (if (i32.le_u (i32.add (local.get $i) (i32.const 16)) (local.get $len))
          (then
            (local.set $v (v128.load (i32.add (local.get $chunk) (local.get $i))))
            ;; The class of each byte from two table lookups, by its low and by its high nibble,
            ;; ANDed: each bit stands for a set of bytes whose two nibbles each lie in a set.
            ;;   0x01 A-O a-o  0x02 P-Z p-z  0x04 0-9  0x08 + - /  0x10 _
            ;;   0x40 A-F a-f  0x80 \n \r   (0: any other byte, bytes >= 0x80 included)
            (local.set $kinds (v128.and
              (i8x16.swizzle
                (v128.const i8x16 0x06 0x47 0x47 0x47 0x47 0x47 0x47 0x07 0x07 0x07 0x83 0x09 0x01 0x89 0x01 0x19)
                (v128.and (local.get $v) (v128.const i8x16 15 15 15 15 15 15 15 15 15 15 15 15 15 15 15 15)))
              (i8x16.swizzle
                (v128.const i8x16 0x80 0 0x08 0x04 0x41 0x12 0x41 0x02 0 0 0 0 0 0 0 0)
                (i8x16.shr_u (local.get $v) (i32.const 4)))))
            ;; Line breaks (the top bit), and every byte of the run: a character or a line break.
            (local.set $br (i8x16.bitmask (local.get $kinds)))
            (local.set $ok (i8x16.bitmask (i8x16.ne (local.get $kinds) (v128.const i64x2 0 0))))
            ;; The first byte of neither kind (16: none); only the breaks before it matter.
            (local.set $b (i32.ctz (i32.or (i32.xor (local.get $ok) (i32.const 0xffff)) (i32.const 0x10000))))
            ;; Lanes that are a line break or a hex digit; a character before $b that is neither
            ;; ends a stretch of hex digits.
            (local.set $hex (i8x16.bitmask (i8x16.ne
              (v128.and (local.get $kinds) (v128.const i8x16 0xc4 0xc4 0xc4 0xc4 0xc4 0xc4 0xc4 0xc4 0xc4 0xc4 0xc4 0xc4 0xc4 0xc4 0xc4 0xc4))
              (v128.const i64x2 0 0))))
            (local.set $other
              (i32.and (i32.xor (local.get $hex) (i32.const 0xffff))
                (i32.sub (i32.shl (i32.const 1) (local.get $b)) (i32.const 1))))

            (local.set $br (i32.and (local.get $br) (i32.sub (i32.shl (i32.const 1) (local.get $b)) (i32.const 1))))
            ;; Where this vector's characters go: byte $i's place in the copy.
            (local.set $at (i32.add (local.get $out) (i32.add (local.get $base) (local.get $i))))
            (local.set $removed (i32.const 0))
            (block $vectorDone
              (loop $each
                (br_if $vectorDone (i32.eqz (local.get $br)))
                (local.set $p (i32.add (local.get $i) (i32.ctz (local.get $br))))
                ;; The break ends the current stretch, if that has characters.
                (if (i32.gt_u (local.get $p) (local.get $stretch))
                  (then
                    (i32.store (i32.add (local.get $starts) (i32.shl (local.get $n) (i32.const 2)))
                      (i32.add (local.get $base) (local.get $stretch)))
                    (i32.store (i32.add (local.get $raws) (i32.shl (local.get $n) (i32.const 2)))
                      (local.get $stretch))
                    (local.set $n (i32.add (local.get $n) (i32.const 1)))))
                (local.set $row (select
                  (i32.add (local.get $row) (i32.const 1))
                  (i32.const 1)
                  (i32.eq (local.get $p) (i32.add (local.get $last) (i32.const 1)))))
                (local.set $last (local.get $p))
                (local.set $stretch (i32.add (local.get $p) (i32.const 1)))
                (local.set $base (i32.sub (local.get $base) (i32.const 1)))
                (if (i32.ge_u (local.get $row) (i32.const 3))
                  (then
                    ;; The third break in a row: the run ends here, after the characters before it.
                    (v128.store (local.get $at) (local.get $v))
                    (local.set $stop (local.get $p))
                    (local.set $other (i32.and (local.get $other)
                      (i32.sub (i32.shl (i32.const 1) (i32.sub (local.get $p) (local.get $i))) (i32.const 1))))
                    (local.set $third (i32.const 1))
                    (br $vectorDone)))
                ;; Take the break out of the vector: the lanes after it move down by one.
                (local.set $v (i8x16.swizzle (local.get $v)
                  (i8x16.sub
                    (v128.const i8x16 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15)
                    (i8x16.ge_u
                      (v128.const i8x16 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15)
                      (i8x16.splat (i32.sub (i32.sub (local.get $p) (local.get $i)) (local.get $removed)))))))
                (local.set $removed (i32.add (local.get $removed) (i32.const 1)))
                (local.set $br (i32.and (local.get $br) (i32.sub (local.get $br) (i32.const 1))))
                (br $each)))
            ;; Only the lanes of the run count (before $b, and before a third break).
            (if (local.get $other)
              (then
                ;; The stretch of hex digits so far ends at the vector's first other character
                ;; and a new one starts after its last.
                (local.set $p (i32.add (local.get $i) (i32.ctz (local.get $other))))
                (if (i32.gt_s (i32.sub (local.get $p) (local.get $spanFrom))
                              (i32.sub (local.get $bestTo) (local.get $bestFrom)))
                  (then
                    (local.set $bestFrom (local.get $spanFrom))
                    (local.set $bestTo (local.get $p))))
                (local.set $spanFrom
                  (i32.add (local.get $i) (i32.sub (i32.const 32) (i32.clz (local.get $other)))))))
            (br_if $ended (local.get $third))
            ;; The vector's characters (up to $b; lanes past them are overwritten or past the copy).
            (v128.store (local.get $at) (local.get $v))
            (if (i32.lt_u (local.get $b) (i32.const 16))
              (then
                (local.set $stop (i32.add (local.get $i) (local.get $b)))
                (br $ended)))
            (local.set $i (i32.add (local.get $i) (i32.const 16)))
            (br $vector)))
        ;; Byte by byte: the last bytes.
        (loop $byte
          (local.set $b (i32.load8_u (i32.add (local.get $chunk) (local.get $i))))
          (local.set $class (i32.load8_u (i32.add (local.get $classes) (local.get $b))))
          (if (i32.eqz (local.get $class))
            (then
              (i32.store8 (i32.add (local.get $out) (i32.add (local.get $base) (local.get $i))) (local.get $b))
              (if (i32.and
                    (i32.ge_u (i32.sub (local.get $b) (i32.const 48)) (i32.const 10))
                    (i32.ge_u (i32.sub (i32.or (local.get $b) (i32.const 32)) (i32.const 97)) (i32.const 6)))
                (then
                  (if (i32.gt_s (i32.sub (local.get $i) (local.get $spanFrom))
                                (i32.sub (local.get $bestTo) (local.get $bestFrom)))
                    (then
                      (local.set $bestFrom (local.get $spanFrom))
                      (local.set $bestTo (local.get $i))))
                  (local.set $spanFrom (i32.add (local.get $i) (i32.const 1))))))
            (else
              (if (i32.eq (local.get $class) (i32.const 2))
                (then
                  (local.set $stop (local.get $i))
                  (br $ended)))
              ;; A line break: it ends the current stretch, if that has characters.
              (if (i32.gt_u (local.get $i) (local.get $stretch))
                (then
                  (i32.store (i32.add (local.get $starts) (i32.shl (local.get $n) (i32.const 2)))
                    (i32.add (local.get $base) (local.get $stretch)))
                  (i32.store (i32.add (local.get $raws) (i32.shl (local.get $n) (i32.const 2)))
                    (local.get $stretch))
                  (local.set $n (i32.add (local.get $n) (i32.const 1)))))
              (local.set $row (select
                (i32.add (local.get $row) (i32.const 1))
                (i32.const 1)
                (i32.eq (local.get $i) (i32.add (local.get $last) (i32.const 1)))))
              (local.set $last (local.get $i))
              (local.set $stretch (i32.add (local.get $i) (i32.const 1)))
              (local.set $base (i32.sub (local.get $base) (i32.const 1)))
              (if (i32.ge_u (local.get $row) (i32.const 3))
                (then
                  (local.set $stop (local.get $i))
                  (br $ended)))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $byte (i32.lt_u (local.get $i) (local.get $limit))))
        (br $vector)))
    ;; The last stretch, if it has characters.
    (if (i32.gt_u (local.get $stop) (local.get $stretch))
      (then
        (i32.store (i32.add (local.get $starts) (i32.shl (local.get $n) (i32.const 2)))
          (i32.add (local.get $base) (local.get $stretch)))
        (i32.store (i32.add (local.get $raws) (i32.shl (local.get $n) (i32.const 2)))
          (local.get $stretch))
        (local.set $n (i32.add (local.get $n) (i32.const 1)))))
    (global.set $resume (local.get $stop))
    (global.set $segments (local.get $n))
    (if (i32.gt_s (i32.sub (local.get $stop) (local.get $spanFrom))
                  (i32.sub (local.get $bestTo) (local.get $bestFrom)))
      (then
        (local.set $bestFrom (local.get $spanFrom))
        (local.set $bestTo (local.get $stop))))
    (global.set $hexFrom (local.get $bestFrom))
    (global.set $hexTo (local.get $bestTo))
    (i32.add (local.get $base) (select (local.get $stop) (local.get $stretch)
      (i32.gt_u (local.get $stop) (local.get $stretch)))))
)

//! What hearth's binary formats share (the stored profile, `profile::codec`; compiled manifests,
//! `manifest::compiled`; the edge's digest cookie, `store::digest`): LEB128 varints, zigzag for
//! signed numbers, an FNV-1a checksum, and a reader that remembers its first problem.

/// FNV-1a, 32-bit, over bytes: each format's checksum.
pub(crate) fn fnv1a(bytes: &[u8]) -> u32 {
    bytes.iter().fold(0x811c_9dc5u32, |h, &b| (h ^ u32::from(b)).wrapping_mul(0x0100_0193))
}

/// Appends `n` as an LEB128 varint.
pub(crate) fn put_u(out: &mut Vec<u8>, mut n: u64) {
    loop {
        let b = (n & 0x7f) as u8;
        n >>= 7;
        if n == 0 {
            out.push(b);
            return;
        }
        out.push(b | 0x80);
    }
}

/// Appends `n` zigzag-encoded as a varint.
pub(crate) fn put_i(out: &mut Vec<u8>, n: i64) {
    put_u(out, ((n << 1) ^ (n >> 63)) as u64);
}

/// Reads fields in order. A read that fails records where and what (the first problem only) and
/// gives a placeholder; the reader then sits at the end, so every later read fails at once and
/// every loop over a count stops. Damaged input costs no early returns (their error paths and
/// drop code made these readers several times larger in Wasm) and no long loops.
pub(crate) struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
    problem: Option<(usize, &'static str)>,
}

impl<'a> Reader<'a> {
    pub fn new(bytes: &'a [u8], pos: usize) -> Reader<'a> {
        Reader { bytes, pos, problem: None }
    }
    pub fn pos(&self) -> usize {
        self.pos
    }
    pub fn remaining(&self) -> usize {
        self.bytes.len() - self.pos
    }
    /// The first problem: its byte offset and the field it was in.
    pub fn problem(&self) -> Option<(usize, &'static str)> {
        self.problem
    }
    /// Records a problem with `what` at the current byte (unless one came first).
    pub fn bad(&mut self, what: &'static str) {
        self.problem.get_or_insert((self.pos, what));
        self.pos = self.bytes.len();
    }
    /// `value` when `ok` (and nothing went wrong before); otherwise a problem, and `T::default()`.
    pub fn check<T: Default>(&mut self, ok: bool, value: T, what: &'static str) -> T {
        if ok && self.problem.is_none() {
            return value;
        }
        self.bad(what);
        T::default()
    }
    /// The next `n` bytes (none when fewer are left).
    pub fn take(&mut self, n: usize, what: &'static str) -> &'a [u8] {
        match self.pos.checked_add(n).filter(|&e| e <= self.bytes.len()) {
            Some(end) => {
                let s = &self.bytes[self.pos..end];
                self.pos = end;
                s
            }
            None => {
                self.bad(what);
                &[]
            }
        }
    }
    pub fn byte(&mut self, what: &'static str) -> u8 {
        self.take(1, what).first().copied().unwrap_or(0)
    }
    pub fn u(&mut self, what: &'static str) -> u64 {
        let mut n = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.byte(what);
            n |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return n;
            }
        }
        self.check(false, 0, what)
    }
    /// A varint no larger than `max`.
    pub fn up_to(&mut self, max: u64, what: &'static str) -> u64 {
        let n = self.u(what);
        self.check(n <= max, n, what)
    }
    pub fn u32(&mut self, what: &'static str) -> u32 {
        self.up_to(u64::from(u32::MAX), what) as u32
    }
    /// A zigzag varint.
    pub fn i(&mut self, what: &'static str) -> i64 {
        let z = self.u(what);
        (z >> 1) as i64 ^ -((z & 1) as i64)
    }
    /// A length-prefixed UTF-8 string of at most `max` bytes.
    pub fn str(&mut self, max: usize, what: &'static str) -> String {
        let n = self.up_to(max as u64, what) as usize;
        let bytes = self.take(n, what);
        let s = std::str::from_utf8(bytes).map(str::to_owned);
        let ok = s.is_ok();
        self.check(ok, s.unwrap_or_default(), what)
    }
}

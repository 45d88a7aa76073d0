//! The bit-level reader shared by the TCF and GPP decoders.
//!
//! Both formats pack fields MSB-first into base64url text without padding:
//! each character is six bits. Decoding goes character → sextet once (so a
//! bad character is reported by its offset), then fields are read by bit
//! position. Every read checks the remaining length first, so no input can
//! make it index out of bounds; the sextet buffer is the only allocation and
//! is exactly as long as the input.

/// Why a read failed. Positions are bit offsets from the start of the segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BitError {
    /// The field starting at bit `at` needs `needs` bits but only `has` remain.
    Truncated { at: usize, needs: usize, has: usize },
    /// A Fibonacci-coded integer starting at `at` is larger than 65535 (or never terminates).
    Overflow { at: usize },
}

/// A base64url character that is not in the alphabet, at this byte offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct BadChar {
    pub offset: usize,
    pub ch: char,
}

/// MSB-first reader over base64url sextets.
pub(crate) struct Bits {
    sextets: Vec<u8>,
    pos: usize,
}

impl Bits {
    /// Decodes base64url text (`A-Z a-z 0-9 - _`). Trailing `=` padding is
    /// tolerated because some CMPs emit it, even though neither spec does.
    pub fn new(s: &str) -> Result<Bits, BadChar> {
        let trimmed = s.trim_end_matches('=');
        let mut sextets = Vec::with_capacity(trimmed.len());
        for (offset, c) in trimmed.char_indices() {
            let v = match c {
                'A'..='Z' => c as u8 - b'A',
                'a'..='z' => c as u8 - b'a' + 26,
                '0'..='9' => c as u8 - b'0' + 52,
                '-' => 62,
                '_' => 63,
                _ => return Err(BadChar { offset, ch: c }),
            };
            sextets.push(v);
        }
        Ok(Bits { sextets, pos: 0 })
    }

    /// Total length in bits.
    pub fn len(&self) -> usize {
        self.sextets.len() * 6
    }

    /// The offset of the next bit to be read.
    pub fn pos(&self) -> usize {
        self.pos
    }

    pub fn remaining(&self) -> usize {
        self.len().saturating_sub(self.pos)
    }

    /// Fails unless `n` more bits are available.
    pub fn need(&self, n: usize) -> Result<(), BitError> {
        let left = self.remaining();
        if n > left {
            Err(BitError::Truncated { at: self.pos, needs: n, has: left })
        } else {
            Ok(())
        }
    }

    /// The bit at `pos` (callers have checked the length).
    fn bit_at(&self, pos: usize) -> bool {
        self.sextets.get(pos / 6).is_some_and(|s| s >> (5 - pos % 6) & 1 == 1)
    }

    pub fn bool(&mut self) -> Result<bool, BitError> {
        self.need(1)?;
        let b = self.bit_at(self.pos);
        self.pos += 1;
        Ok(b)
    }

    /// An unsigned big-endian integer of `n` bits (`n` ≤ 64).
    pub fn int(&mut self, n: u32) -> Result<u64, BitError> {
        debug_assert!(n <= 64);
        self.need(n as usize)?;
        let mut v: u64 = 0;
        for i in 0..n as usize {
            v = (v << 1) | u64::from(self.bit_at(self.pos + i));
        }
        self.pos += n as usize;
        Ok(v)
    }

    /// A Fibonacci-coded positive integer (GPP's `Fibonacci Integer`): bit
    /// `i` stands for F(i+2) (1, 2, 3, 5, 8, …) and `11` ends the code.
    /// Values above 65535 are rejected, which also bounds how far it reads.
    pub fn fibonacci(&mut self) -> Result<u16, BitError> {
        let at = self.pos;
        let mut read = 0;
        let (mut a, mut b) = (1u32, 2u32); // F(i+2), F(i+3)
        let mut value = 0u32;
        let mut prev = false;
        loop {
            let bit = self.bool().map_err(|_| BitError::Truncated { at, needs: read + 1, has: read })?;
            read += 1;
            if bit && prev {
                return u16::try_from(value).map_err(|_| BitError::Overflow { at });
            }
            if bit {
                value += a;
            }
            if value > u32::from(u16::MAX) || a > u32::from(u16::MAX) {
                return Err(BitError::Overflow { at });
            }
            prev = bit;
            (a, b) = (b, a + b);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Builds a reader from a string of `0`/`1` digits (padded to whole sextets with zeros).
    fn from_bits(s: &str) -> Bits {
        let mut sextets = Vec::new();
        let digits: Vec<u8> = s.bytes().map(|b| b - b'0').collect();
        for chunk in digits.chunks(6) {
            let mut v = 0u8;
            for i in 0..6 {
                v = (v << 1) | chunk.get(i).copied().unwrap_or(0);
            }
            sextets.push(v);
        }
        Bits { sextets, pos: 0 }
    }

    #[test]
    fn reads_msb_first_across_characters() {
        // "DB" = 000011 000001
        let mut b = Bits::new("DB").unwrap();
        assert_eq!(b.len(), 12);
        assert_eq!(b.int(6), Ok(3));
        assert_eq!(b.int(3), Ok(0));
        assert_eq!(b.bool(), Ok(false));
        assert_eq!(b.int(2), Ok(1));
        assert_eq!(b.bool(), Err(BitError::Truncated { at: 12, needs: 1, has: 0 }));
        let mut b = Bits::new("_-").unwrap();
        assert_eq!(b.int(12), Ok(0xFFE));
    }

    #[test]
    fn reports_truncation_and_bad_characters() {
        let mut b = Bits::new("AAA").unwrap();
        assert_eq!(b.int(10), Ok(0));
        assert_eq!(b.int(16), Err(BitError::Truncated { at: 10, needs: 16, has: 8 }));
        assert_eq!(b.pos(), 10, "a failed read consumes nothing");
        assert_eq!(b.int(8), Ok(0));
        assert_eq!(b.remaining(), 0);
        assert_eq!(Bits::new("AB+C").err(), Some(BadChar { offset: 2, ch: '+' }));
        assert_eq!(Bits::new("Aé").err(), Some(BadChar { offset: 1, ch: 'é' }));
        assert_eq!(Bits::new("AB==").unwrap().len(), 12);
        assert_eq!(Bits::new("").unwrap().len(), 0);
    }

    #[test]
    fn decodes_fibonacci_integers() {
        for (code, want) in [("11", 1), ("011", 2), ("0011", 3), ("1011", 4), ("00011", 5), ("10011", 6), ("01011", 7), ("000011", 8)] {
            let mut b = from_bits(code);
            assert_eq!(b.fibonacci(), Ok(want), "{code}");
            assert_eq!(b.pos(), code.len());
        }
        // 12 = 1 + 3 + 8 -> 101011
        assert_eq!(from_bits("101011").fibonacci(), Ok(12));
        // Two codes back to back: 2, then 1.
        let mut b = from_bits("01111");
        assert_eq!((b.fibonacci(), b.fibonacci()), (Ok(2), Ok(1)));
        // Unterminated.
        assert_eq!(from_bits("0101").fibonacci().err().map(|e| matches!(e, BitError::Truncated { .. })), Some(true));
        // Runs of zeros grow F(i) past 65535 -> overflow rather than reading on forever.
        let zeros = "0".repeat(40);
        assert_eq!(from_bits(&zeros).fibonacci(), Err(BitError::Overflow { at: 0 }));
    }
}

//! Deterministic randomness: the same numbers natively, in Node, in Chromium
//! and in workerd.
//!
//! * The generator is PCG32 (XSH-RR 64/32, O'Neill's `pcg32_random_r`): 64-bit
//!   integer arithmetic only, so every target produces the same sequence. It is
//!   checked against the reference demo's output.
//! * A decision's stream is seeded from (profile secret, slot id, epoch) with
//!   FNV-1a 64 over the bytes, mixed by SplitMix64, so a reload within one
//!   epoch shows the same page and different slots are independent.
//! * Sampling (uniform, normal, Gamma, Beta) uses only `+ - * /`, `sqrt` and
//!   the [`ln`] and [`exp`] below. IEEE 754 requires those basic operations
//!   (sqrt included) to be correctly rounded, and Rust never fuses them, so
//!   the results are bit-identical on every target. `f64::ln`/`f64::exp` are
//!   *not* used: they come from the platform's libm (glibc natively, a Rust
//!   port in Wasm), which may differ in the last bit.

/// PCG32: 64-bit state, 32-bit output, selectable stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pcg32 {
    state: u64,
    inc: u64,
}

const PCG_MULT: u64 = 6_364_136_223_846_793_005;

impl Pcg32 {
    /// `pcg32_srandom_r(initstate, initseq)`.
    pub fn new(init_state: u64, init_seq: u64) -> Pcg32 {
        let mut r = Pcg32 { state: 0, inc: (init_seq << 1) | 1 };
        r.next_u32();
        r.state = r.state.wrapping_add(init_state);
        r.next_u32();
        r
    }

    /// A stream for `parts` (e.g. secret, slot id, epoch), hashed stably.
    pub fn for_parts(parts: &[&[u8]]) -> Pcg32 {
        let h = fnv1a64(parts);
        Pcg32::new(splitmix64(h), splitmix64(h ^ 0x9e37_79b9_7f4a_7c15))
    }

    /// `pcg32_random_r`.
    pub fn next_u32(&mut self) -> u32 {
        let old = self.state;
        self.state = old.wrapping_mul(PCG_MULT).wrapping_add(self.inc);
        let xorshifted = (((old >> 18) ^ old) >> 27) as u32;
        xorshifted.rotate_right((old >> 59) as u32)
    }

    /// Uniform in `[0, 1)` with 53 random bits.
    pub fn f64(&mut self) -> f64 {
        let hi = u64::from(self.next_u32()) << 21;
        let lo = u64::from(self.next_u32() >> 11);
        (hi | lo) as f64 * (1.0 / 9_007_199_254_740_992.0)
    }

    /// Uniform in `0..n` (`n > 0`; 0 when `n == 0`). Lemire's multiply-shift
    /// without rejection: the bias is below `n / 2^32`, negligible for the
    /// handful of variants a slot has.
    pub fn below(&mut self, n: usize) -> usize {
        ((u64::from(self.next_u32()) * n as u64) >> 32) as usize
    }

    /// A standard normal (Marsaglia's polar method: no trigonometry).
    pub fn normal(&mut self) -> f64 {
        for _ in 0..64 {
            let u = 2.0 * self.f64() - 1.0;
            let v = 2.0 * self.f64() - 1.0;
            let s = u * u + v * v;
            if s > 0.0 && s < 1.0 {
                return u * (-2.0 * ln(s) / s).sqrt();
            }
        }
        0.0 // 64 rejections in a row: probability 0.215^64.
    }

    /// Gamma(shape, 1) by Marsaglia and Tsang (2000); shapes below 1 are
    /// boosted (`Gamma(a + 1) * U^(1/a)`). Non-positive or non-finite shapes give 0.
    pub fn gamma(&mut self, shape: f64) -> f64 {
        if !(shape > 0.0 && shape.is_finite()) {
            return 0.0;
        }
        if shape < 1.0 {
            let g = self.gamma(shape + 1.0);
            let u = self.f64().max(f64::MIN_POSITIVE);
            return g * exp(ln(u) / shape);
        }
        let d = shape - 1.0 / 3.0;
        let c = 1.0 / (9.0 * d).sqrt();
        for _ in 0..64 {
            let x = self.normal();
            let v = 1.0 + c * x;
            if v <= 0.0 {
                continue;
            }
            let v = v * v * v;
            let u = self.f64();
            let x2 = x * x;
            if u < 1.0 - 0.0331 * x2 * x2 || (u > 0.0 && ln(u) < 0.5 * x2 + d * (1.0 - v + ln(v))) {
                return d * v;
            }
        }
        d // the mode; reached with vanishing probability, keeps the loop bounded
    }

    /// Beta(a, b) as `X / (X + Y)` with `X ~ Gamma(a)`, `Y ~ Gamma(b)`.
    pub fn beta(&mut self, a: f64, b: f64) -> f64 {
        let x = self.gamma(a);
        let y = self.gamma(b);
        if x + y > 0.0 {
            x / (x + y)
        } else {
            a / (a + b)
        }
    }
}

/// FNV-1a 64 over the concatenation of `parts`, each followed by a 0xff
/// separator byte (so `("ab", "c")` and `("a", "bc")` differ).
pub fn fnv1a64(parts: &[&[u8]]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for &b in part.iter().chain(&[0xffu8]) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    h
}

/// SplitMix64's output function for one step from `x` (Steele, Lea and Flood).
pub fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// ln 2 split in two (fdlibm's `ln2_hi`, `ln2_lo`), so `k·ln2` is exact for the reduction.
const LN2_HI: f64 = f64::from_bits(0x3fe6_2e42_fee0_0000);
const LN2_LO: f64 = f64::from_bits(0x3dea_39ef_3579_3c76);

/// `e^x` from basic operations only (deterministic on every target); relative
/// error about 1e-15.
pub fn exp(x: f64) -> f64 {
    if x.is_nan() {
        return x;
    }
    if x > 709.78 {
        return f64::INFINITY;
    }
    if x < -745.0 {
        return 0.0;
    }
    let k = (x * std::f64::consts::LOG2_E + if x < 0.0 { -0.5 } else { 0.5 }) as i64;
    let kf = k as f64;
    scale2(exp_near_0((x - kf * LN2_HI) - kf * LN2_LO), k)
}

/// `2^x` from basic operations only, as [`exp`]: std's `exp2` is the platform's libm natively and
/// compiler_builtins' in Wasm (with a 4 KB table), so neither the same digits everywhere nor small.
/// Exact at integers; relative error about 1e-15.
pub fn exp2(x: f64) -> f64 {
    if x.is_nan() {
        return x;
    }
    if x >= 1024.0 {
        return f64::INFINITY;
    }
    if x < -1075.0 {
        return 0.0;
    }
    let k = (x + if x < 0.0 { -0.5 } else { 0.5 }) as i64;
    // x - k is exact (|x - k| <= 1/2), so the only rounding before the series is the product.
    scale2(exp_near_0((x - k as f64) * std::f64::consts::LN_2), k)
}

/// `e^r` for `|r| <= 0.347`: the Taylor series to r^13 / 13! (Horner).
fn exp_near_0(r: f64) -> f64 {
    let mut p = INV_FACTORIAL[13];
    for c in INV_FACTORIAL[..13].iter().rev() {
        p = p * r + c;
    }
    p
}

/// `1 / n!` for `n` in `0..14`, computed at compile time.
const INV_FACTORIAL: [f64; 14] = {
    let mut a = [1.0; 14];
    let mut f = 1.0;
    let mut i = 1;
    while i < 14 {
        f *= i as f64;
        a[i] = 1.0 / f;
        i += 1;
    }
    a
};

/// `1 / (2n + 3)` for the atanh series of [`ln`].
const INV_ODD: [f64; 11] = {
    let mut a = [0.0; 11];
    let mut i = 0;
    while i < 11 {
        a[i] = 1.0 / (2 * i + 3) as f64;
        i += 1;
    }
    a
};

/// `x * 2^k` for the range `exp` needs, including subnormal results.
fn scale2(x: f64, k: i64) -> f64 {
    let pow = |e: i64| f64::from_bits(((e + 1023) as u64) << 52);
    if k > 1023 {
        x * pow(1023) * pow(k - 1023)
    } else if k < -1022 {
        x * pow(-1022) * pow((k + 1022).max(-1022))
    } else {
        x * pow(k)
    }
}

/// Natural logarithm from basic operations only (deterministic on every
/// target); `-inf` at 0, NaN below 0.
pub fn ln(x: f64) -> f64 {
    if x.is_nan() || x < 0.0 {
        return f64::NAN;
    }
    if x == 0.0 {
        return f64::NEG_INFINITY;
    }
    if x.is_infinite() {
        return x;
    }
    let (mut x, mut e) = (x, 0i64);
    if x < f64::MIN_POSITIVE {
        x *= 18_014_398_509_481_984.0; // 2^54: subnormal to normal
        e -= 54;
    }
    let bits = x.to_bits();
    e += ((bits >> 52) & 0x7ff) as i64 - 1023;
    let mut m = f64::from_bits((bits & 0x000f_ffff_ffff_ffff) | 0x3ff0_0000_0000_0000);
    if m > std::f64::consts::SQRT_2 {
        m *= 0.5;
        e += 1;
    }
    // ln m = 2 atanh(s), s = (m - 1) / (m + 1), |s| <= 0.1716.
    let s = (m - 1.0) / (m + 1.0);
    let s2 = s * s;
    let mut p = 0.0;
    for c in INV_ODD.iter().rev() {
        p = p * s2 + c;
    }
    let lnm = 2.0 * s + 2.0 * s * s2 * p;
    let ef = e as f64;
    ef * LN2_HI + (lnm + ef * LN2_LO)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pcg32_matches_the_reference_demo() {
        // pcg32-demo.c: pcg32_srandom_r(&rng, 42u, 54u), round 1.
        let mut r = Pcg32::new(42, 54);
        let got: Vec<u32> = (0..6).map(|_| r.next_u32()).collect();
        assert_eq!(got, [0xa15c02b7, 0x7b47f409, 0xba1d3330, 0x83d2f293, 0xbfa4784b, 0xcbed606e]);
    }

    #[test]
    fn splitmix64_matches_the_reference() {
        // SplitMix64 seeded with 1234567: first output (state += golden gamma, then mix).
        assert_eq!(splitmix64(1_234_567), 6_457_827_717_110_365_317);
    }

    #[test]
    fn ln_exp_and_exp2_agree_with_libm() {
        for &x in &[1e-300, 1e-10, 0.001, 0.3, 0.5, 0.999, 1.0, 1.0001, 2.0, 10.0, 1e5, 1e300, 5e-324] {
            let (a, b) = (ln(x), x.ln());
            assert!((a - b).abs() <= 4.0 * f64::EPSILON * b.abs().max(1.0), "ln {x}: {a} vs {b}");
        }
        for &x in &[-700.0, -50.0, -1.0, -1e-9, 0.0, 1e-9, 0.5, 1.0, 3.7, 50.0, 700.0] {
            let (a, b) = (exp(x), x.exp());
            assert!((a - b).abs() <= 4.0 * f64::EPSILON * b, "exp {x}: {a} vs {b}");
        }
        for i in -2100..=1990 {
            let x = f64::from(i) * 0.5137; // -1078.8 to 1022.3: subnormal results included
            let (a, b) = (exp2(x), x.exp2());
            assert!((a - b).abs() <= 4.0 * f64::EPSILON * b + 1e-323, "exp2 {x}: {a} vs {b}");
        }
        for k in -1074..1024 {
            let two_to_k = if k >= -1022 { f64::from_bits(((k + 1023) as u64) << 52) } else { f64::from_bits(1 << (k + 1074)) };
            assert_eq!(exp2(f64::from(k)), two_to_k, "exp2 {k} is exact");
        }
        assert_eq!((exp2(1024.0), exp2(-1076.0)), (f64::INFINITY, 0.0));
        assert!(exp2(f64::NAN).is_nan());
        assert_eq!(exp(-800.0), 0.0);
        assert!(ln(-1.0).is_nan() && ln(0.0) == f64::NEG_INFINITY);
    }

    #[test]
    fn beta_samples_have_the_right_mean() {
        let mut r = Pcg32::new(1, 2);
        for &(a, b) in &[(1.0, 1.0), (0.5, 0.5), (2.0, 8.0), (30.0, 70.0), (0.1, 3.0)] {
            let n = 20_000;
            let mean: f64 = (0..n).map(|_| r.beta(a, b)).sum::<f64>() / f64::from(n);
            assert!((mean - a / (a + b)).abs() < 0.01, "Beta({a},{b}) mean {mean}");
        }
        assert_eq!(r.gamma(f64::NAN), 0.0);
        assert_eq!(r.gamma(-1.0), 0.0);
    }
}

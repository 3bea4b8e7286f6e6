//! Elementary functions written with basic IEEE arithmetic only.
//!
//! `f64::exp`/`ln` call the platform's maths library, whose last bit differs between glibc and the
//! wasm build. D-efficient searches compare D-errors, so one differing bit could pick another
//! design; these versions give the same bits everywhere (+, −, ×, ÷ and sqrt are exactly rounded).

/// ln 2 split in two (fdlibm's constants): the high part has trailing zero bits, so k·LN2_HI is
/// exact for the k that occur.
const LN2_HI: f64 = f64::from_bits(0x3fe6_2e42_fee0_0000);
const LN2_LO: f64 = f64::from_bits(0x3dea_39ef_3579_3c76);

/// 2^k for k in the normal range, built from the bit pattern.
fn pow2(k: i64) -> f64 {
    f64::from_bits(((k + 1023) as u64) << 52)
}

/// e^x, accurate to a few ulp.
pub fn exp(x: f64) -> f64 {
    if x.is_nan() {
        return x;
    }
    if x > 709.78 {
        return f64::INFINITY;
    }
    if x < -745.2 {
        return 0.0;
    }
    let k = (x * std::f64::consts::LOG2_E).round();
    let r = (x - k * LN2_HI) - k * LN2_LO;
    // |r| ≤ 0.35: the Taylor series to r^13/13! leaves an error below 1e-17 relative.
    let mut p = INV_FACTORIAL[13];
    for c in INV_FACTORIAL[..13].iter().rev() {
        p = p * r + c;
    }
    let k = k as i64;
    // Split the scaling so results near the ends of the range neither overflow nor flush early.
    if k > 1000 {
        p * pow2(1000) * pow2(k - 1000)
    } else if k < -1000 {
        p * pow2(-1000) * pow2(k + 1000)
    } else {
        p * pow2(k)
    }
}

/// 1/n! for n = 0..=13, computed at compile time.
const INV_FACTORIAL: [f64; 14] = {
    let mut table = [1.0; 14];
    let mut n = 1;
    while n < 14 {
        table[n] = table[n - 1] / n as f64;
        n += 1;
    }
    table
};

/// Natural logarithm; NaN for negative input, −∞ at 0.
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
        x *= pow2(54);
        e -= 54;
    }
    let bits = x.to_bits();
    e += ((bits >> 52) & 0x7ff) as i64 - 1023;
    let mut m = f64::from_bits((bits & 0x000f_ffff_ffff_ffff) | 0x3ff0_0000_0000_0000);
    if m > std::f64::consts::SQRT_2 {
        m *= 0.5;
        e += 1;
    }
    // ln m = 2 atanh(s) with |s| ≤ 0.172, so s² ≤ 0.03 and 12 terms reach 1e-18.
    let s = (m - 1.0) / (m + 1.0);
    let s2 = s * s;
    let mut series = 0.0;
    for n in (0..12).rev() {
        series = series * s2 + 1.0 / f64::from(2 * n + 1);
    }
    let e = e as f64;
    e * LN2_HI + (e * LN2_LO + 2.0 * s * series)
}

/// Standard normal density.
pub fn norm_pdf(x: f64) -> f64 {
    exp(-0.5 * x * x) / (2.0 * std::f64::consts::PI).sqrt()
}

/// Standard normal distribution function Φ(x), absolute error below 1e-15.
pub fn norm_cdf(x: f64) -> f64 {
    if x.is_nan() {
        return x;
    }
    let a = x.abs();
    if a <= 3.0 {
        // Φ(x) = ½ + φ(x) Σ x^(2n+1) / (1·3·…·(2n+1)) (Marsaglia 2004).
        let (mut term, mut sum, mut n) = (x, x, 1.0);
        while term.abs() > 1e-17 * sum.abs() {
            n += 2.0;
            term *= x * x / n;
            sum += term;
        }
        0.5 + norm_pdf(x) * sum
    } else {
        // Upper tail by Laplace's continued fraction, evaluated from the back.
        let mut fraction = 0.0;
        for k in (1..=80).rev() {
            fraction = f64::from(k) / (a + fraction);
        }
        let tail = norm_pdf(a) / (a + fraction);
        if x > 0.0 {
            1.0 - tail
        } else {
            tail
        }
    }
}

/// The standard normal quantile Φ⁻¹(p) (Wichura's AS 241, about 1e-16 relative).
pub fn norm_quantile(p: f64) -> f64 {
    if p.is_nan() || !(0.0..=1.0).contains(&p) {
        return f64::NAN;
    }
    if p == 0.0 {
        return f64::NEG_INFINITY;
    }
    if p == 1.0 {
        return f64::INFINITY;
    }
    let q = p - 0.5;
    if q.abs() <= 0.425 {
        let r = 0.180625 - q * q;
        return q * poly(&A, r) / poly(&B, r);
    }
    let r = if q < 0.0 { p } else { 1.0 - p };
    let r = (-ln(r)).sqrt();
    let value = if r <= 5.0 {
        let r = r - 1.6;
        poly(&C, r) / poly(&D, r)
    } else {
        let r = r - 5.0;
        poly(&E, r) / poly(&F, r)
    };
    if q < 0.0 {
        -value
    } else {
        value
    }
}

/// Horner evaluation with coefficients from the constant term up.
fn poly(coefficients: &[f64; 8], x: f64) -> f64 {
    coefficients.iter().rev().fold(0.0, |acc, c| acc * x + c)
}

const A: [f64; 8] = [
    3.387_132_872_796_366_5,
    1.331_416_678_917_843_8e2,
    1.971_590_950_306_551_3e3,
    1.373_169_376_550_946e4,
    4.592_195_393_154_987e4,
    6.726_577_092_700_87e4,
    3.343_057_558_358_813e4,
    2.509_080_928_730_122_7e3,
];
const B: [f64; 8] = [
    1.0,
    4.231_333_070_160_091e1,
    6.871_870_074_920_579e2,
    5.394_196_021_424_751e3,
    2.121_379_430_158_659_7e4,
    3.930_789_580_009_271e4,
    2.872_908_573_572_194_3e4,
    5.226_495_278_852_545e3,
];
const C: [f64; 8] = [
    1.423_437_110_749_683_5,
    4.630_337_846_156_546,
    5.769_497_221_460_691,
    3.647_848_324_763_204_5,
    1.270_458_252_452_368_4,
    2.417_807_251_774_506e-1,
    2.272_384_498_926_918_4e-2,
    7.745_450_142_783_414e-4,
];
const D: [f64; 8] = [
    1.0,
    2.053_191_626_637_759,
    1.676_384_830_183_803_8,
    6.897_673_349_851e-1,
    1.481_039_764_274_800_8e-1,
    1.519_866_656_361_645_7e-2,
    5.475_938_084_995_345e-4,
    1.050_750_071_644_416_9e-9,
];
const E: [f64; 8] = [
    6.657_904_643_501_103,
    5.463_784_911_164_114,
    1.784_826_539_917_291_3,
    2.965_605_718_285_048_7e-1,
    2.653_218_952_657_612_4e-2,
    1.242_660_947_388_078_4e-3,
    2.711_555_568_743_487_6e-5,
    2.010_334_399_292_288_1e-7,
];
const F: [f64; 8] = [
    1.0,
    5.998_322_065_558_88e-1,
    1.369_298_809_227_358e-1,
    1.487_536_129_085_061_5e-2,
    7.868_691_311_456_133e-4,
    1.846_318_317_510_054_8e-5,
    1.421_511_758_316_446e-7,
    2.044_263_103_389_939_7e-15,
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exp_and_ln_match_the_platform_closely() {
        for i in -2000..2000 {
            let x = f64::from(i) * 0.173;
            let (ours, std) = (exp(x), x.exp());
            assert!(
                ((ours - std) / std).abs() < 4e-16,
                "exp({x}): {ours} vs {std}"
            );
        }
        for i in 1..4000 {
            let x = f64::from(i) * 0.0371 + 1e-3;
            let (ours, std) = (ln(x), x.ln());
            assert!(
                (ours - std).abs() < 4e-16 * std.abs().max(1.0),
                "ln({x}): {ours} vs {std}"
            );
        }
        assert!((ln(1e-310) - 1e-310f64.ln()).abs() < 1e-12);
    }

    #[test]
    fn normal_functions() {
        assert!((norm_quantile(0.975) - 1.959_963_984_540_054).abs() < 1e-15);
        assert!((norm_quantile(0.8) - 0.841_621_233_572_914_2).abs() < 1e-15);
        assert!((norm_quantile(1e-10) + 6.361_340_902_404_056).abs() < 1e-12);
        // Above 5 the upper tail (below 3e-7) is lost to rounding of p near 1, so only the lower
        // tail is checked that far out.
        for i in -80..50 {
            let x = f64::from(i) * 0.1;
            let p = norm_cdf(x);
            assert!(
                (norm_quantile(p) - x).abs() < 1e-9 * x.abs().max(1.0),
                "{x}"
            );
        }
        assert!((norm_cdf(1.959_963_984_540_054) - 0.975).abs() < 1e-15);
        assert!((norm_cdf(-5.0) - 2.866_515_718_791_939e-7).abs() < 1e-20);
    }
}

//! Products with Q4_1 weights computed as llama.cpp computes them, so log-probabilities agree with
//! it to a few hundredths of a nat.
//!
//! candle quantizes the activations to Q8_1 blocks as llama.cpp does, except for the block sum
//! `s`, which it rounds twice (the count and the scale to f16 first, then their product), while
//! llama.cpp rounds `d · Σq` once; through the weights' minimum (`m · s` in every block) that
//! moves answers by up to 0.25 nat on a 135M model. Here the blocks are built the llama.cpp way
//! and candle's own dot product (`BlockQ4_1::vec_dot`) does the arithmetic.

use std::sync::Arc;

use candle_core::quantized::k_quants::{BlockQ4_1, BlockQ8_1, GgmlType};
use candle_core::quantized::{GgmlDType, QTensor};
use candle_core::{Device, Result, Tensor};
use half::f16;

const BLOCK: usize = 32;

/// Same layout as candle's `BlockQ8_1` (whose fields are private): scale, scale × sum, quants.
#[repr(C)]
#[derive(Clone, Copy)]
struct Q8_1 {
    d: f16,
    s: f16,
    qs: [i8; BLOCK],
}

const _: () = assert!(std::mem::size_of::<Q8_1>() == std::mem::size_of::<BlockQ8_1>());
const _: () = assert!(std::mem::align_of::<Q8_1>() == std::mem::align_of::<BlockQ8_1>());
const _: () = assert!(std::mem::size_of::<BlockQ4_1>() == 20);

/// A Q4_1 matrix of `rows` outputs × `cols` inputs (GGUF order: one row of blocks per output).
pub struct Q41Matrix {
    weight: Arc<QTensor>,
    rows: usize,
    cols: usize,
}

impl Q41Matrix {
    /// None unless `weight` is a Q4_1 matrix whose rows are whole blocks.
    pub fn new(weight: Arc<QTensor>) -> Option<Self> {
        let (rows, cols) = weight.shape().dims2().ok()?;
        (weight.dtype() == GgmlDType::Q4_1
            && cols.is_multiple_of(BLOCK)
            && (cols / BLOCK).is_multiple_of(2))
        .then_some(Self { weight, rows, cols })
    }

    /// `x` (…, cols) → (…, rows).
    pub fn forward(&self, x: &Tensor) -> Result<Tensor> {
        let mut shape = x.dims().to_vec();
        let inputs = x.flatten_all()?.to_vec1::<f32>()?;
        let data = self.weight.data()?;
        let blocks_per_row = self.cols / BLOCK;
        // SAFETY: candle keeps a Q4_1 tensor's storage as a `Vec<BlockQ4_1>` (`repr(C)`, 20
        // bytes, align 2), so its bytes are whole, aligned blocks.
        let weights: &[BlockQ4_1] = unsafe {
            std::slice::from_raw_parts(
                data.as_ptr().cast::<BlockQ4_1>(),
                data.len() / std::mem::size_of::<BlockQ4_1>(),
            )
        };
        if weights.len() != self.rows * blocks_per_row
            || data
                .as_ptr()
                .align_offset(std::mem::align_of::<BlockQ4_1>())
                != 0
        {
            candle_core::bail!("unexpected Q4_1 storage");
        }
        let mut quantized = vec![
            Q8_1 {
                d: f16::ZERO,
                s: f16::ZERO,
                qs: [0; BLOCK]
            };
            blocks_per_row
        ];
        let mut out = Vec::with_capacity(inputs.len() / self.cols * self.rows);
        let dot = kernel();
        for row in inputs.chunks_exact(self.cols) {
            quantize_row(row, &mut quantized);
            out.extend(
                weights
                    .chunks_exact(blocks_per_row)
                    .map(|weight_row| dot(weight_row, &quantized)),
            );
        }
        if let Some(last) = shape.last_mut() {
            *last = self.rows;
        }
        Tensor::from_vec(out, shape, &Device::Cpu)
    }
}

/// A dot product of one row of weights with the quantized activations.
type Kernel = fn(&[BlockQ4_1], &[Q8_1]) -> f32;

/// The fastest kernel this build and processor have.
fn kernel() -> Kernel {
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    {
        simd128::dot
    }
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    {
        // Unoptimised builds (tests) do not inline the intrinsics, which makes them slower than
        // candle's optimised scalar loop; they take that loop.
        #[cfg(all(target_arch = "x86_64", not(debug_assertions)))]
        if std::arch::is_x86_feature_detected!("avx2")
            && std::arch::is_x86_feature_detected!("fma")
            && std::arch::is_x86_feature_detected!("f16c")
        {
            // SAFETY: the processor has AVX2, FMA and F16C (checked just above).
            return |weights, activations| unsafe { avx2::dot(weights, activations) };
        }
        scalar_dot
    }
}

/// candle's (scalar) `vec_dot`.
#[cfg_attr(
    all(target_arch = "wasm32", target_feature = "simd128"),
    allow(dead_code)
)]
fn scalar_dot(weights: &[BlockQ4_1], activations: &[Q8_1]) -> f32 {
    // SAFETY: `Q8_1` has `BlockQ8_1`'s layout (asserted above).
    let activations: &[BlockQ8_1] = unsafe {
        std::slice::from_raw_parts(activations.as_ptr().cast::<BlockQ8_1>(), activations.len())
    };
    <BlockQ4_1 as GgmlType>::vec_dot(weights.len() * BLOCK, weights, activations)
}

/// llama.cpp's `quantize_row_q8_1`: per block d = max|x| / 127, q = round(x / d), s = d · Σq.
fn quantize_row(xs: &[f32], blocks: &mut [Q8_1]) {
    for (x, block) in xs.chunks_exact(BLOCK).zip(blocks.iter_mut()) {
        let amax = x.iter().fold(0f32, |m, v| m.max(v.abs()));
        let d = amax / 127.0;
        let id = if amax != 0.0 { 127.0 / amax } else { 0.0 };
        let mut sum = 0i32;
        for (q, v) in block.qs.iter_mut().zip(x) {
            *q = (v * id).round_ties_even() as i8;
            sum += i32::from(*q);
        }
        block.d = f16::from_f32(d);
        block.s = f16::from_f32(d * sum as f32);
    }
}

#[cfg(target_arch = "x86_64")]
#[cfg_attr(debug_assertions, allow(dead_code))]
mod avx2 {
    //! llama.cpp's `ggml_vec_dot_q4_1_q8_1` for AVX2: per block, the 32 nibbles against the 32
    //! quants with `maddubs`, scaled by d_x · d_y, plus m_x · s_y.

    use std::arch::x86_64::*;

    use super::{BlockQ4_1, Q8_1};

    /// Same layout as candle's `BlockQ4_1` (private fields): scale, minimum, 32 nibbles.
    #[repr(C)]
    struct Q4_1 {
        d: half::f16,
        m: half::f16,
        qs: [u8; 16],
    }

    const _: () = assert!(std::mem::size_of::<Q4_1>() == std::mem::size_of::<BlockQ4_1>());

    /// # Safety
    /// The processor must have AVX2, FMA and F16C; `xs` and `ys` hold the same number of blocks.
    #[target_feature(enable = "avx2,fma,f16c")]
    pub unsafe fn dot(xs: &[BlockQ4_1], ys: &[Q8_1]) -> f32 {
        // SAFETY: `Q4_1` has `BlockQ4_1`'s layout (asserted above).
        let xs: &[Q4_1] =
            unsafe { std::slice::from_raw_parts(xs.as_ptr().cast::<Q4_1>(), xs.len()) };
        let mut acc = _mm256_setzero_ps();
        let mut mins = 0f32;
        let low = _mm256_set1_epi8(0x0F);
        let ones = _mm256_set1_epi16(1);
        let mut scales = [0f32; 4];
        for (x, y) in xs.iter().zip(ys) {
            // The four f16 scales at once (F16C), without `half`'s per-call feature check.
            let bits = |h: half::f16| h.to_bits() as i16;
            let halves = _mm_set_epi16(0, 0, 0, 0, bits(y.s), bits(y.d), bits(x.m), bits(x.d));
            // SAFETY: four writable floats.
            unsafe { _mm_storeu_ps(scales.as_mut_ptr(), _mm_cvtph_ps(halves)) };
            let [xd, xm, yd, ys] = scales;
            mins += xm * ys;
            let scale = _mm256_set1_ps(xd * yd);
            // SAFETY: 16 and 32 readable bytes; unaligned loads.
            let (packed, quants) = unsafe {
                (
                    _mm_loadu_si128(x.qs.as_ptr().cast::<__m128i>()),
                    _mm256_loadu_si256(y.qs.as_ptr().cast::<__m256i>()),
                )
            };
            // Low nibbles are elements 0..16, high nibbles 16..32.
            let nibbles =
                _mm256_and_si256(_mm256_set_m128i(_mm_srli_epi16(packed, 4), packed), low);
            let pairs = _mm256_maddubs_epi16(nibbles, quants);
            let sums = _mm256_cvtepi32_ps(_mm256_madd_epi16(pairs, ones));
            acc = _mm256_fmadd_ps(scale, sums, acc);
        }
        let half = _mm_add_ps(_mm256_castps256_ps128(acc), _mm256_extractf128_ps(acc, 1));
        let quarter = _mm_add_ps(half, _mm_movehl_ps(half, half));
        let one = _mm_add_ss(quarter, _mm_movehdup_ps(quarter));
        _mm_cvtss_f32(one) + mins
    }
}

/// The page's kernel (built with `-C target-feature=+simd128`): per block, nibbles and quants
/// widened to 16 bits and multiplied pairwise into 32-bit sums (`i32x4.dot_i16x8_s`).
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod simd128 {
    use std::arch::wasm32::*;

    use super::{BlockQ4_1, Q8_1};

    /// Same layout as candle's `BlockQ4_1` (private fields): scale, minimum, 32 nibbles.
    #[repr(C)]
    struct Q4_1 {
        d: half::f16,
        m: half::f16,
        qs: [u8; 16],
    }

    const _: () = assert!(std::mem::size_of::<Q4_1>() == std::mem::size_of::<BlockQ4_1>());

    pub fn dot(xs: &[BlockQ4_1], ys: &[Q8_1]) -> f32 {
        // SAFETY: `Q4_1` has `BlockQ4_1`'s layout (asserted above).
        let xs: &[Q4_1] =
            unsafe { std::slice::from_raw_parts(xs.as_ptr().cast::<Q4_1>(), xs.len()) };
        let mask = u8x16_splat(0x0F);
        let mut sum = 0f32;
        for (x, y) in xs.iter().zip(ys) {
            // SAFETY: 16 readable bytes each; wasm loads need no alignment.
            let (packed, y0, y1) = unsafe {
                (
                    v128_load(x.qs.as_ptr().cast::<v128>()),
                    v128_load(y.qs.as_ptr().cast::<v128>()),
                    v128_load(y.qs.as_ptr().add(16).cast::<v128>()),
                )
            };
            // Low nibbles are elements 0..16, high nibbles 16..32.
            let (low, high) = (v128_and(packed, mask), u8x16_shr(packed, 4));
            let products = i32x4_add(
                i32x4_add(
                    i32x4_dot_i16x8(u16x8_extend_low_u8x16(low), i16x8_extend_low_i8x16(y0)),
                    i32x4_dot_i16x8(u16x8_extend_high_u8x16(low), i16x8_extend_high_i8x16(y0)),
                ),
                i32x4_add(
                    i32x4_dot_i16x8(u16x8_extend_low_u8x16(high), i16x8_extend_low_i8x16(y1)),
                    i32x4_dot_i16x8(u16x8_extend_high_u8x16(high), i16x8_extend_high_i8x16(y1)),
                ),
            );
            let sumi = i32x4_extract_lane::<0>(products)
                + i32x4_extract_lane::<1>(products)
                + i32x4_extract_lane::<2>(products)
                + i32x4_extract_lane::<3>(products);
            sum += sumi as f32 * x.d.to_f32() * y.d.to_f32() + x.m.to_f32() * y.s.to_f32();
        }
        sum
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Weights and inputs with a known pattern, as Q4_1 and f32.
    fn matrix(rows: usize, cols: usize) -> (Arc<QTensor>, Vec<f32>) {
        let w: Vec<f32> = (0..rows * cols)
            .map(|i| ((i * 7919 % 113) as f32 / 113.0 - 0.4) * 0.1)
            .collect();
        let w = Tensor::from_vec(w, (rows, cols), &Device::Cpu).expect("tensor");
        let q = QTensor::quantize(&w, GgmlDType::Q4_1).expect("quantized");
        let x: Vec<f32> = (0..2 * cols)
            .map(|i| ((i * 104729 % 97) as f32 / 97.0 - 0.5) * 3.0)
            .collect();
        (Arc::new(q), x)
    }

    #[test]
    fn matches_the_dequantized_product_within_activation_rounding() {
        let (rows, cols) = (8, 128);
        let (q, x) = matrix(rows, cols);
        let m = Q41Matrix::new(Arc::clone(&q)).expect("a Q4_1 matrix");
        let input = Tensor::from_vec(x.clone(), (1, 2, cols), &Device::Cpu).expect("x");
        let got = m.forward(&input).expect("product");
        assert_eq!(got.dims(), &[1, 2, rows]);
        let got = got
            .flatten_all()
            .and_then(|t| t.to_vec1::<f32>())
            .expect("values");
        let w = q
            .dequantize(&Device::Cpu)
            .and_then(|t| t.to_vec2::<f32>())
            .expect("w");
        for (i, xs) in x.chunks(cols).enumerate() {
            for (j, row) in w.iter().enumerate() {
                let exact: f32 = row.iter().zip(xs).map(|(a, b)| a * b).sum();
                let g = got[i * rows + j];
                assert!(
                    (g - exact).abs() < 0.01 * (1.0 + exact.abs()),
                    "{g} vs {exact}"
                );
            }
        }
    }

    #[cfg(target_arch = "x86_64")]
    #[test]
    fn the_avx2_dot_product_is_candles() {
        if !(std::arch::is_x86_feature_detected!("avx2")
            && std::arch::is_x86_feature_detected!("fma")
            && std::arch::is_x86_feature_detected!("f16c"))
        {
            return;
        }
        let (rows, cols) = (4, 256);
        let (q, x) = matrix(rows, cols);
        let data = q.data().expect("bytes");
        // SAFETY: as in `Q41Matrix::forward`.
        let weights: &[BlockQ4_1] = unsafe {
            std::slice::from_raw_parts(data.as_ptr().cast::<BlockQ4_1>(), rows * cols / BLOCK)
        };
        let mut blocks = vec![
            Q8_1 {
                d: f16::ZERO,
                s: f16::ZERO,
                qs: [0; BLOCK]
            };
            cols / BLOCK
        ];
        quantize_row(&x[..cols], &mut blocks);
        for row in weights.chunks_exact(cols / BLOCK) {
            let scalar = scalar_dot(row, &blocks);
            // SAFETY: the processor has AVX2 and FMA (checked above).
            let simd = unsafe { avx2::dot(row, &blocks) };
            assert!(
                (scalar - simd).abs() < 1e-4 * (1.0 + scalar.abs()),
                "{scalar} vs {simd}"
            );
        }
    }
}

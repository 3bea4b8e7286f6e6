//! Products with Q4_1 weights computed as llama.cpp computes them, so log-probabilities agree with
//! it to a few hundredths of a nat.
//!
//! candle quantizes the activations to Q8_1 blocks as llama.cpp does, except for the block sum
//! `s`, which it rounds twice (the count and the scale to f16 first, then their product), while
//! llama.cpp rounds `d · Σq` once; through the weights' minimum (`m · s` in every block) that
//! moves answers by up to 0.25 nat on a 135M model. Here the blocks are built the llama.cpp way.
//!
//! The weights are repacked once, at load, with their f16 scale and minimum widened to f32 (the
//! same values, 4 bytes more per 32 weights): WebAssembly has no f16 instructions, and converting
//! four f16 per block in software took a quarter of the page's time. The activations' scales are
//! likewise rounded to f16 and kept as f32.

use candle_core::quantized::k_quants::BlockQ4_1;
use candle_core::quantized::{GgmlDType, QTensor};
use candle_core::{Device, Result, Tensor};
use half::f16;

use super::repack::{self, repack, BLOCK};

/// Weight rows whose products are computed together for every activation row, so that a tile of
/// weights (here about 12 KB for a 576-wide matrix) stays in cache while a long prompt reads it.
const ROW_TILE: usize = 8;

/// Same layout as candle's `BlockQ4_1` (whose fields are private): scale, minimum, 32 nibbles.
#[repr(C)]
struct FileBlock {
    d: f16,
    m: f16,
    qs: [u8; 16],
}

const _: () = assert!(std::mem::size_of::<FileBlock>() == std::mem::size_of::<BlockQ4_1>());
const _: () = assert!(std::mem::align_of::<FileBlock>() == std::mem::align_of::<BlockQ4_1>());

// SAFETY: `repr(C)` with BlockQ4_1's field order (f16, f16, [u8; 16]); size and alignment above.
unsafe impl repack::FileBlock for FileBlock {
    const DTYPE: GgmlDType = GgmlDType::Q4_1;
}

/// 32 weights: w = d · q + m, q in 0..16; low nibbles are elements 0..16, high nibbles 16..32.
#[repr(C)]
#[derive(Clone, Copy)]
struct Q4_1 {
    d: f32,
    m: f32,
    qs: [u8; 16],
}

/// 32 activations: x ≈ d · q, with `s` = d · Σq; d and s rounded to f16 as llama.cpp stores them.
#[repr(C)]
#[derive(Clone, Copy)]
struct Q8_1 {
    d: f32,
    s: f32,
    qs: [i8; BLOCK],
}

const EMPTY_Q8_1: Q8_1 = Q8_1 {
    d: 0.0,
    s: 0.0,
    qs: [0; BLOCK],
};

/// A Q4_1 matrix of `rows` outputs × `cols` inputs (GGUF order: one row of blocks per output).
pub struct Q41Matrix {
    blocks: Vec<Q4_1>,
    rows: usize,
    cols: usize,
}

impl Q41Matrix {
    /// None unless `weight` is a Q4_1 matrix whose rows are whole blocks.
    pub fn new(weight: &QTensor) -> Result<Option<Self>> {
        let repacked = repack::<FileBlock, _>(weight, |b| Q4_1 {
            d: b.d.to_f32(),
            m: b.m.to_f32(),
            qs: b.qs,
        })?;
        Ok(repacked.map(|(blocks, rows, cols)| Self { blocks, rows, cols }))
    }

    /// `x` (…, cols) → (…, rows).
    pub fn forward(&self, x: &Tensor) -> Result<Tensor> {
        let mut shape = x.dims().to_vec();
        let inputs = x.flatten_all()?.to_vec1::<f32>()?;
        let per_row = self.cols / BLOCK;
        let mut quantized = vec![EMPTY_Q8_1; inputs.len() / BLOCK];
        for (row, blocks) in inputs
            .chunks_exact(self.cols)
            .zip(quantized.chunks_exact_mut(per_row))
        {
            quantize_row(row, blocks);
        }
        let out = tiled_product(&self.blocks, per_row, self.rows, &quantized, kernel());
        if let Some(last) = shape.last_mut() {
            *last = self.rows;
        }
        Tensor::from_vec(out, shape, &Device::Cpu)
    }
}

/// Every row of `weights` (`rows` rows of `per_row` blocks) dotted with every row of
/// `activations`: (activation rows, rows), row-major. A tile of weight rows is taken for all
/// activation rows before the next, so a long prompt reads each tile from cache.
pub(super) fn tiled_product<W, A>(
    weights: &[W],
    per_row: usize,
    rows: usize,
    activations: &[A],
    dot: fn(&[W], &[A]) -> f32,
) -> Vec<f32> {
    let mut out = vec![0f32; activations.len() / per_row * rows];
    for (t, tile) in weights.chunks(ROW_TILE * per_row).enumerate() {
        for (i, activation) in activations.chunks_exact(per_row).enumerate() {
            let at = i * rows + t * ROW_TILE;
            for (o, weight) in out[at..].iter_mut().zip(tile.chunks_exact(per_row)) {
                *o = dot(weight, activation);
            }
        }
    }
    out
}

/// A dot product of one row of weights with the quantized activations.
type Kernel = fn(&[Q4_1], &[Q8_1]) -> f32;

/// The fastest kernel this build and processor have.
fn kernel() -> Kernel {
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    {
        simd128::dot
    }
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    {
        // Every native build takes AVX2 where the processor has it, tests too (they build silico
        // at opt-level 1, where the intrinsics inline): the tests check the arithmetic users get.
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma")
        {
            // SAFETY: the processor has AVX2 and FMA (checked just above).
            return |weights, activations| unsafe { avx2::dot(weights, activations) };
        }
        scalar_dot
    }
}

/// llama.cpp's `ggml_vec_dot_q4_1_q8_1` without SIMD.
#[cfg_attr(
    all(target_arch = "wasm32", target_feature = "simd128"),
    allow(dead_code)
)]
fn scalar_dot(weights: &[Q4_1], activations: &[Q8_1]) -> f32 {
    let mut sum = 0f32;
    for (x, y) in weights.iter().zip(activations) {
        let mut sumi = 0i32;
        for (j, &packed) in x.qs.iter().enumerate() {
            sumi += i32::from(packed & 0x0F) * i32::from(y.qs[j])
                + i32::from(packed >> 4) * i32::from(y.qs[j + 16]);
        }
        sum += sumi as f32 * x.d * y.d + x.m * y.s;
    }
    sum
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
        block.d = f16::from_f32(d).to_f32();
        block.s = f16::from_f32(d * sum as f32).to_f32();
    }
}

#[cfg(target_arch = "x86_64")]
mod avx2 {
    //! llama.cpp's `ggml_vec_dot_q4_1_q8_1` for AVX2: per block, the 32 nibbles against the 32
    //! quants with `maddubs`, scaled by d_x · d_y, plus m_x · s_y.

    use std::arch::x86_64::*;

    use super::{Q4_1, Q8_1};

    /// # Safety
    /// The processor must have AVX2 and FMA.
    #[target_feature(enable = "avx2,fma")]
    pub unsafe fn dot(xs: &[Q4_1], ys: &[Q8_1]) -> f32 {
        let mut acc = _mm256_setzero_ps();
        let mut mins = 0f32;
        let low = _mm256_set1_epi8(0x0F);
        let ones = _mm256_set1_epi16(1);
        for (x, y) in xs.iter().zip(ys) {
            mins += x.m * y.s;
            let scale = _mm256_set1_ps(x.d * y.d);
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

/// The page's kernel (built with `-C target-feature=+simd128`): per block, nibbles times quants
/// as 16-bit products (`i16x8.extmul`; |15 · 127| · 4 fits), summed pairwise into 32 bits, then
/// scaled and accumulated in four f32 lanes.
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod simd128 {
    use std::arch::wasm32::*;

    use super::{Q4_1, Q8_1};

    pub fn dot(xs: &[Q4_1], ys: &[Q8_1]) -> f32 {
        let mask = u8x16_splat(0x0F);
        let mut acc = f32x4_splat(0.0);
        let mut mins = 0f32;
        for (x, y) in xs.iter().zip(ys) {
            // SAFETY: 16 readable bytes each; wasm loads need no alignment.
            let (packed, y0, y1) = unsafe {
                (
                    v128_load(x.qs.as_ptr().cast::<v128>()),
                    v128_load(y.qs.as_ptr().cast::<v128>()),
                    v128_load(y.qs.as_ptr().add(16).cast::<v128>()),
                )
            };
            // Low nibbles are elements 0..16, high nibbles 16..32; as i8 they are 0..15.
            let (low, high) = (v128_and(packed, mask), u8x16_shr(packed, 4));
            let products = i16x8_add(
                i16x8_add(
                    i16x8_extmul_low_i8x16(low, y0),
                    i16x8_extmul_high_i8x16(low, y0),
                ),
                i16x8_add(
                    i16x8_extmul_low_i8x16(high, y1),
                    i16x8_extmul_high_i8x16(high, y1),
                ),
            );
            let sums = f32x4_convert_i32x4(i32x4_extadd_pairwise_i16x8(products));
            acc = f32x4_add(acc, f32x4_mul(sums, f32x4_splat(x.d * y.d)));
            mins += x.m * y.s;
        }
        f32x4_extract_lane::<0>(acc)
            + f32x4_extract_lane::<1>(acc)
            + f32x4_extract_lane::<2>(acc)
            + f32x4_extract_lane::<3>(acc)
            + mins
    }
}

#[cfg(test)]
mod tests {
    use candle_core::quantized::k_quants::{BlockQ8_1, GgmlType};

    use super::*;

    /// Weights and inputs with a known pattern, as Q4_1 and f32.
    fn matrix(rows: usize, cols: usize) -> (QTensor, Vec<f32>) {
        let w: Vec<f32> = (0..rows * cols)
            .map(|i| ((i * 7919 % 113) as f32 / 113.0 - 0.4) * 0.1)
            .collect();
        let w = Tensor::from_vec(w, (rows, cols), &Device::Cpu).expect("tensor");
        let q = QTensor::quantize(&w, GgmlDType::Q4_1).expect("quantized");
        let x: Vec<f32> = (0..3 * cols)
            .map(|i| ((i * 104729 % 97) as f32 / 97.0 - 0.5) * 3.0)
            .collect();
        (q, x)
    }

    #[test]
    fn matches_the_dequantized_product_within_activation_rounding() {
        // More rows than a tile, and not a whole number of tiles.
        let (rows, cols) = (ROW_TILE * 2 + 3, 96);
        let (q, x) = matrix(rows, cols);
        let m = Q41Matrix::new(&q).expect("storage").expect("a Q4_1 matrix");
        let input = Tensor::from_vec(x.clone(), (1, 3, cols), &Device::Cpu).expect("x");
        let got = m.forward(&input).expect("product");
        assert_eq!(got.dims(), &[1, 3, rows]);
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

    /// Same layout as candle's `BlockQ8_1` (private fields).
    #[repr(C)]
    struct CandleQ8_1 {
        d: f16,
        s: f16,
        qs: [i8; BLOCK],
    }
    const _: () = assert!(std::mem::size_of::<CandleQ8_1>() == std::mem::size_of::<BlockQ8_1>());

    #[test]
    fn every_kernel_is_candles_dot_product_on_the_file_blocks() {
        let (rows, cols) = (4, 256);
        let (q, x) = matrix(rows, cols);
        let m = Q41Matrix::new(&q).expect("storage").expect("a Q4_1 matrix");
        let data = q.data().expect("bytes");
        // SAFETY: as in `Q41Matrix::new`.
        let file: &[BlockQ4_1] = unsafe {
            std::slice::from_raw_parts(data.as_ptr().cast::<BlockQ4_1>(), rows * cols / BLOCK)
        };
        let mut blocks = vec![EMPTY_Q8_1; cols / BLOCK];
        quantize_row(&x[..cols], &mut blocks);
        // The f32 scales are f16 values: candle's blocks hold them exactly.
        let theirs: Vec<CandleQ8_1> = blocks
            .iter()
            .map(|b| CandleQ8_1 {
                d: f16::from_f32(b.d),
                s: f16::from_f32(b.s),
                qs: b.qs,
            })
            .collect();
        // SAFETY: `CandleQ8_1` has `BlockQ8_1`'s layout (asserted above).
        let theirs: &[BlockQ8_1] = unsafe {
            std::slice::from_raw_parts(theirs.as_ptr().cast::<BlockQ8_1>(), theirs.len())
        };
        let per_row = cols / BLOCK;
        for (row, file_row) in m
            .blocks
            .chunks_exact(per_row)
            .zip(file.chunks_exact(per_row))
        {
            let expected = <BlockQ4_1 as GgmlType>::vec_dot(cols, file_row, theirs);
            let close = |got: f32| (got - expected).abs() < 1e-4 * (1.0 + expected.abs());
            assert!(close(scalar_dot(row, &blocks)), "scalar vs {expected}");
            assert!(close(kernel()(row, &blocks)), "chosen kernel vs {expected}");
            #[cfg(target_arch = "x86_64")]
            if std::arch::is_x86_feature_detected!("avx2")
                && std::arch::is_x86_feature_detected!("fma")
            {
                // SAFETY: the processor has AVX2 and FMA (checked above).
                let simd = unsafe { avx2::dot(row, &blocks) };
                assert!(close(simd), "AVX2 {simd} vs {expected}");
            }
        }
    }
}

//! Products with Q8_0 weights (SmolLM2's token embedding, which is also its output projection: a
//! fifth of a generated token's time), repacked at load with the f16 scale widened to f32 as in
//! `q4_1`; the arithmetic is candle's (activations quantized to Q8_0, per block Σ x·y · d_x · d_y).
//! The same table serves the embedding lookup, so it is held once.

use candle_core::quantized::k_quants::BlockQ8_0;
use candle_core::quantized::{GgmlDType, QTensor};
use candle_core::{Device, Result, Tensor};
use half::f16;

use super::q4_1::tiled_product;
use super::repack::{self, repack, BLOCK};

/// Same layout as candle's `BlockQ8_0` (whose fields are private): scale, 32 quants.
#[repr(C)]
struct FileBlock {
    d: f16,
    qs: [i8; BLOCK],
}

const _: () = assert!(std::mem::size_of::<FileBlock>() == std::mem::size_of::<BlockQ8_0>());
const _: () = assert!(std::mem::align_of::<FileBlock>() == std::mem::align_of::<BlockQ8_0>());

// SAFETY: `repr(C)` with BlockQ8_0's field order (f16, [i8; 32]); size and alignment above.
unsafe impl repack::FileBlock for FileBlock {
    const DTYPE: GgmlDType = GgmlDType::Q8_0;
}

/// 32 values d · q (weights as stored; activations with d rounded to f16 as candle stores it).
#[repr(C)]
#[derive(Clone, Copy)]
pub(super) struct Q8_0 {
    d: f32,
    qs: [i8; BLOCK],
}

const EMPTY: Q8_0 = Q8_0 {
    d: 0.0,
    qs: [0; BLOCK],
};

/// A Q8_0 matrix of `rows` outputs × `cols` inputs (GGUF order: one row of blocks per output).
pub struct Q80Matrix {
    blocks: Vec<Q8_0>,
    rows: usize,
    cols: usize,
}

impl Q80Matrix {
    /// None unless `weight` is a Q8_0 matrix whose rows are whole blocks.
    pub fn new(weight: &QTensor) -> Result<Option<Self>> {
        let repacked = repack::<FileBlock, _>(weight, |b| Q8_0 {
            d: b.d.to_f32(),
            qs: b.qs,
        })?;
        Ok(repacked.map(|(blocks, rows, cols)| Self { blocks, rows, cols }))
    }

    /// The rows `ids` as f32: (ids, cols).
    pub fn embedding(&self, ids: &[u32]) -> Result<Tensor> {
        let per_row = self.cols / BLOCK;
        let mut out = Vec::with_capacity(ids.len() * self.cols);
        for &id in ids {
            let id = id as usize;
            if id >= self.rows {
                candle_core::bail!("token {id} is outside the {} of the vocabulary", self.rows);
            }
            for block in &self.blocks[id * per_row..(id + 1) * per_row] {
                out.extend(block.qs.iter().map(|&q| f32::from(q) * block.d));
            }
        }
        Tensor::from_vec(out, (ids.len(), self.cols), &Device::Cpu)
    }

    /// `x` (…, cols) → (…, rows).
    pub fn forward(&self, x: &Tensor) -> Result<Tensor> {
        let mut shape = x.dims().to_vec();
        let inputs = x.flatten_all()?.to_vec1::<f32>()?;
        let per_row = self.cols / BLOCK;
        let mut quantized = vec![EMPTY; inputs.len() / BLOCK];
        for (x, block) in inputs.chunks_exact(BLOCK).zip(quantized.iter_mut()) {
            quantize_block(x, block);
        }
        let out = tiled_product(&self.blocks, per_row, self.rows, &quantized, kernel());
        if let Some(last) = shape.last_mut() {
            *last = self.rows;
        }
        Tensor::from_vec(out, shape, &Device::Cpu)
    }
}

/// candle's `BlockQ8_0::from_float`: d = max|x| / 127, q = round(x / d) (halves away from zero).
fn quantize_block(x: &[f32], block: &mut Q8_0) {
    let amax = x.iter().fold(0f32, |m, v| m.max(v.abs()));
    let d = amax / 127.0;
    let id = if d != 0.0 { 1.0 / d } else { 0.0 };
    for (q, v) in block.qs.iter_mut().zip(x) {
        *q = (v * id).round() as i8;
    }
    block.d = f16::from_f32(d).to_f32();
}

type Kernel = fn(&[Q8_0], &[Q8_0]) -> f32;

/// The fastest kernel this build and processor have.
fn kernel() -> Kernel {
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    {
        simd128::dot
    }
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    {
        // As in `q4_1`: AVX2 wherever the processor has it, tests included.
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma")
        {
            // SAFETY: the processor has AVX2 and FMA (checked just above).
            return |weights, activations| unsafe { avx2::dot(weights, activations) };
        }
        scalar_dot
    }
}

/// candle's `vec_dot_unopt` for Q8_0.
#[cfg_attr(
    all(target_arch = "wasm32", target_feature = "simd128"),
    allow(dead_code)
)]
fn scalar_dot(weights: &[Q8_0], activations: &[Q8_0]) -> f32 {
    let mut sum = 0f32;
    for (x, y) in weights.iter().zip(activations) {
        let sumi: i32 =
            x.qs.iter()
                .zip(&y.qs)
                .map(|(&a, &b)| i32::from(a) * i32::from(b))
                .sum();
        sum += sumi as f32 * x.d * y.d;
    }
    sum
}

#[cfg(target_arch = "x86_64")]
mod avx2 {
    //! candle's (llama.cpp's) AVX2 `vec_dot_q8_0_q8_0`: |x| · sign(y, x) with `maddubs`.

    use std::arch::x86_64::*;

    use super::Q8_0;

    /// # Safety
    /// The processor must have AVX2 and FMA.
    #[target_feature(enable = "avx2,fma")]
    pub unsafe fn dot(xs: &[Q8_0], ys: &[Q8_0]) -> f32 {
        let mut acc = _mm256_setzero_ps();
        let ones = _mm256_set1_epi16(1);
        for (x, y) in xs.iter().zip(ys) {
            // SAFETY: 32 readable bytes each; unaligned loads.
            let (bx, by) = unsafe {
                (
                    _mm256_loadu_si256(x.qs.as_ptr().cast::<__m256i>()),
                    _mm256_loadu_si256(y.qs.as_ptr().cast::<__m256i>()),
                )
            };
            let pairs = _mm256_maddubs_epi16(_mm256_sign_epi8(bx, bx), _mm256_sign_epi8(by, bx));
            let sums = _mm256_cvtepi32_ps(_mm256_madd_epi16(pairs, ones));
            acc = _mm256_fmadd_ps(_mm256_set1_ps(x.d * y.d), sums, acc);
        }
        let half = _mm_add_ps(_mm256_castps256_ps128(acc), _mm256_extractf128_ps(acc, 1));
        let quarter = _mm_add_ps(half, _mm_movehl_ps(half, half));
        let one = _mm_add_ss(quarter, _mm_movehdup_ps(quarter));
        _mm_cvtss_f32(one)
    }
}

/// The page's kernel: 8-bit products widened to 16 bits (`i16x8.extmul`), pairs summed into 32
/// bits, scaled and accumulated in four f32 lanes.
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod simd128 {
    use std::arch::wasm32::*;

    use super::Q8_0;

    pub fn dot(xs: &[Q8_0], ys: &[Q8_0]) -> f32 {
        let mut acc = f32x4_splat(0.0);
        for (x, y) in xs.iter().zip(ys) {
            // SAFETY: 32 readable bytes each; wasm loads need no alignment.
            let (x0, x1, y0, y1) = unsafe {
                (
                    v128_load(x.qs.as_ptr().cast::<v128>()),
                    v128_load(x.qs.as_ptr().add(16).cast::<v128>()),
                    v128_load(y.qs.as_ptr().cast::<v128>()),
                    v128_load(y.qs.as_ptr().add(16).cast::<v128>()),
                )
            };
            // Each product fits 16 bits (|127 · 127|), a pair of them 32.
            let sums = i32x4_add(
                i32x4_add(
                    i32x4_extadd_pairwise_i16x8(i16x8_extmul_low_i8x16(x0, y0)),
                    i32x4_extadd_pairwise_i16x8(i16x8_extmul_high_i8x16(x0, y0)),
                ),
                i32x4_add(
                    i32x4_extadd_pairwise_i16x8(i16x8_extmul_low_i8x16(x1, y1)),
                    i32x4_extadd_pairwise_i16x8(i16x8_extmul_high_i8x16(x1, y1)),
                ),
            );
            acc = f32x4_add(
                acc,
                f32x4_mul(f32x4_convert_i32x4(sums), f32x4_splat(x.d * y.d)),
            );
        }
        f32x4_extract_lane::<0>(acc)
            + f32x4_extract_lane::<1>(acc)
            + f32x4_extract_lane::<2>(acc)
            + f32x4_extract_lane::<3>(acc)
    }
}

#[cfg(test)]
mod tests {
    use candle_core::quantized::k_quants::GgmlType;

    use super::*;

    fn matrix(rows: usize, cols: usize) -> (QTensor, Vec<f32>) {
        let w: Vec<f32> = (0..rows * cols)
            .map(|i| ((i * 7919 % 113) as f32 / 113.0 - 0.4) * 0.1)
            .collect();
        let w = Tensor::from_vec(w, (rows, cols), &Device::Cpu).expect("tensor");
        let q = QTensor::quantize(&w, GgmlDType::Q8_0).expect("quantized");
        let x: Vec<f32> = (0..2 * cols)
            .map(|i| ((i * 104729 % 97) as f32 / 97.0 - 0.5) * 3.0)
            .collect();
        (q, x)
    }

    #[test]
    fn products_and_rows_are_candles() {
        let (rows, cols) = (19, 96);
        let (q, x) = matrix(rows, cols);
        let m = Q80Matrix::new(&q).expect("storage").expect("a Q8_0 matrix");
        let q = std::sync::Arc::new(q);
        let input = Tensor::from_vec(x.clone(), (1, 2, cols), &Device::Cpu).expect("x");
        let ours = m
            .forward(&input)
            .and_then(|t| t.flatten_all())
            .and_then(|t| t.to_vec1::<f32>())
            .expect("ours");
        let theirs = candle_core::quantized::QMatMul::from_arc(std::sync::Arc::clone(&q))
            .and_then(|mm| candle_core::Module::forward(&mm, &input))
            .and_then(|t| t.flatten_all())
            .and_then(|t| t.to_vec1::<f32>())
            .expect("candle's");
        for (a, b) in ours.iter().zip(&theirs) {
            assert!((a - b).abs() < 1e-4 * (1.0 + b.abs()), "{a} vs {b}");
        }
        let ids = Tensor::new(&[3u32, 0, 18], &Device::Cpu).expect("ids");
        assert_eq!(
            m.embedding(&[3, 0, 18])
                .and_then(|t| t.to_vec2::<f32>())
                .expect("ours"),
            q.embedding(&ids)
                .and_then(|t| t.to_vec2::<f32>())
                .expect("candle's")
        );
        assert!(m.embedding(&[19]).is_err());
    }

    #[test]
    fn every_kernel_is_candles_dot_product() {
        let (rows, cols) = (3, 256);
        let (q, x) = matrix(rows, cols);
        let m = Q80Matrix::new(&q).expect("storage").expect("a Q8_0 matrix");
        let per_row = cols / BLOCK;
        let mut ours = vec![EMPTY; per_row];
        for (xs, block) in x[..cols].chunks_exact(BLOCK).zip(ours.iter_mut()) {
            quantize_block(xs, block);
        }
        let mut theirs = vec![BlockQ8_0::zeros(); per_row];
        BlockQ8_0::from_float(&x[..cols], &mut theirs);
        let data = q.data().expect("bytes");
        // SAFETY: as in `Q80Matrix::new`.
        let file: &[BlockQ8_0] = unsafe {
            std::slice::from_raw_parts(data.as_ptr().cast::<BlockQ8_0>(), rows * per_row)
        };
        for (row, file_row) in m
            .blocks
            .chunks_exact(per_row)
            .zip(file.chunks_exact(per_row))
        {
            let expected = BlockQ8_0::vec_dot_unopt(cols, file_row, &theirs);
            let close = |got: f32| (got - expected).abs() < 1e-4 * (1.0 + expected.abs());
            assert!(close(scalar_dot(row, &ours)), "scalar vs {expected}");
            assert!(close(kernel()(row, &ours)), "chosen kernel vs {expected}");
            #[cfg(target_arch = "x86_64")]
            if std::arch::is_x86_feature_detected!("avx2")
                && std::arch::is_x86_feature_detected!("fma")
            {
                // SAFETY: the processor has AVX2 and FMA (checked above).
                let simd = unsafe { avx2::dot(row, &ours) };
                assert!(close(simd), "AVX2 {simd} vs {expected}");
            }
        }
    }
}

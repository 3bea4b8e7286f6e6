//! Reading a quantised weight's blocks out of candle's storage, once, at load, so `q4_1` and
//! `q8_0` can repack them in the layout their kernels want. candle keeps the block types' fields
//! private, so each format declares a block of the same layout (`FileBlock`) and reads it here.

use candle_core::quantized::{GgmlDType, QTensor};
use candle_core::Result;

/// Values per block in both formats.
pub const BLOCK: usize = 32;

/// A quantised block as candle stores it.
///
/// # Safety
/// The implementing type must be `repr(C)` with exactly the size, alignment and field layout of
/// candle's block type for `DTYPE` (each implementation pins size and alignment at compile time).
pub unsafe trait FileBlock: Sized {
    const DTYPE: GgmlDType;
}

/// The blocks of a (rows, cols) matrix of `B`'s format, each turned into a `T` by `convert`, with
/// rows and cols; None when `weight` is not such a matrix with whole blocks per row (the caller
/// leaves it to candle's own kernels then).
pub fn repack<B: FileBlock, T>(
    weight: &QTensor,
    convert: impl Fn(&B) -> T,
) -> Result<Option<(Vec<T>, usize, usize)>> {
    let Ok((rows, cols)) = weight.shape().dims2() else {
        return Ok(None);
    };
    if weight.dtype() != B::DTYPE || !cols.is_multiple_of(BLOCK) {
        return Ok(None);
    }
    let count = rows * cols / BLOCK;
    let data = weight.data()?;
    if data.len() != count * std::mem::size_of::<B>()
        || data.as_ptr().align_offset(std::mem::align_of::<B>()) != 0
    {
        candle_core::bail!("unexpected {:?} storage", B::DTYPE);
    }
    // SAFETY: candle keeps a quantised tensor's storage as a `Vec` of its `repr(C)` block type,
    // whose layout `B` repeats (the trait's contract); length and alignment are checked above.
    let file: &[B] = unsafe { std::slice::from_raw_parts(data.as_ptr().cast::<B>(), count) };
    Ok(Some((file.iter().map(convert).collect(), rows, cols)))
}

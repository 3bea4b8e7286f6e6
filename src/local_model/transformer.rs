//! The decoder-only transformer of llama-family and Qwen2 models, on candle's quantized matrix
//! products, with a key-value cache the caller can cut back to a shared prompt prefix.
//!
//! candle-transformers' `quantized_llama` / `quantized_qwen2` keep their cache private and can only
//! clear it, so a persona's prompt would be recomputed for every question; this forward pass keeps
//! the cache in the open ([`Transformer::truncate`]) and is otherwise the same arithmetic.

use std::io::{Read, Seek};
use std::sync::Arc;

use candle_core::quantized::{QMatMul, QTensor};
use candle_core::{DType, Device, Module, Tensor};

use super::error::LocalModelError;
use super::gguf::Header;
use super::q4_1::Q41Matrix;
use super::q8_0::Q80Matrix;

/// Positions a conversation may take at most, whatever the model allows: survey prompts are short,
/// and the rotation tables and cache grow with it (Llama 3.2 claims 131,072).
pub const MAX_CONTEXT: usize = 8192;

/// How queries and keys are rotated: llama GGUFs store q/k permuted for pairs of neighbours
/// (GGML's "normal" rope), Qwen2 rotates the two halves of each head ("neox").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum RopeStyle {
    Interleaved,
    Halves,
}

#[derive(Clone, Debug)]
pub struct Config {
    pub layers: usize,
    pub hidden: usize,
    pub heads: usize,
    pub kv_heads: usize,
    pub head_dim: usize,
    pub context_length: usize,
    pub rms_eps: f32,
    rope_base: f32,
    rope: RopeStyle,
}

impl Config {
    pub fn from_header(header: &Header, arch: &str) -> Result<Self, LocalModelError> {
        let hidden = header.required(arch, "embedding_length")?;
        let heads = header.required(arch, "attention.head_count")?;
        let kv_heads = header
            .integer(&format!("{arch}.attention.head_count_kv"))
            .map_or(heads, |v| v as usize);
        if heads == 0
            || kv_heads == 0
            || !hidden.is_multiple_of(heads)
            || !heads.is_multiple_of(kv_heads)
        {
            return Err(LocalModelError::Malformed(format!(
                "inconsistent attention shape: {hidden} wide, {heads} heads, {kv_heads} key-value heads"
            )));
        }
        Ok(Self {
            layers: header.required(arch, "block_count")?,
            hidden,
            heads,
            kv_heads,
            head_dim: hidden / heads,
            context_length: header.required(arch, "context_length")?.min(MAX_CONTEXT),
            rms_eps: header
                .float(&format!("{arch}.attention.layer_norm_rms_epsilon"))
                .unwrap_or(1e-5) as f32,
            rope_base: header
                .float(&format!("{arch}.rope.freq_base"))
                .unwrap_or(10_000.0) as f32,
            rope: if arch == "qwen2" {
                RopeStyle::Halves
            } else {
                RopeStyle::Interleaved
            },
        })
    }

    /// Bytes of keys and values kept per token: 2 × 4 bytes per layer, head and dimension
    /// (counted in 64 bits, saturating: a header may declare any sizes).
    pub fn kv_bytes_per_token(&self) -> u64 {
        [self.layers, self.kv_heads, self.head_dim]
            .iter()
            .fold(2 * 4, |bytes: u64, &n| bytes.saturating_mul(n as u64))
    }
}

/// A weight matrix: Q4_1 the llama.cpp way (see `q4_1`), Q8_0 repacked (see `q8_0`), anything
/// else through candle.
enum Weight {
    Q41(Q41Matrix),
    Q80(Arc<Q80Matrix>),
    Candle(QMatMul),
}

impl Weight {
    fn new(tensor: QTensor) -> candle_core::Result<Self> {
        if let Some(m) = Q41Matrix::new(&tensor)? {
            return Ok(Self::Q41(m));
        }
        if let Some(m) = Q80Matrix::new(&tensor)? {
            return Ok(Self::Q80(Arc::new(m)));
        }
        Ok(Self::Candle(QMatMul::from_arc(Arc::new(tensor))?))
    }

    fn forward(&self, x: &Tensor) -> candle_core::Result<Tensor> {
        match self {
            Self::Q41(m) => m.forward(x),
            Self::Q80(m) => m.forward(x),
            Self::Candle(m) => m.forward(x),
        }
    }
}

/// The token embedding table. Tied to the output (SmolLM2, small Qwen2.5), it is held once.
enum Embedding {
    Q80(Arc<Q80Matrix>),
    Candle(Arc<QTensor>),
}

impl Embedding {
    /// (tokens, hidden) as f32.
    fn rows(&self, tokens: &[u32]) -> candle_core::Result<Tensor> {
        match self {
            Self::Q80(m) => m.embedding(tokens),
            Self::Candle(t) => t.embedding(&Tensor::new(tokens, &Device::Cpu)?),
        }
    }

    /// The output projection that shares this table.
    fn tied_output(&self) -> candle_core::Result<Weight> {
        Ok(match self {
            Self::Q80(m) => Weight::Q80(Arc::clone(m)),
            Self::Candle(t) => Weight::Candle(QMatMul::from_arc(Arc::clone(t))?),
        })
    }
}

struct Linear {
    weight: Weight,
    bias: Option<Tensor>,
}

impl Linear {
    fn forward(&self, x: &Tensor) -> candle_core::Result<Tensor> {
        let y = self.weight.forward(x)?;
        match &self.bias {
            Some(b) => y.broadcast_add(b),
            None => Ok(y),
        }
    }
}

struct Layer {
    attn_norm: Tensor,
    q: Linear,
    k: Linear,
    v: Linear,
    o: Linear,
    ffn_norm: Tensor,
    gate: Weight,
    up: Weight,
    down: Weight,
    /// Keys and values of every position so far: (1, kv_heads, positions, head_dim).
    cache: Option<(Tensor, Tensor)>,
}

/// The model's weights and its cache.
pub struct Transformer {
    pub config: Config,
    embedding: Embedding,
    layers: Vec<Layer>,
    output_norm: Tensor,
    output: Weight,
    /// cos and sin of every position's rotation angles: (context, head_dim / 2).
    cos: Tensor,
    sin: Tensor,
    /// Positions held in the cache.
    cached: usize,
}

struct Loader<'a, R> {
    header: &'a Header,
    reader: &'a mut R,
}

impl<R: Read + Seek> Loader<'_, R> {
    fn has(&self, name: &str) -> bool {
        self.header.content.tensor_infos.contains_key(name)
    }

    fn qtensor(&mut self, name: &str) -> Result<QTensor, LocalModelError> {
        if !self.has(name) {
            return Err(LocalModelError::Malformed(format!(
                "the tensor {name} is missing"
            )));
        }
        self.header
            .content
            .tensor(self.reader, name, &Device::Cpu)
            .map_err(|e| LocalModelError::Malformed(format!("the tensor {name}: {e}")))
    }

    fn matmul(&mut self, name: &str) -> Result<Weight, LocalModelError> {
        Ok(Weight::new(self.qtensor(name)?)?)
    }

    /// Small vectors (norms, biases) are kept as f32.
    fn vector(&mut self, name: &str) -> Result<Tensor, LocalModelError> {
        Ok(self.qtensor(name)?.dequantize(&Device::Cpu)?)
    }

    fn linear(&mut self, prefix: &str) -> Result<Linear, LocalModelError> {
        let bias_name = format!("{prefix}.bias");
        Ok(Linear {
            weight: self.matmul(&format!("{prefix}.weight"))?,
            bias: if self.has(&bias_name) {
                Some(self.vector(&bias_name)?)
            } else {
                None
            },
        })
    }
}

impl Transformer {
    /// Reads the weights one tensor at a time (the file is never held whole).
    pub fn load<R: Read + Seek>(
        header: &Header,
        reader: &mut R,
        config: Config,
    ) -> Result<Self, LocalModelError> {
        let mut loader = Loader { header, reader };
        // The file's copy of the table (the largest tensor) goes as soon as it is repacked, so the
        // layers read next reuse its memory: held to the end, it raised the page's peak by its size.
        let embedding = {
            let table = loader.qtensor("token_embd.weight")?;
            match Q80Matrix::new(&table)? {
                Some(m) => Embedding::Q80(Arc::new(m)),
                None => Embedding::Candle(Arc::new(table)),
            }
        };
        let output = if loader.has("output.weight") {
            loader.matmul("output.weight")?
        } else {
            embedding.tied_output()?
        };
        let mut layers = Vec::with_capacity(config.layers);
        for i in 0..config.layers {
            let p = format!("blk.{i}");
            layers.push(Layer {
                attn_norm: loader.vector(&format!("{p}.attn_norm.weight"))?,
                q: loader.linear(&format!("{p}.attn_q"))?,
                k: loader.linear(&format!("{p}.attn_k"))?,
                v: loader.linear(&format!("{p}.attn_v"))?,
                o: loader.linear(&format!("{p}.attn_output"))?,
                ffn_norm: loader.vector(&format!("{p}.ffn_norm.weight"))?,
                gate: loader.matmul(&format!("{p}.ffn_gate.weight"))?,
                up: loader.matmul(&format!("{p}.ffn_up.weight"))?,
                down: loader.matmul(&format!("{p}.ffn_down.weight"))?,
                cache: None,
            });
        }
        let output_norm = loader.vector("output_norm.weight")?;
        // Llama 3.x stores its long-context frequency scaling as per-dimension divisors.
        let freq_factors = if loader.has("rope_freqs.weight") {
            Some(loader.vector("rope_freqs.weight")?.to_vec1::<f32>()?)
        } else {
            None
        };
        let (cos, sin) = rotations(&config, freq_factors.as_deref())?;
        Ok(Self {
            config,
            embedding,
            layers,
            output_norm,
            output,
            cos,
            sin,
            cached: 0,
        })
    }

    /// Positions held in the cache.
    pub fn cached(&self) -> usize {
        self.cached
    }

    /// Forgets every cached position from `keep` on.
    pub fn truncate(&mut self, keep: usize) -> Result<(), LocalModelError> {
        if keep >= self.cached {
            return Ok(());
        }
        for layer in &mut self.layers {
            layer.cache = match (keep, layer.cache.take()) {
                (0, _) | (_, None) => None,
                (_, Some((k, v))) => Some((k.narrow(2, 0, keep)?, v.narrow(2, 0, keep)?)),
            };
        }
        self.cached = keep;
        Ok(())
    }

    /// Runs `tokens` after the cached positions, caches them, and returns the logits that
    /// predict the token after the last one (vocabulary-long, f32).
    pub fn forward(&mut self, tokens: &[u32]) -> Result<Vec<f32>, LocalModelError> {
        let n = tokens.len();
        if n == 0 {
            return Err(LocalModelError::BadRequest("nothing to read".into()));
        }
        let start = self.cached;
        if start + n > self.config.context_length {
            return Err(LocalModelError::PromptTooLong {
                tokens: start + n,
                context: self.config.context_length,
            });
        }
        let c = &self.config;
        let mut x = self.embedding.rows(tokens)?.unsqueeze(0)?;
        let cos = self.cos.narrow(0, start, n)?;
        let sin = self.sin.narrow(0, start, n)?;
        let mask = causal_mask(n, start)?;
        let scale = 1.0 / (c.head_dim as f64).sqrt();
        for layer in &mut self.layers {
            let h = candle_nn::ops::rms_norm(&x, &layer.attn_norm, c.rms_eps)?;
            let split = |t: Tensor, heads: usize| -> candle_core::Result<Tensor> {
                t.reshape((1, n, heads, c.head_dim))?
                    .transpose(1, 2)?
                    .contiguous()
            };
            let q = split(layer.q.forward(&h)?, c.heads)?;
            let k = split(layer.k.forward(&h)?, c.kv_heads)?;
            let v = split(layer.v.forward(&h)?, c.kv_heads)?;
            let (q, k) = match c.rope {
                RopeStyle::Interleaved => (
                    candle_nn::rotary_emb::rope_i(&q, &cos, &sin)?,
                    candle_nn::rotary_emb::rope_i(&k, &cos, &sin)?,
                ),
                RopeStyle::Halves => (
                    candle_nn::rotary_emb::rope(&q, &cos, &sin)?,
                    candle_nn::rotary_emb::rope(&k, &cos, &sin)?,
                ),
            };
            // llama.cpp keeps keys and values in f16 and rounds queries and attention weights to
            // f16 for its products; doing the same keeps log-probabilities within a few
            // hundredths of a nat of it instead of a few tenths.
            let (q, k, v) = (
                to_f16_precision(&q)?,
                to_f16_precision(&k)?,
                to_f16_precision(&v)?,
            );
            let (k, v) = match layer.cache.take() {
                Some((pk, pv)) => (Tensor::cat(&[&pk, &k], 2)?, Tensor::cat(&[&pv, &v], 2)?),
                None => (k, v),
            };
            layer.cache = Some((k.clone(), v.clone()));
            let total = start + n;
            // Grouped-query attention without copying keys: the query heads sharing a key-value
            // head are stacked as extra rows of that head.
            let group = c.heads / c.kv_heads;
            let q = q.reshape((1, c.kv_heads, group * n, c.head_dim))?;
            let scores = (q.matmul(&k.t()?)? * scale)?;
            let scores = match &mask {
                Some(m) => scores
                    .reshape((1, c.heads, n, total))?
                    .broadcast_add(m)?
                    .reshape((1, c.kv_heads, group * n, total))?,
                None => scores,
            };
            let weights = to_f16_precision(&candle_nn::ops::softmax_last_dim(&scores)?)?;
            let attended = weights
                .matmul(&v)?
                .reshape((1, c.heads, n, c.head_dim))?
                .transpose(1, 2)?
                .reshape((1, n, c.hidden))?;
            x = (x + layer.o.forward(&attended)?)?;
            let h = candle_nn::ops::rms_norm(&x, &layer.ffn_norm, c.rms_eps)?;
            let gated =
                (candle_nn::ops::silu(&layer.gate.forward(&h)?)? * layer.up.forward(&h)?)?;
            x = (x + layer.down.forward(&gated)?)?;
        }
        self.cached = start + n;
        let last = x.narrow(1, n - 1, 1)?;
        let last = candle_nn::ops::rms_norm(&last, &self.output_norm, self.config.rms_eps)?;
        let logits = self.output.forward(&last)?;
        Ok(logits
            .flatten_all()?
            .to_dtype(DType::F32)?
            .to_vec1::<f32>()?)
    }
}

/// `t` with each value rounded to the nearest f16.
fn to_f16_precision(t: &Tensor) -> candle_core::Result<Tensor> {
    t.to_dtype(DType::F16)?.to_dtype(DType::F32)
}

/// 0 where query i (at position `start + i`) may look, −∞ after it: (n, start + n), or None for
/// a single query, which may look everywhere.
fn causal_mask(n: usize, start: usize) -> candle_core::Result<Option<Tensor>> {
    if n == 1 {
        return Ok(None);
    }
    let total = start + n;
    let values: Vec<f32> = (0..n)
        .flat_map(|i| {
            (0..total).map(move |j| {
                if j > start + i {
                    f32::NEG_INFINITY
                } else {
                    0.0
                }
            })
        })
        .collect();
    Tensor::from_vec(values, (n, total), &Device::Cpu).map(Some)
}

/// cos and sin of each position's angle per pair of dimensions.
fn rotations(config: &Config, factors: Option<&[f32]>) -> candle_core::Result<(Tensor, Tensor)> {
    let half = config.head_dim / 2;
    let inverse: Vec<f32> = (0..half)
        .map(|i| {
            let f = 1.0
                / config
                    .rope_base
                    .powf(2.0 * i as f32 / config.head_dim as f32);
            f / factors.and_then(|fs| fs.get(i)).copied().unwrap_or(1.0)
        })
        .collect();
    let inverse = Tensor::from_vec(inverse, (1, half), &Device::Cpu)?;
    let positions = Tensor::arange(0u32, config.context_length as u32, &Device::Cpu)?
        .to_dtype(DType::F32)?
        .reshape((config.context_length, 1))?;
    let angles = positions.broadcast_mul(&inverse)?;
    Ok((angles.cos()?, angles.sin()?))
}

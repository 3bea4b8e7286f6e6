//! Reading a GGUF file's header: the magic, the metadata, the tensor table, and the checks that
//! turn a wrong, truncated or too large file into a clear error before any weight is read.

use std::collections::HashMap;
use std::io::{Read, Seek, SeekFrom};

use candle_core::quantized::gguf_file::{Content, TensorInfo, Value};
use serde::{Deserialize, Serialize};

use super::error::LocalModelError;

/// The architectures the forward pass implements (`general.architecture`).
pub const SUPPORTED_ARCHITECTURES: &[&str] = &["llama", "qwen2"];

/// What a loaded model is, for the page and the command line to show.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ModelInfo {
    /// `general.name`, else `general.basename`, else "local model".
    pub name: String,
    /// `general.architecture`: `llama` or `qwen2`.
    pub architecture: String,
    /// Tokens the model reads at most (prompt + answer).
    pub context_length: usize,
    /// Weights, counted over every tensor.
    pub parameters: u64,
    /// The quantisation holding most of the weights, e.g. `Q4_1`.
    pub quantisation: String,
    pub file_bytes: u64,
    /// Whether the file carries `tokenizer.chat_template` (else a plain ChatML template is used).
    pub chat_template: bool,
}

/// The parsed header plus the file's length.
pub struct Header {
    pub content: Content,
    pub file_bytes: u64,
}

impl Header {
    /// Reads the header; checks the magic and that the file holds every tensor it lists.
    pub fn read<R: Read + Seek>(reader: &mut R) -> Result<Self, LocalModelError> {
        let file_bytes = reader
            .seek(SeekFrom::End(0))
            .map_err(|e| LocalModelError::Malformed(e.to_string()))?;
        reader
            .seek(SeekFrom::Start(0))
            .map_err(|e| LocalModelError::Malformed(e.to_string()))?;
        let mut magic = [0u8; 4];
        let got = read_up_to(reader, &mut magic);
        if &magic[..got] != b"GGUF" {
            return Err(LocalModelError::NotGguf {
                found: String::from_utf8_lossy(&magic[..got]).into_owned(),
            });
        }
        reader
            .seek(SeekFrom::Start(0))
            .map_err(|e| LocalModelError::Malformed(e.to_string()))?;
        let content = Content::read(reader).map_err(|e| {
            LocalModelError::Malformed(format!(
                "its header cannot be read ({e}); the file has {file_bytes} bytes, perhaps an interrupted download"
            ))
        })?;
        let expected = content
            .tensor_infos
            .values()
            .map(|t| content.tensor_data_offset + t.offset + stored_bytes(t))
            .max()
            .unwrap_or(content.tensor_data_offset);
        if file_bytes < expected {
            return Err(LocalModelError::Truncated {
                expected,
                got: file_bytes,
            });
        }
        Ok(Self {
            content,
            file_bytes,
        })
    }

    pub fn metadata(&self) -> &HashMap<String, Value> {
        &self.content.metadata
    }

    pub fn string(&self, key: &str) -> Option<&str> {
        self.metadata()
            .get(key)
            .and_then(|v| v.to_string().ok())
            .map(String::as_str)
    }

    /// A numeric value of any integer type.
    pub fn integer(&self, key: &str) -> Option<u64> {
        let value = self.metadata().get(key)?;
        value
            .to_u64()
            .ok()
            .or_else(|| value.to_u32().ok().map(u64::from))
            .or_else(|| value.to_i32().ok().and_then(|v| u64::try_from(v).ok()))
            .or_else(|| value.to_i64().ok().and_then(|v| u64::try_from(v).ok()))
            .or_else(|| value.to_u16().ok().map(u64::from))
            .or_else(|| value.to_u8().ok().map(u64::from))
    }

    pub fn float(&self, key: &str) -> Option<f64> {
        let value = self.metadata().get(key)?;
        value
            .to_f32()
            .ok()
            .map(f64::from)
            .or_else(|| value.to_f64().ok())
    }

    /// A required integer of the architecture (`{arch}.{key}`).
    pub fn required(&self, arch: &str, key: &str) -> Result<usize, LocalModelError> {
        let full = format!("{arch}.{key}");
        self.integer(&full)
            .map(|v| v as usize)
            .ok_or_else(|| LocalModelError::Malformed(format!("the metadata lacks {full}")))
    }

    /// The architecture, checked against the supported ones.
    pub fn architecture(&self) -> Result<String, LocalModelError> {
        let arch = self.string("general.architecture").ok_or_else(|| {
            LocalModelError::Malformed("the metadata lacks general.architecture".into())
        })?;
        if !SUPPORTED_ARCHITECTURES.contains(&arch) {
            return Err(LocalModelError::UnsupportedArchitecture {
                architecture: arch.to_string(),
            });
        }
        Ok(arch.to_string())
    }

    /// Bytes of all tensors as stored (and as held in memory once loaded).
    pub fn tensor_bytes(&self) -> u64 {
        self.content.tensor_infos.values().map(stored_bytes).sum()
    }

    pub fn info(&self, architecture: &str, context_length: usize) -> ModelInfo {
        let mut by_dtype: HashMap<String, u64> = HashMap::new();
        for t in self.content.tensor_infos.values() {
            *by_dtype.entry(format!("{:?}", t.ggml_dtype)).or_default() += stored_bytes(t);
        }
        let quantisation = by_dtype
            .into_iter()
            .max_by(|a, b| a.1.cmp(&b.1).then_with(|| b.0.cmp(&a.0)))
            .map(|(name, _)| name)
            .unwrap_or_default();
        ModelInfo {
            name: self
                .string("general.name")
                .or_else(|| self.string("general.basename"))
                .unwrap_or("local model")
                .to_string(),
            architecture: architecture.to_string(),
            context_length,
            parameters: self.content.tensor_infos.values().map(elements).sum(),
            quantisation,
            file_bytes: self.file_bytes,
            chat_template: self.string("tokenizer.chat_template").is_some(),
        }
    }
}

/// Weights in a tensor, counted in 64 bits (a large model's count overflows wasm32's usize).
fn elements(t: &TensorInfo) -> u64 {
    t.shape.dims().iter().map(|&d| d as u64).product()
}

/// Bytes of a tensor as stored (and as held in memory once loaded).
fn stored_bytes(t: &TensorInfo) -> u64 {
    elements(t) / t.ggml_dtype.block_size() as u64 * t.ggml_dtype.type_size() as u64
}

/// Reads as many bytes as are there, up to the buffer's length.
fn read_up_to<R: Read>(reader: &mut R, buf: &mut [u8]) -> usize {
    let mut filled = 0;
    while filled < buf.len() {
        match reader.read(&mut buf[filled..]) {
            Ok(0) | Err(_) => break,
            Ok(n) => filled += n,
        }
    }
    filled
}

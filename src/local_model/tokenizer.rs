//! The tokenizer, rebuilt from the GGUF metadata (`tokenizer.ggml.*`): byte-level BPE with the
//! pre-tokenizer the file names, and the special tokens the chat template writes as text.
//!
//! candle has the same builder (`quantized::tokenizer`) but only natively; this one runs in the
//! page too.

use tokenizers::decoders::byte_level::ByteLevel as ByteLevelDecoder;
use tokenizers::models::bpe::{Vocab, BPE};
use tokenizers::normalizers::unicode::NFC;
use tokenizers::pre_tokenizers::byte_level::ByteLevel;
use tokenizers::pre_tokenizers::sequence::Sequence;
use tokenizers::pre_tokenizers::split::{Split, SplitPattern};
use tokenizers::pre_tokenizers::PreTokenizerWrapper;
use tokenizers::tokenizer::SplitDelimiterBehavior;
use tokenizers::{AddedToken, Tokenizer};

use super::error::LocalModelError;
use super::gguf::Header;

const REGEX_QWEN2: &str = r"(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";
const REGEX_LLAMA3: &str = r"(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";

/// Token types in `tokenizer.ggml.token_type` that are written as text by templates but are one
/// token each (control and user-defined tokens).
const CONTROL: u32 = 3;
const USER_DEFINED: u32 = 4;

/// The tokenizer plus the ids that end an answer.
pub struct TextCodec {
    pub tokenizer: Tokenizer,
    /// End-of-generation tokens: the file's end-of-sequence token and the template's turn ends.
    pub end_ids: Vec<u32>,
    pub bos: Option<String>,
    pub eos: Option<String>,
    /// Whether the file asks for a beginning-of-sequence token before every prompt.
    pub add_bos: Option<u32>,
}

fn malformed(what: &str) -> LocalModelError {
    LocalModelError::Malformed(format!("the tokenizer: {what}"))
}

fn strings(header: &Header, key: &str) -> Result<Vec<String>, LocalModelError> {
    let values = header
        .metadata()
        .get(key)
        .and_then(|v| v.to_vec().ok())
        .ok_or_else(|| malformed(&format!("{key} is missing")))?;
    values
        .iter()
        .map(|v| {
            v.to_string()
                .cloned()
                .map_err(|_| malformed(&format!("{key} holds a non-string")))
        })
        .collect()
}

fn split(regex: &str) -> Result<PreTokenizerWrapper, LocalModelError> {
    Ok(Split::new(
        SplitPattern::Regex(regex.to_string()),
        SplitDelimiterBehavior::Isolated,
        false,
    )
    .map_err(|e| malformed(&e.to_string()))?
    .into())
}

impl TextCodec {
    pub fn from_header(header: &Header) -> Result<Self, LocalModelError> {
        let model = header.string("tokenizer.ggml.model").unwrap_or("");
        if model != "gpt2" {
            return Err(malformed(&format!(
                "the {model:?} tokenizer is not supported (only byte-level BPE, \"gpt2\")"
            )));
        }
        let tokens = strings(header, "tokenizer.ggml.tokens")?;
        let merges: Vec<(String, String)> = strings(header, "tokenizer.ggml.merges")?
            .into_iter()
            .map(|m| {
                m.split_once(' ')
                    .map(|(a, b)| (a.to_string(), b.to_string()))
                    .ok_or_else(|| malformed(&format!("the merge {m:?} is not two tokens")))
            })
            .collect::<Result<_, _>>()?;
        let vocab: Vocab = tokens
            .iter()
            .enumerate()
            .map(|(i, t)| (t.clone(), i as u32))
            .collect();
        let bpe = BPE::builder()
            .vocab_and_merges(vocab, merges)
            .build()
            .map_err(|e| malformed(&e.to_string()))?;
        let mut tokenizer = Tokenizer::new(bpe);
        // The pre-tokenizer llama.cpp uses for the file's `tokenizer.ggml.pre`.
        let pre = header.string("tokenizer.ggml.pre").unwrap_or("gpt2");
        let pre_tokenizer: PreTokenizerWrapper = match pre {
            "qwen2" => {
                tokenizer
                    .with_normalizer(Some(NFC))
                    .map_err(|e| malformed(&e.to_string()))?;
                Sequence::new(vec![
                    split(REGEX_QWEN2)?,
                    ByteLevel::new(false, false, false).into(),
                ])
                .into()
            }
            "llama3" | "llama-bpe" | "smaug-bpe" => Sequence::new(vec![
                split(REGEX_LLAMA3)?,
                ByteLevel::new(false, false, false).into(),
            ])
            .into(),
            // SmolLM: digits one by one, then GPT-2's pattern.
            "smollm" => Sequence::new(vec![
                split(r"\p{N}")?,
                ByteLevel::new(false, true, true).into(),
            ])
            .into(),
            _ => ByteLevel::new(false, true, true).into(),
        };
        tokenizer.with_pre_tokenizer(Some(pre_tokenizer));
        tokenizer.with_decoder(Some(ByteLevelDecoder::new(false, true, true)));

        let types: Vec<u32> = header
            .metadata()
            .get("tokenizer.ggml.token_type")
            .and_then(|v| v.to_vec().ok())
            .map(|vs| {
                vs.iter()
                    .map(|v| {
                        v.to_i32()
                            .map(|t| t as u32)
                            .or_else(|_| v.to_u32())
                            .unwrap_or(1)
                    })
                    .collect()
            })
            .unwrap_or_default();
        let id = |key: &str| header.integer(key).map(|v| v as u32);
        let bos_id = id("tokenizer.ggml.bos_token_id");
        let eos_id = id("tokenizer.ggml.eos_token_id");
        let mut specials: Vec<AddedToken> = types
            .iter()
            .enumerate()
            .filter(|(_, t)| matches!(**t, CONTROL | USER_DEFINED))
            .filter_map(|(i, _)| tokens.get(i))
            .map(|t| AddedToken::from(t.clone(), true))
            .collect();
        for special in [bos_id, eos_id].into_iter().flatten() {
            if let Some(t) = tokens.get(special as usize) {
                specials.push(AddedToken::from(t.clone(), true));
            }
        }
        tokenizer
            .add_special_tokens(specials)
            .map_err(|e| malformed(&e.to_string()))?;

        let turn_ends = [
            "<|im_end|>",
            "<|eot_id|>",
            "<|eom_id|>",
            "<|end_of_text|>",
            "<|endoftext|>",
            "<end_of_turn>",
        ];
        let mut end_ids: Vec<u32> = eos_id.into_iter().collect();
        end_ids.extend(
            tokens
                .iter()
                .enumerate()
                .filter(|(i, t)| types.get(*i) == Some(&CONTROL) && turn_ends.contains(&t.as_str()))
                .map(|(i, _)| i as u32),
        );
        end_ids.sort_unstable();
        end_ids.dedup();
        let add_bos = header
            .metadata()
            .get("tokenizer.ggml.add_bos_token")
            .and_then(|v| v.to_bool().ok())
            .unwrap_or(false);
        Ok(Self {
            tokenizer,
            end_ids,
            bos: bos_id.and_then(|i| tokens.get(i as usize)).cloned(),
            eos: eos_id.and_then(|i| tokens.get(i as usize)).cloned(),
            add_bos: if add_bos { bos_id } else { None },
        })
    }

    /// The ids of `text` (special tokens written as text become their ids).
    pub fn encode(&self, text: &str) -> Result<Vec<u32>, LocalModelError> {
        let encoding = self.tokenizer.encode_fast(text, false).map_err(|e| {
            LocalModelError::BadRequest(format!("the prompt cannot be tokenized: {e}"))
        })?;
        Ok(encoding.get_ids().to_vec())
    }

    /// Text of `ids`, special tokens left out.
    pub fn decode(&self, ids: &[u32]) -> String {
        self.tokenizer.decode(ids, true).unwrap_or_default()
    }

    /// One token as text, as an OpenAI-compatible server reports it in `logprobs`, and its bytes.
    pub fn piece(&self, id: u32) -> (String, Vec<u8>) {
        let text = self.tokenizer.decode(&[id], false).unwrap_or_default();
        let bytes = text.as_bytes().to_vec();
        (text, bytes)
    }
}

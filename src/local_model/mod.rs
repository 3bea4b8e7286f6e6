//! A language model run in-process: a quantised GGUF file (llama-family or Qwen2) on candle,
//! answering OpenAI chat-completions request bodies with OpenAI response bodies, so fielding treats
//! it as one more OpenAI-compatible endpoint (cache keys, answer extraction, records unchanged).
//! No browser types: the command-line tool calls it directly (`native`) and the page's worker
//! calls it with a reader over the downloaded bytes.
//!
//! - [`gguf`]: the header, its checks (not GGUF, unsupported architecture, truncated, too large)
//!   and [`ModelInfo`].
//! - [`tokenizer`]: the tokenizer rebuilt from the GGUF metadata.
//! - [`template`]: the model's own chat template (Jinja, via minijinja).
//! - [`transformer`]: the forward pass with a key-value cache that is cut back to the longest
//!   prefix a new prompt shares with the last one (a persona's system prompt is read once).
//! - [`sampling`]: greedy / temperature + top-p with a seed; log-probabilities.
//! - [`labels`]: a choice answered by scoring its option labels after the prompt (no free
//!   generation), the default for choice questions and conjoint tasks.
//! - [`request`]: the request body read and checked.

pub mod error;
pub mod gguf;
pub mod labels;
mod q4_1;
mod q8_0;
mod repack;
pub mod request;
pub mod sampling;
pub mod template;
pub mod tokenizer;
pub mod transformer;

#[cfg(not(target_arch = "wasm32"))]
pub mod native;

use std::io::{Read, Seek};

use serde_json::{json, Value};

pub use error::LocalModelError;
pub use gguf::ModelInfo;
pub use request::CompletionRequest;

use sampling::{log_softmax, top_k, Sampler};
use template::ChatTemplate;
use tokenizer::TextCodec;
use transformer::{Config, Transformer};

/// Memory the page's worker may use for a model: wasm32 addresses 4 GiB, less room for the
/// browser's own copies and the app.
#[cfg(target_arch = "wasm32")]
pub const DEFAULT_MEMORY_LIMIT: u64 = 3 * 1024 * 1024 * 1024;
/// Natively the operating system decides.
#[cfg(not(target_arch = "wasm32"))]
pub const DEFAULT_MEMORY_LIMIT: u64 = u64::MAX;

/// Tokens of key-value cache budgeted when checking that a model fits in memory.
const BUDGET_CONTEXT: u64 = 2048;

/// Prompt tokens read per forward pass, so cancellation is noticed within a long prompt.
const PREFILL_CHUNK: usize = 256;

/// A loaded model with its key-value cache. One request at a time (`&mut self`).
pub struct LocalModel {
    info: ModelInfo,
    codec: TextCodec,
    template: ChatTemplate,
    transformer: Transformer,
    /// The tokens whose keys and values the transformer holds, in order.
    cached_tokens: Vec<u32>,
    /// For requests without a seed: one stream for the model's life, so repeated unseeded
    /// samples differ.
    unseeded: u64,
    requests: u64,
}

impl LocalModel {
    /// Reads a GGUF model tensor by tensor from `reader` (the page passes a reader over the
    /// downloaded bytes, so memory holds the weights once).
    pub fn load<R: Read + Seek>(reader: &mut R) -> Result<Self, LocalModelError> {
        Self::load_with_memory_limit(reader, DEFAULT_MEMORY_LIMIT)
    }

    /// As [`LocalModel::load`], refusing a model that needs more than `limit` bytes.
    pub fn load_with_memory_limit<R: Read + Seek>(
        reader: &mut R,
        limit: u64,
    ) -> Result<Self, LocalModelError> {
        #[cfg(not(target_arch = "wasm32"))]
        native::single_thread_unless_asked();
        let header = gguf::Header::read(reader)?;
        let architecture = header.architecture()?;
        let config = Config::from_header(&header, &architecture)?;
        let needed = header
            .tensor_bytes()
            .saturating_add(BUDGET_CONTEXT.saturating_mul(config.kv_bytes_per_token()));
        if needed > limit {
            return Err(LocalModelError::TooLarge {
                needed_mb: needed.div_ceil(1 << 20),
                limit_mb: limit >> 20,
            });
        }
        let info = header.info(&architecture, config.context_length);
        let codec = TextCodec::from_header(&header)?;
        let template = ChatTemplate::new(
            header.string("tokenizer.chat_template"),
            codec.bos.clone(),
            codec.eos.clone(),
        )?;
        let transformer = Transformer::load(&header, reader, config)?;
        Ok(Self {
            info,
            codec,
            template,
            transformer,
            cached_tokens: Vec::new(),
            unseeded: 0x5EED,
            requests: 0,
        })
    }

    pub fn info(&self) -> &ModelInfo {
        &self.info
    }

    /// The prompt's tokens: the chat template applied to the messages.
    pub fn prompt_tokens(&self, request: &CompletionRequest) -> Result<Vec<u32>, LocalModelError> {
        let text = self.template.render(&request.messages)?;
        let mut ids = self.codec.encode(&text)?;
        if let Some(bos) = self.codec.add_bos {
            if !self.template.starts_with_bos(&text) {
                ids.insert(0, bos);
            }
        }
        Ok(ids)
    }

    /// Answers an OpenAI chat-completions request body with the response body an
    /// OpenAI-compatible server returns. `should_stop` is asked between tokens; when it says
    /// yes the answer is abandoned with [`LocalModelError::Cancelled`].
    pub fn chat_completion(
        &mut self,
        body: &Value,
        should_stop: &mut dyn FnMut() -> bool,
    ) -> Result<Value, LocalModelError> {
        let request = CompletionRequest::from_body(body)?;
        let prompt = self.prompt_tokens(&request)?;
        let context = self.info.context_length;
        if prompt.len() >= context {
            return Err(LocalModelError::PromptTooLong {
                tokens: prompt.len(),
                context,
            });
        }
        let room = context - prompt.len();
        let max_tokens = request.max_tokens.unwrap_or(room).min(room);
        self.requests += 1;
        let result = match &request.answer_labels {
            Some(labels) => self.choose_label(&request, &prompt, labels, should_stop),
            None => self.generate(&request, &prompt, max_tokens, should_stop),
        };
        if result.is_err() {
            // A failed or cancelled pass may leave the cache part-written: start afresh next time.
            self.forget();
        }
        let generation = result?;
        Ok(self.response_body(&request, &prompt, generation))
    }

    /// Drops the key-value cache.
    pub fn forget(&mut self) {
        let _ = self.transformer.truncate(0);
        self.cached_tokens.clear();
    }

    /// Reads `prompt` into the cache and returns the logits that predict the answer's first token
    /// and how many prompt tokens were reused from the previous request.
    fn prefill(
        &mut self,
        prompt: &[u32],
        should_stop: &mut dyn FnMut() -> bool,
    ) -> Result<(Vec<f32>, usize), LocalModelError> {
        // Reuse the cache for the prefix this prompt shares with what it holds; at least the last
        // prompt token is run again, for its logits.
        let shared = self
            .cached_tokens
            .iter()
            .zip(prompt)
            .take_while(|(a, b)| a == b)
            .count()
            .min(prompt.len() - 1);
        self.transformer.truncate(shared)?;
        self.cached_tokens.truncate(shared);
        let mut logits = Vec::new();
        for chunk in prompt[shared..].chunks(PREFILL_CHUNK) {
            if should_stop() {
                return Err(LocalModelError::Cancelled);
            }
            logits = self.transformer.forward(chunk)?;
            self.cached_tokens.extend_from_slice(chunk);
        }
        Ok((logits, shared))
    }

    /// The request's seed, or the next of the model's own stream.
    fn seed(&mut self, request: &CompletionRequest) -> u64 {
        request.seed.unwrap_or_else(|| {
            self.unseeded = self
                .unseeded
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            self.unseeded
        })
    }

    /// Label mode: the prompt read once, every label scored over its spellings (see [`labels`]),
    /// and the answer drawn from the labels' probabilities renormalised over them, with the
    /// request's temperature, top-p and seed (the most likely label at temperature 0). Every
    /// label's log-probability is returned as the first token's alternatives, before
    /// renormalising, so the reply records the model's distribution and how much of its mass
    /// the labels took.
    fn choose_label(
        &mut self,
        request: &CompletionRequest,
        prompt: &[u32],
        answer_labels: &[String],
        should_stop: &mut dyn FnMut() -> bool,
    ) -> Result<Generation, LocalModelError> {
        // Every spelling of every label as tokens, with the label it belongs to.
        let mut sequences = Vec::new();
        let mut owners = Vec::new();
        let mut own_tokens = Vec::new();
        for (i, label) in answer_labels.iter().enumerate() {
            own_tokens.push(self.codec.encode(label)?);
            for spelling in labels::spellings(label) {
                sequences.push(self.codec.encode(&spelling)?);
                owners.push(i);
            }
        }
        let (logits, reused) = self.prefill(prompt, should_stop)?;
        let end_ids = self.codec.end_ids.clone();
        let mut continuation = CacheStepper {
            transformer: &mut self.transformer,
            cached_tokens: &mut self.cached_tokens,
            should_stop,
        };
        let by_spelling = labels::score(&sequences, &logits, &end_ids, &mut continuation)?;
        let scores = labels::per_label(&by_spelling, &owners, answer_labels.len());
        let seed = self.seed(request);
        // The sampler draws over any list of logits; log-probabilities are logits whose softmax
        // is the renormalised distribution over the labels.
        let as_logits: Vec<f32> = scores.iter().map(|&s| s as f32).collect();
        let chosen = Sampler::new(request.temperature, request.top_p, seed).choose(&as_logits);
        let chosen = chosen as usize;
        let entry = |label: &str, logprob: f64| json!({"token": label, "logprob": logprob, "bytes": label.as_bytes()});
        let mut ranked: Vec<usize> = (0..answer_labels.len()).collect();
        ranked.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]).then(a.cmp(&b)));
        let mut first = entry(&answer_labels[chosen], scores[chosen]);
        first["top_logprobs"] = ranked
            .iter()
            .map(|&i| entry(&answer_labels[i], scores[i]))
            .collect();
        Ok(Generation {
            reused,
            tokens: own_tokens.swap_remove(chosen),
            logprobs: vec![first],
            text: answer_labels[chosen].clone(),
            finish_reason: "stop",
        })
    }

    fn generate(
        &mut self,
        request: &CompletionRequest,
        prompt: &[u32],
        max_tokens: usize,
        should_stop: &mut dyn FnMut() -> bool,
    ) -> Result<Generation, LocalModelError> {
        let (mut logits, shared) = self.prefill(prompt, should_stop)?;
        let seed = self.seed(request);
        let mut sampler = Sampler::new(request.temperature, request.top_p, seed);
        let mut generation = Generation {
            reused: shared,
            tokens: Vec::new(),
            logprobs: Vec::new(),
            text: String::new(),
            finish_reason: "length",
        };
        while generation.tokens.len() < max_tokens {
            let token = sampler.choose(&logits);
            if self.codec.end_ids.contains(&token) {
                generation.finish_reason = "stop";
                break;
            }
            if let Some(k) = request.top_logprobs {
                let lp = log_softmax(&logits);
                generation.logprobs.push(self.logprob_entry(token, &lp, k));
            }
            generation.tokens.push(token);
            let text = self.codec.decode(&generation.tokens);
            if let Some(cut) = first_stop(&text, &request.stop) {
                generation.text = text[..cut].to_string();
                generation.finish_reason = "stop";
                return Ok(generation);
            }
            generation.text = text;
            if generation.tokens.len() == max_tokens {
                break;
            }
            if should_stop() {
                return Err(LocalModelError::Cancelled);
            }
            logits = self.transformer.forward(&[token])?;
            self.cached_tokens.push(token);
        }
        Ok(generation)
    }

    fn logprob_entry(&self, token: u32, logprobs: &[f32], k: usize) -> Value {
        let entry = |id: u32, lp: f32| {
            let (text, bytes) = self.codec.piece(id);
            json!({"token": text, "logprob": f64::from(lp), "bytes": bytes})
        };
        let mut chosen = entry(token, logprobs[token as usize]);
        chosen["top_logprobs"] = Value::Array(
            top_k(logprobs, k)
                .into_iter()
                .map(|(id, lp)| entry(id, lp))
                .collect(),
        );
        chosen
    }

    fn response_body(&self, request: &CompletionRequest, prompt: &[u32], g: Generation) -> Value {
        let mut choice = json!({
            "index": 0,
            "message": {"role": "assistant", "content": g.text},
            "finish_reason": g.finish_reason,
        });
        if request.top_logprobs.is_some() || request.answer_labels.is_some() {
            choice["logprobs"] = json!({"content": g.logprobs});
        }
        json!({
            "id": format!("chatcmpl-local-{}", self.requests),
            "object": "chat.completion",
            "created": 0,
            "model": self.info.name,
            "choices": [choice],
            "usage": {
                "prompt_tokens": prompt.len(),
                "completion_tokens": g.tokens.len(),
                "total_tokens": prompt.len() + g.tokens.len(),
                "prompt_tokens_details": {"cached_tokens": g.reused},
            },
        })
    }
}

/// The key-value cache driven one token at a time by the label scorer; it returns to the end of
/// the prompt when the scorer is done, so the next request still reuses the shared prefix.
struct CacheStepper<'a> {
    transformer: &'a mut Transformer,
    cached_tokens: &'a mut Vec<u32>,
    should_stop: &'a mut dyn FnMut() -> bool,
}

impl labels::Continuation for CacheStepper<'_> {
    fn push(&mut self, token: u32) -> Result<Vec<f32>, LocalModelError> {
        if (self.should_stop)() {
            return Err(LocalModelError::Cancelled);
        }
        let logits = self.transformer.forward(&[token])?;
        self.cached_tokens.push(token);
        Ok(logits)
    }

    fn pop(&mut self, n: usize) -> Result<(), LocalModelError> {
        let keep = self.cached_tokens.len().saturating_sub(n);
        self.transformer.truncate(keep)?;
        self.cached_tokens.truncate(keep);
        Ok(())
    }
}

struct Generation {
    /// Prompt tokens whose keys and values were reused from the previous request.
    reused: usize,
    tokens: Vec<u32>,
    logprobs: Vec<Value>,
    text: String,
    finish_reason: &'static str,
}

/// Where the earliest stop string begins in `text`.
fn first_stop(text: &str, stops: &[String]) -> Option<usize> {
    stops.iter().filter_map(|s| text.find(s.as_str())).min()
}

//! What can go wrong with a local model, worded for the researcher who picked the file.

/// Why a model could not be loaded or a request could not be answered.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LocalModelError {
    #[error(
        "the file is not a GGUF model (it starts with {found:?}, a GGUF file starts with \"GGUF\")"
    )]
    NotGguf { found: String },
    #[error(
        "the model's architecture {architecture:?} is not supported; supported: llama (SmolLM2, Llama 3.x) and qwen2 (Qwen2, Qwen2.5)"
    )]
    UnsupportedArchitecture { architecture: String },
    #[error("the model file is truncated: it should hold {expected} bytes but has {got} (an interrupted download?)")]
    Truncated { expected: u64, got: u64 },
    #[error(
        "the model needs about {needed_mb} MB of memory but at most {limit_mb} MB is available here; pick a smaller (or more strongly quantised) model"
    )]
    TooLarge { needed_mb: u64, limit_mb: u64 },
    #[error("the model file is damaged or incomplete: {0}")]
    Malformed(String),
    #[error("the prompt has {tokens} tokens but the model reads at most {context} (its context length, less the tokens to generate)")]
    PromptTooLong { tokens: usize, context: usize },
    #[error("cancelled")]
    Cancelled,
    #[error("the request cannot be answered: {0}")]
    BadRequest(String),
    #[error("the model failed while computing: {0}")]
    Compute(String),
}

impl From<candle_core::Error> for LocalModelError {
    fn from(error: candle_core::Error) -> Self {
        Self::Compute(error.to_string())
    }
}

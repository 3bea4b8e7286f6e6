//! How an endpoint's answers to choice questions and conjoint tasks are obtained. Only the local
//! model (in the page or the command line) can read its own next-token distribution, so only it
//! honours [`AnswerMode::Labels`]; hosted APIs always generate.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, JsonSchema, Clone, Copy, Debug, PartialEq, Eq, Default)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(not(target_arch = "wasm32"), derive(clap::ValueEnum))]
pub enum AnswerMode {
    /// Choice questions and conjoint tasks: the model's probability of each option label right
    /// after the prompt (one forward pass, no free generation), renormalised over the labels;
    /// the answer is drawn from it with the call's seed (the most likely label at temperature 0).
    /// Numeric and free-text questions are generated, at most max-tokens long.
    #[default]
    Labels,
    /// Every answer is generated text, at most max-tokens long, and read like any endpoint's.
    Generate,
}

//! The chat template: the model's own Jinja template from `tokenizer.chat_template`, rendered with
//! minijinja (plus Python's string methods, which templates use), so every model gets the prompt
//! format it was trained on without a hand-written copy per model.

use minijinja::{Environment, ErrorKind, Value};
use serde::Serialize;

use super::error::LocalModelError;

/// ChatML, for files without a template of their own.
const CHATML: &str = "{% for message in messages %}<|im_start|>{{ message.role }}\n{{ message.content }}<|im_end|>\n{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}";

/// A chat message as the template reads it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TemplateMessage {
    pub role: String,
    pub content: String,
}

pub struct ChatTemplate {
    env: Environment<'static>,
    bos: String,
    eos: String,
}

impl ChatTemplate {
    /// `source` is `tokenizer.chat_template` when the file has one.
    pub fn new(
        source: Option<&str>,
        bos: Option<String>,
        eos: Option<String>,
    ) -> Result<Self, LocalModelError> {
        let mut env = Environment::new();
        env.set_unknown_method_callback(minijinja_contrib::pycompat::unknown_method_callback);
        env.add_function(
            "raise_exception",
            |message: String| -> Result<Value, minijinja::Error> {
                Err(minijinja::Error::new(ErrorKind::InvalidOperation, message))
            },
        );
        // Llama 3.x writes today's date into its system prompt; a fixed date keeps answers
        // reproducible across days.
        env.add_function("strftime_now", |_format: String| "01 Jan 2025".to_string());
        env.add_template_owned("chat", source.unwrap_or(CHATML).to_string())
            .map_err(|e| {
                LocalModelError::Malformed(format!("its chat template cannot be read: {e}"))
            })?;
        Ok(Self {
            env,
            bos: bos.unwrap_or_default(),
            eos: eos.unwrap_or_default(),
        })
    }

    /// The prompt text for `messages`, ending where the assistant's answer begins.
    pub fn render(&self, messages: &[TemplateMessage]) -> Result<String, LocalModelError> {
        let template = self
            .env
            .get_template("chat")
            .map_err(|e| LocalModelError::Malformed(e.to_string()))?;
        template
            .render(minijinja::context! {
                messages => as_values(messages),
                add_generation_prompt => true,
                bos_token => self.bos.as_str(),
                eos_token => self.eos.as_str(),
            })
            .map_err(|e| {
                LocalModelError::BadRequest(format!(
                    "the model's chat template refused the messages: {e}"
                ))
            })
    }

    /// Whether `text` starts with the beginning-of-sequence token as text.
    pub fn starts_with_bos(&self, text: &str) -> bool {
        !self.bos.is_empty() && text.starts_with(&self.bos)
    }
}

/// Messages as template values (`message.role`, `message['content']`).
fn as_values(messages: &[TemplateMessage]) -> Value {
    messages
        .iter()
        .map(|m| {
            Value::from_pairs([
                ("role", Value::from(m.role.as_str())),
                ("content", Value::from(m.content.as_str())),
            ])
        })
        .collect::<Vec<_>>()
        .into()
}

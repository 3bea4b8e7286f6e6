//! The run's settings as a form: endpoint and key, what is asked and how, limits and prices.
//! Every input edits one field of the [`RunSpec`] signal; the key goes to [`super::key_store`].

use leptos::prelude::*;

use super::key_store;
use crate::app::local_model::panel::LocalModelPanel;
use crate::field::{OrderMode, Parts, RunSpec, SchedulerConfig, DEFAULT_TIMEOUT_S};
use crate::providers::{DEFAULT_MAX_TOKENS, DEFAULT_TEMPERATURE};
use crate::study::{AnswerMode, OptionLabels, ProviderKind};

fn parse_opt<T: std::str::FromStr>(text: &str) -> Option<T> {
    text.trim().parse().ok()
}

fn show_opt<T: ToString>(value: Option<T>) -> String {
    value.map(|v| v.to_string()).unwrap_or_default()
}

/// A labelled number/text input bound to one field of the spec. `help`, the placeholder, is the
/// value used when the field is left empty (so it must say what the engine does).
#[component]
fn Field(
    id: &'static str,
    label: &'static str,
    #[prop(optional, into)] help: Signal<String>,
    #[prop(default = "text")] kind: &'static str,
    value: Signal<String>,
    on_change: Callback<String>,
    disabled: Signal<bool>,
) -> impl IntoView {
    view! {
        <div class="field">
            <label for=id>{label}</label>
            <input id=id type=kind prop:value=move || value.get() disabled=move || disabled.get()
                placeholder=move || help.get()
                on:change=move |ev| on_change.run(event_target_value(&ev)) />
        </div>
    }
}

#[component]
pub fn SettingsForm(
    spec: RwSignal<RunSpec>,
    key: RwSignal<String>,
    remember: RwSignal<bool>,
    locked: Signal<bool>,
    /// The respondents fielded when none are typed, and why (the Respondents placeholder).
    respondents_hint: Signal<String>,
) -> impl IntoView {
    let text = move |get: fn(&RunSpec) -> String| Signal::derive(move || spec.with(get));
    let set = move |apply: fn(&mut RunSpec, String)| {
        Callback::new(move |value: String| spec.update(|s| apply(s, value)))
    };
    let provider_value = move || match spec.with(|s| s.endpoint.provider) {
        ProviderKind::Anthropic => "anthropic",
        ProviderKind::Gemini => "gemini",
        ProviderKind::Local => "local",
        ProviderKind::OpenaiCompatible => "openai",
    };
    // A memo, so the local model's panel is built once, not again on every edit of the spec.
    let is_local = Memo::new(move |_| spec.with(|s| s.endpoint.provider == ProviderKind::Local));
    let on_provider = move |ev| {
        let chosen = match event_target_value(&ev).as_str() {
            "anthropic" => ProviderKind::Anthropic,
            "gemini" => ProviderKind::Gemini,
            "local" => ProviderKind::Local,
            _ => ProviderKind::OpenaiCompatible,
        };
        spec.update(|s| {
            let was_local = s.endpoint.provider == ProviderKind::Local;
            s.endpoint.provider = chosen;
            // The usual address of the hosted APIs; a local server keeps what was typed.
            match chosen {
                ProviderKind::Anthropic => {
                    s.endpoint.base_url = "https://api.anthropic.com/v1".into()
                }
                ProviderKind::Gemini => {
                    s.endpoint.base_url = "https://generativelanguage.googleapis.com/v1beta".into()
                }
                ProviderKind::Local => s.use_local_model(),
                ProviderKind::OpenaiCompatible if was_local => {
                    s.endpoint.base_url = "http://127.0.0.1:8080/v1".into()
                }
                ProviderKind::OpenaiCompatible => {}
            }
            if was_local && chosen != ProviderKind::Local {
                s.scheduler.concurrency = SchedulerConfig::default().concurrency;
                s.endpoint.model.clear();
            }
        });
        let (p, url) = spec.with_untracked(|s| (s.endpoint.provider, s.endpoint.base_url.clone()));
        key.set(key_store::get(p, &url).unwrap_or_default());
        remember.set(key_store::is_remembered(p, &url));
    };
    view! {
        <fieldset class="panel" disabled=move || locked.get()>
            <legend>"Endpoint"</legend>
            <div class="grid">
                <div class="field">
                    <label for="field-provider">"Provider"</label>
                    <select id="field-provider" prop:value=provider_value on:change=on_provider>
                        <option value="openai">"OpenAI-compatible (OpenAI, vLLM, llama.cpp, Ollama, LM Studio, OpenRouter…)"</option>
                        <option value="anthropic">"Anthropic Messages"</option>
                        <option value="gemini">"Google Gemini"</option>
                        <option value="local">"Local model (in this browser, no key)"</option>
                    </select>
                </div>
                {move || (!is_local.get()).then(|| view! {
                    <Field id="field-base-url" label="Base URL" help="http://127.0.0.1:8080/v1" value=text(|s| s.endpoint.base_url.clone())
                        on_change=set(|s, v| s.endpoint.base_url = v.trim().to_string()) disabled=locked />
                })}
                <Field id="field-model" label="Model" help="e.g. gpt-4o-mini" value=text(|s| s.endpoint.model.clone())
                    on_change=set(|s, v| s.endpoint.model = v.trim().to_string()) disabled=locked />
                {move || (!is_local.get()).then(|| view! {
                    <div class="field">
                        <label for="field-key">"API key (kept in this tab only)"</label>
                        <input id="field-key" type="password" autocomplete="off" spellcheck="false"
                            prop:value=move || key.get() on:change=move |ev| key.set(event_target_value(&ev)) />
                        <label class="check"><input type="checkbox" prop:checked=move || remember.get()
                            on:change=move |ev| remember.set(event_target_checked(&ev)) />" Remember on this device"</label>
                    </div>
                })}
            </div>
            {move || is_local.get().then(|| view! { <LocalModelPanel spec=spec locked=locked /> })}
            <div class="grid">
                <Field id="field-temperature" label="Temperature" help=DEFAULT_TEMPERATURE.to_string() value=text(|s| show_opt(s.endpoint.parameters.temperature))
                    on_change=set(|s, v| s.endpoint.parameters.temperature = parse_opt(&v)) disabled=locked />
                <Field id="field-top-p" label="Top p" help="provider default" value=text(|s| show_opt(s.endpoint.parameters.top_p))
                    on_change=set(|s, v| s.endpoint.parameters.top_p = parse_opt(&v)) disabled=locked />
                <Field id="field-max-tokens" label="Max tokens" help=DEFAULT_MAX_TOKENS.to_string() value=text(|s| show_opt(s.endpoint.parameters.max_tokens))
                    on_change=set(|s, v| s.endpoint.parameters.max_tokens = parse_opt(&v)) disabled=locked />
                <Field id="field-logprobs" label="First-token log-probabilities (top k, 0 = off)" value=text(|s| s.endpoint.parameters.top_logprobs.to_string())
                    on_change=set(|s, v| s.endpoint.parameters.top_logprobs = parse_opt(&v).unwrap_or(0)) disabled=locked />
                {move || is_local.get().then(|| view! {
                    <div class="field">
                        <label for="field-answer-mode">"Answers to choices"</label>
                        <select id="field-answer-mode" prop:value=move || spec.with(|s| match s.endpoint.parameters.answer_mode {
                                AnswerMode::Labels => "labels", AnswerMode::Generate => "generate" })
                            on:change=move |ev| spec.update(|s| s.endpoint.parameters.answer_mode = match event_target_value(&ev).as_str() {
                                "generate" => AnswerMode::Generate, _ => AnswerMode::Labels })>
                            <option value="labels">"The labels' probabilities (one pass, always an answer)"</option>
                            <option value="generate">"Generated text (at most Max tokens)"</option>
                        </select>
                    </div>
                })}
                <div class="field">
                    <label class="check"><input type="checkbox" prop:checked=move || spec.with(|s| s.endpoint.parameters.structured_output)
                        on:change=move |ev| spec.update(|s| s.endpoint.parameters.structured_output = event_target_checked(&ev)) />
                        " Structured output (JSON schema)"</label>
                </div>
            </div>
        </fieldset>
        <fieldset class="panel" disabled=move || locked.get()>
            <legend>"What is asked"</legend>
            <div class="grid">
                <Field id="field-respondents" label="Respondents" help=respondents_hint value=text(|s| show_opt(s.settings.respondents))
                    on_change=set(|s, v| s.settings.respondents = parse_opt(&v)) disabled=locked />
                <Field id="field-samples" label="Samples per item" value=text(|s| s.settings.samples.to_string())
                    on_change=set(|s, v| s.settings.samples = parse_opt(&v).unwrap_or(1).max(1)) disabled=locked />
                <Field id="field-seed" label="Seed" value=text(|s| s.settings.seed.to_string())
                    on_change=set(|s, v| s.settings.seed = parse_opt(&v).unwrap_or(0)) disabled=locked />
                <div class="field">
                    <label for="field-order">"Option order per call"</label>
                    <select id="field-order" prop:value=move || spec.with(|s| format!("{:?}", s.settings.order).to_lowercase())
                        on:change=move |ev| spec.update(|s| s.settings.order = match event_target_value(&ev).as_str() {
                            "fixed" => OrderMode::Fixed, "rotate" => OrderMode::Rotate, _ => OrderMode::Random })>
                        <option value="random">"Randomised on every call"</option>
                        <option value="rotate">"Rotated across samples (balances positions)"</option>
                        <option value="fixed">"Fixed (as the survey shows them)"</option>
                    </select>
                </div>
                <div class="field">
                    <label for="field-labels">"Option labels"</label>
                    <select id="field-labels" prop:value=move || spec.with(|s| format!("{:?}", s.settings.labels).to_lowercase())
                        on:change=move |ev| spec.update(|s| s.settings.labels = match event_target_value(&ev).as_str() {
                            "numbers" => OptionLabels::Numbers, "text" => OptionLabels::Text, _ => OptionLabels::Letters })>
                        <option value="letters">"A, B, C"</option>
                        <option value="numbers">"1, 2, 3"</option>
                        <option value="text">"The option text"</option>
                    </select>
                </div>
                <div class="field">
                    <label for="field-parts">"Parts"</label>
                    <select id="field-parts" prop:value=move || spec.with(|s| format!("{:?}", s.settings.parts).to_lowercase())
                        on:change=move |ev| spec.update(|s| s.settings.parts = match event_target_value(&ev).as_str() {
                            "conjoint" => Parts::Conjoint, "survey" => Parts::Survey, _ => Parts::All })>
                        <option value="all">"Conjoint and survey"</option>
                        <option value="conjoint">"Conjoint only"</option>
                        <option value="survey">"Survey only"</option>
                    </select>
                </div>
            </div>
        </fieldset>
        <fieldset class="panel" disabled=move || locked.get()>
            <legend>"Limits and prices"</legend>
            <div class="grid">
                <Field id="field-concurrency" label="Calls at once" value=text(|s| s.scheduler.concurrency.to_string())
                    on_change=set(|s, v| s.scheduler.concurrency = parse_opt(&v).unwrap_or(SchedulerConfig::default().concurrency).max(1)) disabled=locked />
                <Field id="field-rpm" label="Requests per minute" help="no limit" value=text(|s| show_opt(s.scheduler.requests_per_minute))
                    on_change=set(|s, v| s.scheduler.requests_per_minute = parse_opt(&v)) disabled=locked />
                <Field id="field-tpm" label="Tokens per minute" help="no limit" value=text(|s| show_opt(s.scheduler.tokens_per_minute))
                    on_change=set(|s, v| s.scheduler.tokens_per_minute = parse_opt(&v)) disabled=locked />
                <Field id="field-attempts" label="Attempts per call" value=text(|s| s.scheduler.max_attempts.to_string())
                    on_change=set(|s, v| s.scheduler.max_attempts = parse_opt(&v).unwrap_or(SchedulerConfig::default().max_attempts).max(1)) disabled=locked />
                <Field id="field-backoff" label="First retry after (ms)" value=text(|s| s.scheduler.backoff_base_ms.to_string())
                    on_change=set(|s, v| s.scheduler.backoff_base_ms = parse_opt(&v).unwrap_or(SchedulerConfig::default().backoff_base_ms)) disabled=locked />
                <Field id="field-timeout" label="Time limit per call (s)" value=text(|s| s.timeout_s.to_string())
                    on_change=set(|s, v| s.timeout_s = parse_opt(&v).unwrap_or(DEFAULT_TIMEOUT_S)) disabled=locked />
            </div>
            <p class="muted">"Prices per million tokens, as a range (e.g. batch or cached price to list price), for the cost estimate:"</p>
            <div class="grid">
                <Field id="field-price-in-low" label="Input, low" value=text(|s| s.prices.input_low.to_string())
                    on_change=set(|s, v| s.prices.input_low = parse_opt(&v).unwrap_or(0.0)) disabled=locked />
                <Field id="field-price-in-high" label="Input, high" value=text(|s| s.prices.input_high.to_string())
                    on_change=set(|s, v| s.prices.input_high = parse_opt(&v).unwrap_or(0.0)) disabled=locked />
                <Field id="field-price-out-low" label="Output, low" value=text(|s| s.prices.output_low.to_string())
                    on_change=set(|s, v| s.prices.output_low = parse_opt(&v).unwrap_or(0.0)) disabled=locked />
                <Field id="field-price-out-high" label="Output, high" value=text(|s| s.prices.output_high.to_string())
                    on_change=set(|s, v| s.prices.output_high = parse_opt(&v).unwrap_or(0.0)) disabled=locked />
            </div>
        </fieldset>
    }
}

//! Choosing one of the study's response tables, as the Compare tab's panels do (people on one
//! side, an LLM sample on the other): a labelled select over the tables' names, and where each
//! side starts.

use leptos::prelude::*;

use crate::study::{ResponseSource, ResponseTable};

/// The first table of `source`, else `fallback`: people default to the first human table and the
/// LLM side to the first LLM run.
pub fn first_of(tables: &[ResponseTable], source: ResponseSource, fallback: usize) -> usize {
    tables
        .iter()
        .position(|t| t.source == source)
        .unwrap_or(fallback)
}

/// A labelled select of `names` bound to `selected` (the table's index).
#[component]
pub fn TableSelect(
    id: &'static str,
    label: &'static str,
    names: Vec<String>,
    selected: RwSignal<usize>,
) -> impl IntoView {
    let fallback = selected.get_untracked();
    let options = names
        .into_iter()
        .enumerate()
        .map(|(i, n)| view! { <option value=i.to_string() selected=move || selected.get() == i>{n}</option> })
        .collect_view();
    view! {
        <div class="field">
            <label for=id>{label}</label>
            <select id=id on:change=move |ev| selected.set(event_target_value(&ev).parse().unwrap_or(fallback))>{options}</select>
        </div>
    }
}

//! Answer position: how often the model chose the option shown first, second, … (small models
//! pick "A"), and — with log-probabilities — the first-token probability by position and the
//! permutation-averaged distribution over the options, which removes position and label bias.

use std::rc::Rc;

use leptos::prelude::*;

use super::driver::Driver;
use crate::field::debias::{
    by_position, chosen_by_position, permutation_average, tasks_by_position,
};
use crate::field::{CallRecord, ItemRef};

#[derive(Clone, Debug, PartialEq)]
struct Row {
    item: String,
    answered: usize,
    chosen: Vec<f64>,
    first_token: Vec<f64>,
    averaged: Vec<(String, f64)>,
}

fn shares(values: &[f64]) -> String {
    values
        .iter()
        .enumerate()
        .map(|(i, v)| format!("{}: {:.2}", i + 1, v))
        .collect::<Vec<_>>()
        .join(" · ")
}

fn rows(records: &[CallRecord]) -> Vec<Row> {
    let mut out = Vec::new();
    if records
        .iter()
        .any(|r| matches!(r.item, ItemRef::Task { .. }))
    {
        let (chosen, answered) = chosen_by_position(records, None);
        out.push(Row {
            item: "Conjoint tasks (profile position)".into(),
            answered,
            chosen,
            first_token: tasks_by_position(records),
            averaged: Vec::new(),
        });
    }
    let mut questions: Vec<String> = records
        .iter()
        .filter_map(|r| match &r.item {
            ItemRef::Question { id, .. } => Some(id.clone()),
            ItemRef::Task { .. } => None,
        })
        .collect();
    questions.sort();
    questions.dedup();
    for q in questions {
        let (chosen, answered) = chosen_by_position(records, Some(&q));
        out.push(Row {
            first_token: by_position(records, &q),
            averaged: permutation_average(records, &q).into_iter().collect(),
            item: q,
            answered,
            chosen,
        });
    }
    out
}

#[component]
pub fn PositionBias(driver: Rc<Driver>) -> impl IntoView {
    let table = RwSignal::new(None::<Vec<Row>>);
    let check = move |_| table.set(Some(rows(&driver.records())));
    view! {
        <h3>"Answer position"</h3>
        <p class="muted">"With randomised or rotated option order each position should get about 1/k of the answers. Rotating the order across k samples and averaging the first-token probabilities removes position and label bias."</p>
        <button class="secondary" on:click=check>"Check answer positions"</button>
        {move || table.get().map(|rows| view! {
            <div class="table-scroll">
                <table data-testid="position-bias">
                    <thead><tr><th>"Item"</th><th>"Answered"</th><th>"Chosen, by position shown"</th><th>"First-token probability, by position"</th><th>"Averaged over orders, by option"</th></tr></thead>
                    <tbody>
                        {rows.into_iter().map(|r| view! {
                            <tr>
                                <td>{r.item}</td>
                                <td>{r.answered}</td>
                                <td>{shares(&r.chosen)}</td>
                                <td>{if r.first_token.is_empty() { "–".to_string() } else { shares(&r.first_token) }}</td>
                                <td>{if r.averaged.is_empty() { "–".to_string() } else {
                                    r.averaged.iter().map(|(c, p)| format!("{c}: {p:.2}")).collect::<Vec<_>>().join(" · ") }}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        })}
    }
}

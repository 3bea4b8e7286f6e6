//! The survey part of the Design tab: questions of every type, options edited as lines, answer-order
//! randomisation with anchored options, and display conditions.

use leptos::prelude::*;

use super::open_study::OpenStudy;
use crate::study::survey_edit::{self, SurveyEditError, QUESTION_TYPES};
use crate::study::{OptionOrder, Question, QuestionKind, Survey};

fn edit_survey(open: OpenStudy, change: impl FnOnce(&mut Survey) -> Result<(), SurveyEditError>) {
    open.edit(|study| change(&mut study.survey));
}

#[component]
pub fn SurveyEditor(open: OpenStudy) -> impl IntoView {
    let new_type = RwSignal::new("single_choice".to_string());
    view! {
        <section class="panel" aria-labelledby="survey-heading">
            <h2 id="survey-heading">{move || format!("Survey questions ({})", open.study.with(|s| s.survey.questions.len()))}</h2>
            <ol class="questions-editor" data-testid="questions">
                {move || {
                    let questions = open.study.with(|s| s.survey.questions.clone());
                    let earlier: Vec<(String, bool)> = questions.iter().map(|q| (q.id.clone(), q.answer.options().is_some())).collect();
                    questions.into_iter().enumerate().map(|(i, q)| {
                        let choices = earlier[..i].to_vec();
                        view! { <QuestionCard open=open index=i question=q earlier=choices /> }
                    }).collect_view()
                }}
            </ol>
            <div class="row">
                <label for="new-question-type">"New question"</label>
                <select id="new-question-type" on:change=move |ev| new_type.set(event_target_value(&ev))>
                    {QUESTION_TYPES.iter().map(|(value, label)| view! { <option value=*value>{*label}</option> }).collect_view()}
                </select>
                <button on:click=move |_| { let kind = new_type.get_untracked(); edit_survey(open, |s| survey_edit::add_question(s, &kind)); }>"Add question"</button>
            </div>
        </section>
    }
}

#[component]
fn QuestionCard(
    open: OpenStudy,
    index: usize,
    question: Question,
    earlier: Vec<(String, bool)>,
) -> impl IntoView {
    let id = question.id.clone();
    let type_name = question.answer.type_name();
    let lines = survey_edit::lines_of(&question.answer);
    let lines_label = match &question.answer {
        QuestionKind::Scale { .. } => "Scale points, lowest first (one per line)",
        QuestionKind::Matrix { .. } => "Items (one per line)",
        _ => "Options (one per line)",
    };
    let options = question
        .answer
        .options()
        .map(<[_]>::to_vec)
        .unwrap_or_default();
    let has_options = !options.is_empty();
    let condition = question.display_if.clone();
    view! {
        <li class="question" data-testid="question">
            <div class="row">
                <label for=format!("q-{index}-id")>"Id"</label>
                <input id=format!("q-{index}-id") class="question-id" type="text" prop:value=id.clone()
                    on:change=move |ev| { let text = event_target_value(&ev); open.edit(|s| survey_edit::set_id(s, index, &text)); } />
                <label for=format!("q-{index}-type")>"Type"</label>
                <select id=format!("q-{index}-type") on:change=move |ev| { let t = event_target_value(&ev); edit_survey(open, |s| survey_edit::set_type(s, index, &t)); }>
                    {QUESTION_TYPES.iter().map(|(value, label)| view! { <option value=*value selected=*value == type_name>{*label}</option> }).collect_view()}
                </select>
                <button class="secondary danger" aria-label=format!("Delete question {id}") on:click=move |_| open.edit(|s| survey_edit::remove_question(s, index))>"Delete"</button>
            </div>
            <label class="block-label" for=format!("q-{index}-text")>{format!("Question text of {id}")}</label>
            <textarea id=format!("q-{index}-text") rows="2" prop:value=question.text.clone()
                on:change=move |ev| {
                    let text = event_target_value(&ev);
                    open.edit(|study| match study.survey.questions.get_mut(index) {
                        Some(q) => { q.text = text; Ok(()) }
                        None => Err(SurveyEditError::NoQuestion(index)),
                    });
                }></textarea>
            <p class="muted">"Pipe an earlier answer with {{Q1}} or a persona field with {{persona.age}}."</p>
            {lines.map(|text| view! {
                <label class="block-label" for=format!("q-{index}-lines")>{lines_label}</label>
                <textarea id=format!("q-{index}-lines") rows="4" prop:value=text
                    on:change=move |ev| { let text = event_target_value(&ev); edit_survey(open, |s| survey_edit::set_lines(s, index, &text)); }></textarea>
            })}
            {has_options.then(|| view! {
                <div class="row">
                    <label for=format!("q-{index}-order")>"Answer order"</label>
                    <select id=format!("q-{index}-order") on:change=move |ev| {
                        let order = match event_target_value(&ev).as_str() { "shuffle" => OptionOrder::Shuffle, "reverse" => OptionOrder::Reverse, _ => OptionOrder::Fixed };
                        open.edit(|study| match study.survey.questions.get_mut(index) {
                            Some(q) => { q.option_order = order; Ok(()) }
                            None => Err(SurveyEditError::NoQuestion(index)),
                        });
                    }>
                        {[("fixed", "As listed", OptionOrder::Fixed), ("shuffle", "Shuffled per respondent", OptionOrder::Shuffle), ("reverse", "Reversed for half of respondents", OptionOrder::Reverse)]
                            .into_iter().map(|(v, label, order)| view! { <option value=v selected=question.option_order == order>{label}</option> }).collect_view()}
                    </select>
                    <span class="muted">"Keep in place:"</span>
                    {options.iter().map(|o| {
                        let code = o.code.clone();
                        view! {
                            <label class="check"><input type="checkbox" checked=o.anchored
                                on:change=move |ev| { let on = event_target_checked(&ev); let code = code.clone(); edit_survey(open, |s| survey_edit::set_anchored(s, index, &code, on)); } />
                                " " {o.label.clone()}</label>
                        }
                    }).collect_view()}
                </div>
            })}
            <ConditionEditor open=open index=index earlier=earlier condition=condition />
        </li>
    }
}

#[component]
fn ConditionEditor(
    open: OpenStudy,
    index: usize,
    earlier: Vec<(String, bool)>,
    condition: Option<crate::study::DisplayCondition>,
) -> impl IntoView {
    let candidates: Vec<(usize, String)> = earlier
        .into_iter()
        .enumerate()
        .filter(|(_, (_, has_options))| *has_options)
        .map(|(i, (id, _))| (i, id))
        .collect();
    if candidates.is_empty() {
        return ().into_any();
    }
    // The editor edits the common form, "an earlier answer is one of these codes"; a richer
    // condition (and/or/not, numbers, persona or embedded fields, from a study file or a .qsf)
    // is shown as it reads and kept as it is.
    let simple = match &condition {
        None => Some((String::new(), Vec::new())),
        Some(crate::study::DisplayCondition::Answer(a)) if a.op.is_none() && a.item.is_none() => {
            Some((a.question.clone(), a.any_of.clone()))
        }
        Some(_) => None,
    };
    let Some((current, chosen_codes)) = simple else {
        let text = condition.map(|c| c.to_string()).unwrap_or_default();
        return view! {
            <div class="row condition">
                <span class="muted">"Shown only if " {text}</span>
            </div>
        }
        .into_any();
    };
    let on_index = candidates
        .iter()
        .find(|(_, id)| *id == current)
        .map(|(i, _)| *i);
    let options = on_index
        .and_then(|i| {
            open.study.with_untracked(|s| {
                s.survey
                    .questions
                    .get(i)
                    .and_then(|q| q.answer.options().map(<[_]>::to_vec))
            })
        })
        .unwrap_or_default();
    let codes = StoredValue::new(chosen_codes.clone());
    view! {
        <div class="row condition">
            <label for=format!("q-{index}-condition")>"Show only if"</label>
            <select id=format!("q-{index}-condition") on:change=move |ev| {
                let value = event_target_value(&ev);
                let target = value.parse::<usize>().ok();
                edit_survey(open, |s| {
                    let first_code = target.and_then(|t| s.questions.get(t).and_then(|q| q.answer.options().and_then(|o| o.first().map(|o| o.code.clone()))));
                    survey_edit::set_condition(s, index, target.zip(first_code).map(|(t, code)| (t, vec![code])))
                });
            }>
                <option value="" selected=current.is_empty()>"always shown"</option>
                {candidates.iter().map(|(i, id)| view! { <option value=i.to_string() selected=*id == current>{format!("{id} is one of…")}</option> }).collect_view()}
            </select>
            {options.into_iter().map(|o| {
                let code = o.code.clone();
                let on = on_index.unwrap_or(0);
                view! {
                    <label class="check"><input type="checkbox" checked=chosen_codes.contains(&o.code)
                        on:change=move |ev| {
                            let checked = event_target_checked(&ev);
                            let mut list = codes.get_value();
                            list.retain(|c| *c != code);
                            if checked { list.push(code.clone()); }
                            edit_survey(open, |s| survey_edit::set_condition(s, index, Some((on, list))));
                        } />
                        " " {o.label.clone()}</label>
                }
            }).collect_view()}
        </div>
    }
    .into_any()
}

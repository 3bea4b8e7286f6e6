//! Semantic checks that the types alone cannot express. Every problem is reported, each with its path.

use std::collections::{HashMap, HashSet};

use super::error::Problem;
use super::migrate::parse_format;
use super::model::*;

/// Header names that carry credentials; keys belong in the browser session, never in a study file.
const SECRET_HEADERS: &[&str] = &[
    "authorization",
    "x-api-key",
    "api-key",
    "x-goog-api-key",
    "proxy-authorization",
    "cookie",
];

/// All problems in a study; empty means valid.
pub fn validate(study: &Study) -> Vec<Problem> {
    let mut problems = Problems::default();
    if parse_format(&study.format).is_err() {
        problems.push("format", format!("expected \"{FORMAT_V1}\""));
    }
    if study.id.trim().is_empty() {
        problems.push("id", "empty id");
    }
    if study.metadata.name.trim().is_empty() {
        problems.push("metadata.name", "empty name");
    }
    check_survey(&study.survey, &mut problems);
    if let Some(conjoint) = &study.conjoint {
        check_conjoint(conjoint, &mut problems);
    }
    check_fielding(&study.fielding, &study.results, &mut problems);
    check_ask_only(&study.fielding.ask_only, &study.survey, &mut problems);
    check_results(&study.results, &mut problems);
    problems.0
}

#[derive(Default)]
struct Problems(Vec<Problem>);

impl Problems {
    fn push(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.0.push(Problem::new(path, message));
    }

    /// Reports empty and repeated names in a list, e.g. attribute names or option codes.
    fn names<'a>(
        &mut self,
        items: impl IntoIterator<Item = &'a str>,
        path_of: impl Fn(usize) -> String,
        what: &str,
    ) {
        let mut seen = HashMap::new();
        for (i, name) in items.into_iter().enumerate() {
            if name.trim().is_empty() {
                self.push(path_of(i), format!("empty {what}"));
            } else if let Some(first) = seen.insert(name, i) {
                self.push(
                    path_of(i),
                    format!("{what} {name:?} repeats entry [{first}]"),
                );
            }
        }
    }
}

fn check_survey(survey: &Survey, problems: &mut Problems) {
    problems.names(
        survey.questions.iter().map(|q| q.id.as_str()),
        |i| format!("survey.questions[{i}].id"),
        "question id",
    );
    let position: HashMap<&str, usize> = survey
        .questions
        .iter()
        .enumerate()
        .map(|(i, q)| (q.id.as_str(), i))
        .collect();
    for (i, question) in survey.questions.iter().enumerate() {
        let path = format!("survey.questions[{i}]");
        if question.text.trim().is_empty() {
            problems.push(format!("{path}.text"), "empty question text");
        }
        check_answer(&question.answer, &format!("{path}.answer"), problems);
        let earlier = Earlier {
            position: &position,
            survey,
        };
        if let Some(condition) = &question.display_if {
            check_condition(
                condition,
                i,
                &earlier,
                &format!("{path}.display_if"),
                problems,
            );
        }
        for (j, rule) in question.skip.iter().enumerate() {
            // A skip rule reads the question's own answer (and earlier ones).
            check_condition(
                &rule.condition,
                i + 1,
                &earlier,
                &format!("{path}.skip[{j}].condition"),
                problems,
            );
        }
    }
    let earlier = Earlier {
        position: &position,
        survey,
    };
    check_flow(&survey.flow, survey, &earlier, "survey.flow", problems);
    problems.names(
        survey.blocks.iter().map(|b| b.id.as_str()),
        |i| format!("survey.blocks[{i}].id"),
        "block id",
    );
    let mut in_block = HashMap::new();
    for (b, block) in survey.blocks.iter().enumerate() {
        for (j, id) in block.questions.iter().enumerate() {
            let path = format!("survey.blocks[{b}].questions[{j}]");
            if !position.contains_key(id.as_str()) {
                problems.push(path, format!("no question with id {id:?}"));
            } else if let Some(other) = in_block.insert(id.as_str(), b) {
                problems.push(
                    path,
                    format!("question {id:?} is already in block [{other}]"),
                );
            }
        }
    }
}

fn check_answer(answer: &QuestionKind, path: &str, problems: &mut Problems) {
    if let Some(options) = answer.options() {
        if options.len() < 2 {
            problems.push(format!("{path}.options"), "needs at least 2 options");
        }
        problems.names(
            options.iter().map(|o| o.code.as_str()),
            |i| format!("{path}.options[{i}].code"),
            "option code",
        );
        for (i, option) in options.iter().enumerate() {
            if option.label.trim().is_empty() {
                problems.push(format!("{path}.options[{i}].label"), "empty label");
            }
        }
    }
    match answer {
        QuestionKind::MultipleChoice {
            options,
            min_selected,
            max_selected,
        } => {
            let max = max_selected.unwrap_or(options.len() as u32);
            if min_selected.unwrap_or(0) > max {
                problems.push(
                    format!("{path}.min_selected"),
                    "min_selected is larger than max_selected",
                );
            }
            if max as usize > options.len() {
                problems.push(
                    format!("{path}.max_selected"),
                    format!("larger than the number of options ({})", options.len()),
                );
            }
        }
        QuestionKind::Scale { labels, .. } => {
            if labels.len() < 2 {
                problems.push(format!("{path}.labels"), "a scale needs at least 2 points");
            }
            for (i, label) in labels.iter().enumerate() {
                if label.trim().is_empty() {
                    problems.push(format!("{path}.labels[{i}]"), "empty label");
                }
            }
        }
        QuestionKind::Numeric { min, max, .. } => {
            for (name, bound) in [("min", min), ("max", max)] {
                if bound.is_some_and(|b| !b.is_finite()) {
                    problems.push(format!("{path}.{name}"), "not a finite number");
                }
            }
            if let (Some(lo), Some(hi)) = (min, max) {
                if lo >= hi {
                    problems.push(
                        format!("{path}.max"),
                        format!("max {hi} is not above min {lo}"),
                    );
                }
            }
        }
        QuestionKind::Ranking {
            options,
            top_k: Some(k),
        } if *k == 0 || *k as usize > options.len() => {
            problems.push(
                format!("{path}.top_k"),
                format!("must be between 1 and the {} options", options.len()),
            );
        }
        QuestionKind::Slider {
            items,
            min,
            max,
            step,
        } => {
            if !(min.is_finite() && max.is_finite() && min < max) {
                problems.push(
                    format!("{path}.max"),
                    format!("max {max} must be a number above min {min}"),
                );
            }
            if !(step.is_finite() && *step > 0.0) {
                problems.push(format!("{path}.step"), "step must be a positive number");
            }
            problems.names(
                items.iter().map(|it| it.id.as_str()),
                |i| format!("{path}.items[{i}].id"),
                "item id",
            );
        }
        QuestionKind::ConstantSum { total, .. } if !(total.is_finite() && *total > 0.0) => {
            problems.push(format!("{path}.total"), "total must be a positive number");
        }
        QuestionKind::Matrix { items, scale, .. } => {
            if items.is_empty() {
                problems.push(format!("{path}.items"), "a matrix needs at least one item");
            }
            problems.names(
                items.iter().map(|it| it.id.as_str()),
                |i| format!("{path}.items[{i}].id"),
                "item id",
            );
            if scale.len() < 2 {
                problems.push(format!("{path}.scale"), "a scale needs at least 2 points");
            }
        }
        _ => {}
    }
}

/// Where a question sits in the survey's order and what it is, for checking conditions on it.
struct Earlier<'a> {
    position: &'a HashMap<&'a str, usize>,
    survey: &'a Survey,
}

/// Checks a condition read at question `index` (or, with `index` = the number of questions, in
/// the flow, where any question may be tested).
fn check_condition(
    condition: &DisplayCondition,
    index: usize,
    earlier: &Earlier<'_>,
    path: &str,
    problems: &mut Problems,
) {
    match condition {
        DisplayCondition::Answer(a) => match earlier.position.get(a.question.as_str()) {
            None => problems.push(
                format!("{path}.question"),
                format!("no question with id {:?}", a.question),
            ),
            Some(&at) if at >= index => problems.push(
                format!("{path}.question"),
                format!(
                    "{:?} is not asked before this question, so the condition would wait for \
                     itself (a cycle in the logic)",
                    a.question
                ),
            ),
            Some(&at) => {
                let tested = &earlier.survey.questions[at].answer;
                if a.op.is_some() != a.value.is_some() {
                    problems.push(path.to_string(), "op and value go together");
                } else if a.op.is_none() && a.any_of.is_empty() {
                    problems.push(
                        format!("{path}.any_of"),
                        "lists no answers, so the condition never holds",
                    );
                }
                if let (Some(options), None) = (tested.options(), &a.item) {
                    for (j, code) in a.any_of.iter().enumerate() {
                        if !options.iter().any(|o| &o.code == code) {
                            problems.push(
                                format!("{path}.any_of[{j}]"),
                                format!("{:?} has no option {code:?}", a.question),
                            );
                        }
                    }
                }
                if let Some(item) = &a.item {
                    let known = match tested {
                        QuestionKind::Matrix { items, .. } | QuestionKind::Slider { items, .. } => {
                            items.iter().any(|i| &i.id == item)
                        }
                        QuestionKind::ConstantSum { options, .. } => {
                            options.iter().any(|o| &o.code == item)
                        }
                        _ => false,
                    };
                    if !known {
                        problems.push(
                            format!("{path}.item"),
                            format!("{:?} has no item {item:?}", a.question),
                        );
                    }
                }
                if !tested.is_asked() {
                    problems.push(
                        format!("{path}.question"),
                        format!("{:?} is descriptive text: it has no answer", a.question),
                    );
                }
            }
        },
        DisplayCondition::Persona(p) => {
            if p.any_of.is_empty() {
                problems.push(format!("{path}.any_of"), "lists no values");
            }
        }
        DisplayCondition::Embedded(e) => {
            if e.any_of.is_empty() {
                problems.push(format!("{path}.any_of"), "lists no values");
            }
        }
        DisplayCondition::All { all: list } | DisplayCondition::Any { any: list } => {
            let key = if matches!(condition, DisplayCondition::All { .. }) {
                "all"
            } else {
                "any"
            };
            if list.is_empty() {
                problems.push(format!("{path}.{key}"), "lists no conditions");
            }
            for (j, c) in list.iter().enumerate() {
                check_condition(c, index, earlier, &format!("{path}.{key}[{j}]"), problems);
            }
        }
        DisplayCondition::Not { not } => {
            check_condition(not, index, earlier, &format!("{path}.not"), problems)
        }
    }
}

fn check_flow(
    flow: &[FlowElement],
    survey: &Survey,
    earlier: &Earlier<'_>,
    path: &str,
    problems: &mut Problems,
) {
    for (i, element) in flow.iter().enumerate() {
        let path = format!("{path}[{i}]");
        match element {
            FlowElement::Block { block } => {
                if !survey.blocks.iter().any(|b| &b.id == block) {
                    problems.push(
                        format!("{path}.block"),
                        format!("no block with id {block:?}"),
                    );
                }
            }
            FlowElement::Branch { condition, flow } => {
                check_condition(
                    condition,
                    survey.questions.len(),
                    earlier,
                    &format!("{path}.condition"),
                    problems,
                );
                check_flow(flow, survey, earlier, &format!("{path}.flow"), problems);
            }
            FlowElement::Randomizer { flow, show, .. } => {
                if show.is_some_and(|k| k == 0 || k as usize > flow.len()) {
                    problems.push(
                        format!("{path}.show"),
                        format!("must be between 1 and the {} elements it holds", flow.len()),
                    );
                }
                check_flow(flow, survey, earlier, &format!("{path}.flow"), problems);
            }
            FlowElement::Group { flow } => {
                check_flow(flow, survey, earlier, &format!("{path}.flow"), problems)
            }
            FlowElement::EmbeddedData { fields } => {
                for (j, field) in fields.iter().enumerate() {
                    if field.name.trim().is_empty() {
                        problems.push(format!("{path}.fields[{j}].name"), "empty name");
                    }
                }
            }
            FlowElement::EndSurvey => {}
        }
    }
}

fn check_conjoint(conjoint: &Conjoint, problems: &mut Problems) {
    if conjoint.attributes.is_empty() {
        problems.push(
            "conjoint.attributes",
            "a conjoint needs at least one attribute",
        );
    }
    problems.names(
        conjoint.attributes.iter().map(|a| a.name.as_str()),
        |i| format!("conjoint.attributes[{i}].name"),
        "attribute name",
    );
    for (a, attribute) in conjoint.attributes.iter().enumerate() {
        let path = format!("conjoint.attributes[{a}]");
        if attribute.levels.len() < 2 {
            problems.push(
                format!("{path}.levels"),
                "an attribute needs at least 2 levels",
            );
        }
        problems.names(
            attribute.levels.iter().map(|l| l.name.as_str()),
            |i| format!("{path}.levels[{i}]"),
            "name",
        );
        for (l, level) in attribute.levels.iter().enumerate() {
            if !(level.weight.is_finite() && level.weight > 0.0) {
                problems.push(
                    format!("{path}.levels[{l}].weight"),
                    format!("weight must be a positive number, got {}", level.weight),
                );
            }
            if level.value.is_some_and(|v| !v.is_finite()) {
                problems.push(format!("{path}.levels[{l}].value"), "not a finite number");
            }
        }
    }
    let attribute_index: HashMap<&str, &Attribute> = conjoint
        .attributes
        .iter()
        .map(|a| (a.name.as_str(), a))
        .collect();
    for (r, restriction) in conjoint.restrictions.iter().enumerate() {
        let path = format!("conjoint.restrictions[{r}].exclude");
        if restriction.exclude.len() < 2 {
            problems.push(
                path.clone(),
                "a restriction names at least two attributes (it excludes a combination)",
            );
        }
        for (c, clause) in restriction.exclude.iter().enumerate() {
            let Some(attribute) = attribute_index.get(clause.attribute.as_str()) else {
                problems.push(
                    format!("{path}[{c}].attribute"),
                    format!("no attribute named {:?}", clause.attribute),
                );
                continue;
            };
            if clause.levels.is_empty() {
                problems.push(format!("{path}[{c}].levels"), "lists no levels");
            }
            for (l, level) in clause.levels.iter().enumerate() {
                if !attribute.levels.iter().any(|x| &x.name == level) {
                    problems.push(
                        format!("{path}[{c}].levels[{l}]"),
                        format!("{:?} has no level {level:?}", clause.attribute),
                    );
                }
            }
        }
    }
    if conjoint.profiles_per_task < 2 {
        problems.push(
            "conjoint.profiles_per_task",
            "a task needs at least 2 profiles",
        );
    }
    if conjoint.tasks_per_respondent < 1 {
        problems.push(
            "conjoint.tasks_per_respondent",
            "at least 1 task per respondent",
        );
    }
    match conjoint.outcome {
        Outcome::Rating { min, max } | Outcome::ChoiceAndRating { min, max } if min >= max => {
            problems.push(
                "conjoint.outcome.max",
                format!("max {max} is not above min {min}"),
            )
        }
        _ => {}
    }
    if let Some(repeat) = conjoint.repeated_task {
        if repeat.copy_of < 1 || repeat.copy_of > conjoint.tasks_per_respondent {
            problems.push(
                "conjoint.repeated_task.copy_of",
                format!(
                    "must name one of tasks 1..={}",
                    conjoint.tasks_per_respondent
                ),
            );
        }
    }
    let mut grouped = HashSet::new();
    for (g, group) in conjoint.randomisation.order_groups.iter().enumerate() {
        for (i, name) in group.iter().enumerate() {
            let path = format!("conjoint.randomisation.order_groups[{g}][{i}]");
            if !attribute_index.contains_key(name.as_str()) {
                problems.push(path, format!("no attribute named {name:?}"));
            } else if !grouped.insert(name.as_str()) {
                problems.push(path, format!("{name:?} is already in another group"));
            }
        }
    }
    check_strategy(conjoint, problems);
    check_tasks(conjoint, problems);
}

fn check_strategy(conjoint: &Conjoint, problems: &mut Problems) {
    if let DesignStrategy::DEfficient {
        choice_sets,
        prior_means,
        prior_sds,
    } = &conjoint.randomisation.strategy
    {
        let path = "conjoint.randomisation.strategy";
        let parameters: usize = conjoint
            .attributes
            .iter()
            .map(|a| a.levels.len().saturating_sub(1))
            .sum();
        if *choice_sets < 1 {
            problems.push(format!("{path}.choice_sets"), "at least 1 choice set");
        }
        if !prior_means.is_empty() && prior_means.len() != parameters {
            problems.push(
                format!("{path}.prior_means"),
                format!(
                    "{} values given; the design has {parameters} parameters (levels minus baselines)",
                    prior_means.len()
                ),
            );
        }
        if !prior_sds.is_empty() && prior_sds.len() != parameters {
            problems.push(
                format!("{path}.prior_sds"),
                format!(
                    "{} values given; the design has {parameters} parameters",
                    prior_sds.len()
                ),
            );
        }
        if prior_sds.iter().any(|s| !(s.is_finite() && *s >= 0.0)) {
            problems.push(
                format!("{path}.prior_sds"),
                "standard deviations must be ≥ 0",
            );
        }
    }
}

fn check_tasks(conjoint: &Conjoint, problems: &mut Problems) {
    let attributes = conjoint.attributes.len();
    for (t, task) in conjoint.tasks.iter().enumerate() {
        let path = format!("conjoint.tasks[{t}]");
        let mut order = task.attribute_order.clone();
        order.sort_unstable();
        if order != (0..attributes as u32).collect::<Vec<_>>() {
            problems.push(
                format!("{path}.attribute_order"),
                format!("must list each attribute index 0..{attributes} once"),
            );
        }
        if task.profiles.len() != conjoint.profiles_per_task as usize {
            problems.push(
                format!("{path}.profiles"),
                format!(
                    "{} profiles; the design says {} per task",
                    task.profiles.len(),
                    conjoint.profiles_per_task
                ),
            );
        }
        for (p, profile) in task.profiles.iter().enumerate() {
            if profile.len() != attributes {
                problems.push(
                    format!("{path}.profiles[{p}]"),
                    format!(
                        "{} levels; the design has {attributes} attributes",
                        profile.len()
                    ),
                );
                continue;
            }
            for (a, &level) in profile.iter().enumerate() {
                let count = conjoint.attributes[a].levels.len();
                if level as usize >= count {
                    problems.push(
                        format!("{path}.profiles[{p}][{a}]"),
                        format!(
                            "level index {level}, but {:?} has {count} levels",
                            conjoint.attributes[a].name
                        ),
                    );
                }
            }
        }
    }
}

fn check_fielding(fielding: &Fielding, results: &[ResponseTable], problems: &mut Problems) {
    problems.names(
        fielding.endpoints.iter().map(|e| e.id.as_str()),
        |i| format!("fielding.endpoints[{i}].id"),
        "endpoint id",
    );
    for (e, endpoint) in fielding.endpoints.iter().enumerate() {
        let path = format!("fielding.endpoints[{e}]");
        if endpoint.model.trim().is_empty() {
            problems.push(format!("{path}.model"), "empty model name");
        }
        let url = endpoint.base_url.as_str();
        if endpoint.provider != ProviderKind::Local
            && !(url.starts_with("http://") || url.starts_with("https://"))
        {
            problems.push(
                format!("{path}.base_url"),
                format!("{url:?} is not an http:// or https:// address"),
            );
        }
        if url.contains("key=") || url.contains('@') {
            problems.push(
                format!("{path}.base_url"),
                "looks like it carries a key or password; keys are entered in the page and never stored in the study",
            );
        }
        for (h, header) in endpoint.headers.iter().enumerate() {
            if SECRET_HEADERS.contains(&header.name.to_ascii_lowercase().as_str()) {
                problems.push(
                    format!("{path}.headers[{h}]"),
                    format!(
                        "{:?} carries a credential; keys are entered in the page and never stored in the study",
                        header.name
                    ),
                );
            }
        }
        let p = &endpoint.parameters;
        if p.temperature.is_some_and(|t| !(0.0..=2.0).contains(&t)) {
            problems.push(
                format!("{path}.parameters.temperature"),
                "must be between 0 and 2",
            );
        }
        if p.top_p.is_some_and(|t| !(t > 0.0 && t <= 1.0)) {
            problems.push(format!("{path}.parameters.top_p"), "must be in (0, 1]");
        }
        if p.top_logprobs > 20 {
            problems.push(format!("{path}.parameters.top_logprobs"), "at most 20");
        }
    }
    if fielding.samples_per_item < 1 {
        problems.push("fielding.samples_per_item", "at least 1 sample per item");
    }
    match &fielding.personas {
        PersonaSource::Template { fields, .. } => {
            for (f, field) in fields.iter().enumerate() {
                let path = format!("fielding.personas.fields[{f}]");
                if field.values.is_empty() {
                    problems.push(format!("{path}.values"), "lists no values");
                }
                if !field.weights.is_empty() && field.weights.len() != field.values.len() {
                    problems.push(
                        format!("{path}.weights"),
                        format!(
                            "{} weights for {} values",
                            field.weights.len(),
                            field.values.len()
                        ),
                    );
                }
                if field.weights.iter().any(|w| !(w.is_finite() && *w >= 0.0)) {
                    problems.push(format!("{path}.weights"), "weights must be ≥ 0");
                }
            }
        }
        PersonaSource::Table { table, columns, .. } => {
            match results.iter().find(|t| &t.name == table) {
                None => problems.push(
                    "fielding.personas.table",
                    format!("no response table named {table:?}"),
                ),
                Some(found) => {
                    for (c, column) in columns.iter().enumerate() {
                        if found.column(column).is_none() {
                            problems.push(
                                format!("fielding.personas.columns[{c}]"),
                                format!("table {table:?} has no column {column:?}"),
                            );
                        }
                    }
                }
            }
        }
        PersonaSource::None => {}
    }
}

/// The twins' target questions must be questions of the survey: an id naming none is silently never
/// asked, and were all of them unknown the twins would be asked nothing at all.
fn check_ask_only(ask_only: &[String], survey: &Survey, problems: &mut Problems) {
    for (i, id) in ask_only.iter().enumerate() {
        if !survey.questions.iter().any(|q| &q.id == id) {
            problems.push(
                format!("fielding.ask_only[{i}]"),
                format!("no question with id {id:?} in the survey"),
            );
        }
    }
}

fn check_results(results: &[ResponseTable], problems: &mut Problems) {
    problems.names(
        results.iter().map(|t| t.name.as_str()),
        |i| format!("results[{i}].name"),
        "table name",
    );
    for (t, table) in results.iter().enumerate() {
        let path = format!("results[{t}]");
        if table.provenance.description.trim().is_empty() {
            problems.push(
                format!("{path}.provenance.description"),
                "say where the data come from",
            );
        }
        problems.names(
            table.columns.iter().map(|c| c.name.as_str()),
            |i| format!("{path}.columns[{i}].name"),
            "column name",
        );
        let rows = table.row_count();
        for (c, column) in table.columns.iter().enumerate() {
            if column.values.len() != rows {
                problems.push(
                    format!("{path}.columns[{c}].values"),
                    format!(
                        "{} values; the table's first column has {rows}",
                        column.values.len()
                    ),
                );
            }
            if let ColumnValues::Number(values) = &column.values {
                if let Some(r) = values
                    .iter()
                    .position(|v| v.is_some_and(|x| !x.is_finite()))
                {
                    problems.push(
                        format!("{path}.columns[{c}].values[{r}]"),
                        "not a finite number (use null for missing)",
                    );
                }
            }
        }
    }
}

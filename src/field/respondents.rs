//! How many respondents a run fields when the settings name no number, and why: the page's
//! preview and placeholder say where the number came from, the planner uses it, so Preview and
//! Start work on any study with nothing typed.

use super::error::FieldError;
use super::persona::natural_count;
use super::plan::{FieldSettings, Parts};
use std::collections::HashSet;

use crate::study::{ColumnRole, ColumnValues, ResponseSource, Study};

/// Respondents when the study gives no number of its own: enough to see a distribution and the
/// position check, few enough that the model in the page answers them in minutes.
pub const FALLBACK_RESPONDENTS: u32 = 10;

/// Where the number of respondents comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RespondentsFrom {
    /// Typed in the settings (`--respondents`, the Respondents field).
    Settings,
    /// The conjoint's stored design.
    StoredDesign,
    /// The persona source: a template's count or a persona table's people.
    Personas,
    /// The people in a table of human responses.
    HumanTable { table: String },
    /// None of those: [`FALLBACK_RESPONDENTS`].
    Fallback,
}

/// A number of respondents and its origin.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Respondents {
    pub count: u32,
    pub from: RespondentsFrom,
}

impl Respondents {
    /// Why this many, in words ("the study's stored design").
    pub fn reason(&self) -> String {
        match &self.from {
            RespondentsFrom::Settings => "as set".into(),
            RespondentsFrom::StoredDesign => "the study's stored design".into(),
            RespondentsFrom::Personas => "the study's personas".into(),
            RespondentsFrom::HumanTable { table } => {
                format!("the respondents of the human table {table:?}")
            }
            RespondentsFrom::Fallback => format!(
                "the default of {FALLBACK_RESPONDENTS}: the study has no stored design, personas or human responses"
            ),
        }
    }
}

/// The respondents a run fields: the settings' number, else the stored design's, else the
/// personas', else the first human table's people, else [`FALLBACK_RESPONDENTS`].
pub fn respondents(study: &Study, settings: &FieldSettings) -> Result<Respondents, FieldError> {
    let found = |count: u32, from: RespondentsFrom| Respondents { count, from };
    if let Some(n) = settings.respondents {
        if n == 0 {
            return Err(FieldError::NoRespondents);
        }
        return Ok(found(n, RespondentsFrom::Settings));
    }
    // The design counts only when its conjoint is fielded.
    let stored = study
        .conjoint
        .as_ref()
        .filter(|c| !c.attributes.is_empty() && settings.parts != Parts::Survey)
        .and_then(|c| c.tasks.iter().map(|t| t.respondent).max())
        .filter(|&n| n > 0);
    if let Some(n) = stored {
        return Ok(found(n, RespondentsFrom::StoredDesign));
    }
    if let Some(n) = natural_count(study)?.filter(|&n| n > 0) {
        return Ok(found(n, RespondentsFrom::Personas));
    }
    if let Some((table, n)) = human_respondents(study) {
        return Ok(found(n, RespondentsFrom::HumanTable { table }));
    }
    Ok(found(FALLBACK_RESPONDENTS, RespondentsFrom::Fallback))
}

/// The first human table with a respondent column, and how many distinct respondents it holds.
fn human_respondents(study: &Study) -> Option<(String, u32)> {
    study
        .results
        .iter()
        .filter(|t| t.source == ResponseSource::Human)
        .find_map(|t| {
            let column = t
                .columns
                .iter()
                .find(|c| c.role == ColumnRole::Respondent)?;
            let n = distinct(&column.values);
            (n > 0).then(|| (t.name.clone(), n))
        })
}

fn distinct(values: &ColumnValues) -> u32 {
    let n = match values {
        ColumnValues::Number(v) => v
            .iter()
            .flatten()
            .map(|x| x.to_bits())
            .collect::<HashSet<_>>()
            .len(),
        ColumnValues::Text(v) => v.iter().flatten().collect::<HashSet<_>>().len(),
    };
    n as u32
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::study::{Column, Provenance, ResponseTable};

    fn study() -> Study {
        let json = include_str!("../../public/examples/immigration.json");
        crate::study::parse_study(json.as_bytes()).expect("the example loads")
    }

    fn settings(study: &Study) -> FieldSettings {
        FieldSettings::from_study(study)
    }

    #[test]
    fn each_source_in_turn_and_the_reason_says_which() {
        let mut s = study();
        // The immigration example: no design, no personas, 1,396 people in its human table.
        let r = respondents(&s, &settings(&s)).expect("a number");
        assert_eq!(
            r.from,
            RespondentsFrom::HumanTable {
                table: "human".into()
            }
        );
        assert_eq!(r.count, 1396);
        assert!(r.reason().contains("human"), "{}", r.reason());
        // Typed wins.
        let mut typed = settings(&s);
        typed.respondents = Some(10);
        assert_eq!(respondents(&s, &typed).expect("typed").count, 10);
        typed.respondents = Some(0);
        assert!(respondents(&s, &typed).is_err());
        // A stored design comes first.
        let conjoint = s.conjoint.as_mut().expect("a conjoint");
        conjoint.tasks = crate::design::generate(conjoint, 3, 1).expect("a design");
        let r = respondents(&s, &settings(&s)).expect("a number");
        assert_eq!((r.count, r.from), (3, RespondentsFrom::StoredDesign));
        // ... unless only the survey is fielded.
        let mut survey_only = settings(&s);
        survey_only.parts = Parts::Survey;
        assert_eq!(respondents(&s, &survey_only).expect("a number").count, 1396);
        // Nothing at all: the fallback, and the reason names it.
        s.conjoint.as_mut().expect("a conjoint").tasks.clear();
        s.results.clear();
        let r = respondents(&s, &settings(&s)).expect("a number");
        assert_eq!((r.count, &r.from), (10, &RespondentsFrom::Fallback));
        assert!(r.reason().contains("10"), "{}", r.reason());
        // A human table of text ids counts distinct people.
        s.results.push(ResponseTable {
            name: "people".into(),
            source: ResponseSource::Human,
            provenance: Provenance::default(),
            columns: vec![Column {
                name: "id".into(),
                role: ColumnRole::Respondent,
                values: ColumnValues::Text(vec![
                    Some("a".into()),
                    Some("a".into()),
                    Some("b".into()),
                    None,
                ]),
            }],
        });
        let r = respondents(&s, &settings(&s)).expect("a number");
        assert_eq!(r.count, 2);
    }
}

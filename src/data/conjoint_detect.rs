//! Recognising a wide Qualtrics conjoint export and guessing how to read it, so the page and
//! `silico import` reshape it the same way without being told: the randomiser's embedded-data
//! fields `F-task-profile-row` say it is one, the longest run of numbered columns `P1, P2, …` are
//! the choices, and the respondent-level columns worth keeping ride along as covariates.

use super::conjoint_reshape::ConjointLayout;
use super::import::ImportSummary;

/// Qualtrics' own id columns, which the reshape places itself.
const RESPONDENT_IDS: [&str; 3] = ["ResponseId", "ResponseID", "_recordId"];

/// A Qualtrics conjoint export carries its design in embedded-data fields `F-task-profile-row`.
pub fn is_wide_conjoint<'a>(mut columns: impl Iterator<Item = &'a str>) -> bool {
    columns.any(|name| name.starts_with("F-1-1-"))
}

/// The choice-column pattern: the prefix `P` with the longest run `P1`, `P2`, … among the columns
/// (design fields excluded), as `P{task}`; `Q{task}` when nothing fits.
pub fn guess_choice_pattern(names: &[String]) -> String {
    let has = |name: &str| names.iter().any(|n| n == name);
    names
        .iter()
        .filter_map(|n| n.strip_suffix('1'))
        .filter(|prefix| !prefix.starts_with("F-") && !prefix.is_empty())
        .map(|prefix| {
            let run = (1..).take_while(|t| has(&format!("{prefix}{t}"))).count();
            (run, prefix)
        })
        .filter(|(run, _)| *run >= 2)
        .max_by_key(|(run, _)| *run)
        .map(|(_, prefix)| format!("{prefix}{{task}}"))
        .unwrap_or_else(|| "Q{task}".to_string())
}

/// Whether `name` is one of the choice columns `pattern` describes (`Q{task}` → Q1, Q2, …).
fn is_choice_column(name: &str, pattern: &str) -> bool {
    let Some((prefix, suffix)) = pattern.split_once("{task}") else {
        return false;
    };
    name.strip_prefix(prefix)
        .and_then(|rest| rest.strip_suffix(suffix))
        .is_some_and(|task| !task.is_empty() && task.chars().all(|c| c.is_ascii_digit()))
}

/// Respondent-level columns worth carrying onto the long table as covariates (for subgroups):
/// what the engine deems usable in a persona plus the personal data the researcher `kept`, minus
/// the design fields, the choices and the respondent id the reshape already places.
pub fn conjoint_covariates(summary: &ImportSummary, pattern: &str, kept: &[String]) -> Vec<String> {
    summary
        .columns
        .iter()
        .map(|c| c.name.clone())
        .filter(|n| summary.persona_columns.contains(n) || kept.contains(n))
        .filter(|n| {
            !n.starts_with("F-")
                && !is_choice_column(n, pattern)
                && !RESPONDENT_IDS.contains(&n.as_str())
        })
        .collect()
}

impl ConjointLayout {
    /// How to reshape the export `summary` describes when nobody said: the guessed choice columns
    /// and the covariates (with the personal-data columns in `kept`).
    pub fn guess(summary: &ImportSummary, kept: &[String]) -> Self {
        let names: Vec<String> = summary.columns.iter().map(|c| c.name.clone()).collect();
        let mut layout = Self::new(&guess_choice_pattern(&names));
        layout.keep = conjoint_covariates(summary, &layout.choice, kept);
        layout
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn the_longest_numbered_run_is_the_choice_pattern() {
        let columns = names(&[
            "ResponseId",
            "F-1-1",
            "F-1-1-1",
            "Q1",
            "Q2",
            "C1",
            "C2",
            "C3",
            "age1",
        ]);
        assert_eq!(guess_choice_pattern(&columns), "C{task}");
        assert_eq!(guess_choice_pattern(&names(&["a", "b"])), "Q{task}");
        assert!(is_wide_conjoint(columns.iter().map(String::as_str)));
        assert!(!is_wide_conjoint(["Q1", "F-1-1"].into_iter()));
    }

    #[test]
    fn choice_columns_follow_the_pattern_with_digits_only() {
        assert!(is_choice_column("Q12", "Q{task}"));
        assert!(is_choice_column("T3_choice", "T{task}_choice"));
        assert!(!is_choice_column("Q", "Q{task}"));
        assert!(!is_choice_column("Qx", "Q{task}"));
        assert!(!is_choice_column("Q1", "no task here"));
    }
}

//! The JSON Schema of the study file, generated from the serde types so the two never disagree.

use super::model::Study;

/// The schema as pretty JSON; `public/schema/study-1.json` holds a copy that a test keeps current.
pub fn study_schema_json() -> String {
    let mut schema = schemars::schema_for!(Study);
    schema.insert(
        "$id".into(),
        "https://silico.invalid/schema/study-1.json".into(),
    );
    schema.insert(
        "title".into(),
        "silico study file, format silico-study/1".into(),
    );
    // A schema built from our own types always serialises.
    let mut text = serde_json::to_string_pretty(&schema)
        .unwrap_or_else(|e| unreachable!("schema serialises: {e}"));
    text.push('\n');
    text
}

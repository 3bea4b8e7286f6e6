//! Qualtrics' CSV/Excel export: three header rows — column names, the question texts, and
//! `{"ImportId":"QID12"}` JSON per column. The second and third rows are metadata, not responses; they
//! are kept per column so columns can be matched to a study's questions by their wording.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// What Qualtrics says about one column.
#[derive(Serialize, Deserialize, JsonSchema, Clone, Debug, PartialEq, Default)]
pub struct ColumnInfo {
    /// The column name (header row 1), e.g. `Q3` or `F-1-2`.
    pub name: String,
    /// The question text as shown to respondents (header row 2).
    pub question_text: String,
    /// Qualtrics' internal id (header row 3), e.g. `QID12`, `QID5_TEXT` or `_recordId`.
    pub import_id: String,
}

/// The metadata rows of a Qualtrics export, one entry per column, in column order.
#[derive(Serialize, Deserialize, JsonSchema, Clone, Debug, PartialEq, Default)]
pub struct QualtricsColumns {
    pub columns: Vec<ColumnInfo>,
}

impl QualtricsColumns {
    pub fn get(&self, name: &str) -> Option<&ColumnInfo> {
        self.columns.iter().find(|c| c.name == name)
    }
}

/// The import id in a third-row cell such as `{"ImportId":"QID1_TEXT"}` (other keys, e.g. `timeZone`,
/// may follow).
pub fn import_id(cell: &str) -> Option<String> {
    let cell = cell.trim();
    if !cell.starts_with('{') {
        return None;
    }
    let value: serde_json::Value = serde_json::from_str(cell).ok()?;
    value.get("ImportId")?.as_str().map(str::to_string)
}

/// A record is Qualtrics' third header row when every non-empty cell is an ImportId object (and there
/// is at least one).
pub fn is_import_id_row<'a>(cells: impl IntoIterator<Item = &'a str>) -> bool {
    let mut any = false;
    for cell in cells {
        if cell.trim().is_empty() {
            continue;
        }
        if import_id(cell).is_none() {
            return false;
        }
        any = true;
    }
    any
}

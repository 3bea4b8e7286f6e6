//! A table cell as text, the one way every part of the engine reads it: numbers as a CSV shows
//! them (`3`, not `3.0`), and text that is empty or only white space counts as missing.

use super::model::{Column, ColumnValues};

/// A number as a table cell shows it: whole numbers without a decimal point, others in Rust's
/// shortest round-trip form (which R and pandas read back exactly).
pub fn number_text(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        format!("{x}")
    }
}

impl ColumnValues {
    /// Row `row` as text; `None` when missing (or past the end).
    pub fn text(&self, row: usize) -> Option<String> {
        match self {
            Self::Number(v) => v.get(row).copied().flatten().map(number_text),
            Self::Text(v) => v
                .get(row)
                .and_then(|cell| cell.as_deref())
                .filter(|s| !s.trim().is_empty())
                .map(str::to_string),
        }
    }
}

impl Column {
    /// Row `row` as text; `None` when missing.
    pub fn text(&self, row: usize) -> Option<String> {
        self.values.text(row)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_as_a_csv_writes_them_and_blank_text_is_missing() {
        assert_eq!(number_text(3.0), "3");
        assert_eq!(number_text(-0.25), "-0.25");
        assert_eq!(number_text(1e20), "100000000000000000000");
        let numbers = ColumnValues::Number(vec![Some(2.0), None]);
        assert_eq!(numbers.text(0).as_deref(), Some("2"));
        assert_eq!(numbers.text(1), None);
        assert_eq!(numbers.text(9), None);
        let text = ColumnValues::Text(vec![Some("a b".into()), Some("  ".into()), None]);
        assert_eq!(text.text(0).as_deref(), Some("a b"));
        assert_eq!((text.text(1), text.text(2)), (None, None));
    }
}

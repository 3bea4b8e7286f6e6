//! How an answer is written as one text value, for every question type, so the logic, the
//! records and the response tables read it the same way:
//! - one choice (single choice, dropdown, scale, a matrix item): the option code;
//! - several codes (multiple choice: selected; ranking: most preferred first): `a;b;c`;
//! - one value per item (matrix battery, several sliders, constant sum): `item=value;item=value`;
//! - a number or a text: as written.

/// Between the codes of a multiple choice or a ranking.
pub const LIST_SEPARATOR: char = ';';
/// Between an item and its value.
pub const ITEM_SEPARATOR: char = '=';

/// The codes of a list answer.
pub fn split_list(value: &str) -> Vec<&str> {
    value
        .split(LIST_SEPARATOR)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect()
}

/// The `(item, value)` pairs of an item answer; entries without `=` are left out.
pub fn split_items(value: &str) -> Vec<(&str, &str)> {
    split_list(value)
        .into_iter()
        .filter_map(|entry| {
            let (item, v) = entry.split_once(ITEM_SEPARATOR)?;
            Some((item.trim(), v.trim()))
        })
        .collect()
}

/// What is known of a question's answer when the walk reaches something that reads it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AnswerState<'a> {
    /// Asked and not settled yet: whatever reads it must wait.
    Pending,
    /// Settled with this answer.
    Answered(&'a str),
    /// Not shown, not reached, or settled without an answer (refused, unparsed, failed).
    NoAnswer,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_and_items_split_with_spaces_and_empties_ignored() {
        assert_eq!(split_list("a; b;;c"), vec!["a", "b", "c"]);
        assert_eq!(split_items("x=1; y = 2;z"), vec![("x", "1"), ("y", "2")]);
    }
}

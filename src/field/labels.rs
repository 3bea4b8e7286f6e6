//! The labels options are shown with: A, B, C… / 1, 2, 3… / the option text itself.

use crate::study::OptionLabels;

/// The label of the option shown at `position` (0-based). Past Z, letters fall back to numbers.
pub fn label(style: OptionLabels, position: usize, text: &str) -> String {
    match style {
        OptionLabels::Letters if position < 26 => char::from(b'A' + position as u8).to_string(),
        OptionLabels::Text => text.to_string(),
        _ => (position + 1).to_string(),
    }
}

/// Profile labels follow the design preview (`design::task_prompt`): letters, else numbers, since
/// a profile has no text of its own.
pub fn profile_label(style: OptionLabels, position: usize) -> String {
    match style {
        OptionLabels::Letters if position < 26 => char::from(b'A' + position as u8).to_string(),
        _ => (position + 1).to_string(),
    }
}

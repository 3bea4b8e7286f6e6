//! The Okabe–Ito palette: eight colours told apart under the common colour-vision deficiencies.
//! Series take them in an order that keeps the first few high-contrast on white (yellow last).

use plotters::style::RGBColor;

pub const BLUE: RGBColor = RGBColor(0x00, 0x72, 0xB2);
pub const VERMILLION: RGBColor = RGBColor(0xD5, 0x5E, 0x00);
pub const BLUISH_GREEN: RGBColor = RGBColor(0x00, 0x9E, 0x73);
pub const ORANGE: RGBColor = RGBColor(0xE6, 0x9F, 0x00);
pub const REDDISH_PURPLE: RGBColor = RGBColor(0xCC, 0x79, 0xA7);
pub const SKY_BLUE: RGBColor = RGBColor(0x56, 0xB4, 0xE9);
pub const BLACK: RGBColor = RGBColor(0x00, 0x00, 0x00);
pub const YELLOW: RGBColor = RGBColor(0xF0, 0xE4, 0x42);

/// Series colours in the order series use them.
pub const SERIES: [RGBColor; 8] = [
    BLUE,
    VERMILLION,
    BLUISH_GREEN,
    ORANGE,
    REDDISH_PURPLE,
    SKY_BLUE,
    BLACK,
    YELLOW,
];

/// The colour of series `index` (wrapping after eight).
pub fn series(index: usize) -> RGBColor {
    SERIES[index % SERIES.len()]
}

/// `#rrggbb`, for legends and tests.
pub fn hex(colour: RGBColor) -> String {
    format!("#{:02X}{:02X}{:02X}", colour.0, colour.1, colour.2)
}

// Neutral inks for text, axes and reference lines.
pub const TEXT: RGBColor = RGBColor(0x1F, 0x23, 0x28);
pub const MUTED: RGBColor = RGBColor(0x5B, 0x63, 0x6E);
pub const GRID: RGBColor = RGBColor(0xE3, 0xE6, 0xEA);
pub const REFERENCE: RGBColor = RGBColor(0x44, 0x44, 0x44);
pub const BAND: RGBColor = RGBColor(0xF5, 0xF6, 0xF8);

//! Native text rendering: plotters' ab_glyph renderer needs a font registered by name. We ship DejaVu
//! Sans (free licence, see fonts/LICENSE-DejaVu.txt) so PNGs never depend on system font libraries.
//! The page does not use this: the browser draws text on the canvas itself.

use std::sync::Once;

use plotters::style::{register_font, FontStyle};

static FONT: &[u8] = include_bytes!("fonts/DejaVuSans.ttf");
static REGISTER: Once = Once::new();

/// Registers the font as "sans-serif" (every style falls back to it); idempotent.
pub fn ensure_registered() {
    REGISTER.call_once(|| {
        // The font is compiled in and known to parse; a failure would only mean no text.
        let _ = register_font("sans-serif", FontStyle::Normal, FONT);
    });
}

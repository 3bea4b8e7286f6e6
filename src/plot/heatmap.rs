//! A matrix of values in [0, 1] as coloured cells (respondent × question agreement): white for 0,
//! Okabe–Ito blue for 1, grey where there is no value, with a colour key. Large matrices are binned
//! by the caller so every cell stays visible.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::draw::{failed, fit_text, title_block, Layout, MARGIN, SUBTITLE_H, TITLE_H};
use super::palette;
use super::PlotError;

#[derive(Clone, Debug, PartialEq)]
pub struct Heatmap {
    pub title: String,
    pub subtitle: String,
    pub row_label: String,
    pub column_label: String,
    /// Row names, drawn when there are few enough to read.
    pub rows: Vec<String>,
    pub columns: Vec<String>,
    /// Row-major, `rows × columns`; NaN = no value.
    pub values: Vec<f32>,
}

/// Row names are drawn only up to this many rows.
const MAX_NAMED_ROWS: usize = 40;
const KEY_H: f64 = 34.0;
const LABELS_W: f64 = 120.0;
const PLOT_H: f64 = 420.0;
const BOTTOM: f64 = 30.0;
/// No value.
const MISSING: RGBColor = RGBColor(0xC8, 0xCC, 0xD2);

/// The cell colour of `v` (clamped to [0, 1]): white to blue.
pub fn colour(v: f32) -> RGBColor {
    if !v.is_finite() {
        return MISSING;
    }
    let t = f64::from(v.clamp(0.0, 1.0));
    let mix = |a: u8, b: u8| (f64::from(a) + (f64::from(b) - f64::from(a)) * t).round() as u8;
    let blue = palette::BLUE;
    RGBColor(mix(0xFF, blue.0), mix(0xFF, blue.1), mix(0xFF, blue.2))
}

fn top(chart: &Heatmap, l: &Layout) -> i32 {
    l.px(MARGIN + TITLE_H + KEY_H)
        + if chart.subtitle.is_empty() {
            0
        } else {
            l.px(SUBTITLE_H)
        }
}

fn plot_height(chart: &Heatmap, l: &Layout) -> i32 {
    if chart.rows.len() <= MAX_NAMED_ROWS {
        l.px(16.0) * chart.rows.len().max(1) as i32
    } else {
        l.px(PLOT_H)
    }
}

pub fn height(chart: &Heatmap, scale: f64) -> u32 {
    let l = Layout { scale };
    (top(chart, &l) + plot_height(chart, &l) + l.px(BOTTOM + MARGIN)).max(1) as u32
}

pub fn draw<DB: DrawingBackend>(
    chart: &Heatmap,
    area: &DrawingArea<DB, Shift>,
    scale: f64,
) -> Result<(), PlotError> {
    let l = Layout { scale };
    let (width, _) = area.dim_in_pixel();
    let (n_rows, n_cols) = (chart.rows.len(), chart.columns.len());
    if n_rows == 0 || n_cols == 0 || chart.values.len() != n_rows * n_cols {
        return Err(PlotError::Empty("the matrix has no cells".into()));
    }
    area.fill(&WHITE).map_err(failed)?;
    let y = title_block(area, &l, &chart.title, &chart.subtitle)?;
    let small = l
        .font(11.0, false)
        .color(&palette::MUTED)
        .pos(Pos::new(HPos::Left, VPos::Center));
    // Colour key: 0 … 1 in eleven steps, then the "no value" swatch.
    let key_y = y + l.px(4.0);
    let step = l.px(22.0);
    let mut x = l.px(MARGIN);
    area.draw(&Text::new("0", (x, key_y + l.px(7.0)), small.clone()))
        .map_err(failed)?;
    x += l.px(12.0);
    for k in 0..=10 {
        area.draw(&Rectangle::new(
            [(x, key_y), (x + step, key_y + l.px(14.0))],
            colour(k as f32 / 10.0).filled(),
        ))
        .map_err(failed)?;
        x += step;
    }
    area.draw(&Text::new(
        "1",
        (x + l.px(4.0), key_y + l.px(7.0)),
        small.clone(),
    ))
    .map_err(failed)?;
    x += l.px(24.0);
    area.draw(&Rectangle::new(
        [(x, key_y), (x + step, key_y + l.px(14.0))],
        MISSING.filled(),
    ))
    .map_err(failed)?;
    area.draw(&Text::new(
        "no value",
        (x + step + l.px(6.0), key_y + l.px(7.0)),
        small.clone(),
    ))
    .map_err(failed)?;

    let named = n_rows <= MAX_NAMED_ROWS;
    let left = l.px(MARGIN) + if named { l.px(LABELS_W) } else { l.px(18.0) };
    let right = width as i32 - l.px(MARGIN);
    let top = top(chart, &l);
    let bottom = top + plot_height(chart, &l);
    let cell_w = f64::from(right - left) / n_cols as f64;
    let cell_h = f64::from(bottom - top) / n_rows as f64;
    for i in 0..n_rows {
        let y0 = top + (i as f64 * cell_h).round() as i32;
        let y1 = top + ((i + 1) as f64 * cell_h).round() as i32;
        for j in 0..n_cols {
            let x0 = left + (j as f64 * cell_w).round() as i32;
            let x1 = left + ((j + 1) as f64 * cell_w).round() as i32;
            area.draw(&Rectangle::new(
                [(x0, y0), (x1, y1)],
                colour(chart.values[i * n_cols + j]).filled(),
            ))
            .map_err(failed)?;
        }
        if named {
            let text = fit_text(area, &chart.rows[i], &small, l.px(LABELS_W - 8.0) as u32)?;
            area.draw(&Text::new(
                text,
                (l.px(MARGIN), (y0 + y1) / 2),
                small.clone(),
            ))
            .map_err(failed)?;
        }
    }
    let label = l
        .font(12.0, false)
        .color(&palette::TEXT)
        .pos(Pos::new(HPos::Center, VPos::Top));
    area.draw(&Text::new(
        chart.column_label.clone(),
        ((left + right) / 2, bottom + l.px(8.0)),
        label.clone(),
    ))
    .map_err(failed)?;
    if !named {
        area.draw(&Text::new(
            chart.row_label.clone(),
            (l.px(MARGIN), (top + bottom) / 2),
            label.transform(FontTransform::Rotate270),
        ))
        .map_err(failed)?;
    }
    Ok(())
}

//! Draws a [`Figure`] on any plotters backend. The layout is computed here, in pixels, from the
//! figure alone (plus text measurements from the backend), so the canvas in the page, the SVG and
//! the PNG show the same chart.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::figure::{Figure, Mark, Panel, RowLabel};
use super::palette;
use super::scale::Axis;
use super::PlotError;

/// Fixed sizes at scale 1, in pixels.
pub(super) const MARGIN: f64 = 14.0;
pub(super) const TITLE_H: f64 = 28.0;
pub(super) const SUBTITLE_H: f64 = 18.0;
const LEGEND_H: f64 = 24.0;
const PANEL_TITLE_H: f64 = 22.0;
const HEADER_H: f64 = 24.0;
const ITEM_H: f64 = 20.0;
const AXIS_H: f64 = 50.0;
const PANEL_GAP: f64 = 32.0;
const INDENT: f64 = 14.0;

/// Sizes at a given scale (2 for a sharp PNG or a high-density screen).
pub(super) struct Layout {
    pub(super) scale: f64,
}

impl Layout {
    pub(super) fn px(&self, v: f64) -> i32 {
        (v * self.scale).round() as i32
    }

    pub(super) fn font(&self, size: f64, bold: bool) -> FontDesc<'static> {
        let style = if bold {
            FontStyle::Bold
        } else {
            FontStyle::Normal
        };
        FontDesc::new(FontFamily::SansSerif, size * self.scale, style)
    }

    fn top_of_rows(&self, figure: &Figure) -> i32 {
        let mut top = MARGIN + TITLE_H;
        if !figure.subtitle.is_empty() {
            top += SUBTITLE_H;
        }
        if figure.has_legend() {
            top += LEGEND_H;
        }
        if figure.panels.iter().any(|p| !p.title.is_empty()) {
            top += PANEL_TITLE_H;
        }
        self.px(top)
    }

    fn row_height(&self, row: &RowLabel) -> i32 {
        self.px(match row {
            RowLabel::Header(_) => HEADER_H,
            RowLabel::Item(_) => ITEM_H,
        })
    }
}

/// The height a figure needs at `scale` (its width is the caller's choice).
pub fn height(figure: &Figure, scale: f64) -> u32 {
    let layout = Layout { scale };
    let rows: i32 = figure.rows.iter().map(|r| layout.row_height(r)).sum();
    (layout.top_of_rows(figure) + rows + layout.px(AXIS_H + MARGIN)).max(1) as u32
}

/// The title and (when given) the subtitle at the top left, as every chart has them; returns the
/// y below the block.
pub(super) fn title_block<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    l: &Layout,
    title: &str,
    subtitle: &str,
) -> Result<i32, PlotError> {
    let mut y = l.px(MARGIN);
    area.draw(&Text::new(
        title.to_string(),
        (l.px(MARGIN), y),
        l.font(17.0, true).color(&palette::TEXT),
    ))
    .map_err(failed)?;
    y += l.px(TITLE_H);
    if !subtitle.is_empty() {
        area.draw(&Text::new(
            subtitle.to_string(),
            (l.px(MARGIN), y - l.px(6.0)),
            l.font(12.0, false).color(&palette::MUTED),
        ))
        .map_err(failed)?;
        y += l.px(SUBTITLE_H);
    }
    Ok(y)
}

pub(super) fn failed<E: std::fmt::Debug>(error: E) -> PlotError {
    PlotError::draw(format!("{error:?}"))
}

/// Text cut to fit `width` pixels, ending in "…" when cut.
pub(super) fn fit_text<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    text: &str,
    style: &TextStyle,
    width: u32,
) -> Result<String, PlotError> {
    if area.estimate_text_size(text, style).map_err(failed)?.0 <= width {
        return Ok(text.to_string());
    }
    let chars: Vec<char> = text.chars().collect();
    for keep in (1..chars.len()).rev() {
        let candidate: String = chars[..keep].iter().collect::<String>() + "…";
        if area
            .estimate_text_size(&candidate, style)
            .map_err(failed)?
            .0
            <= width
        {
            return Ok(candidate);
        }
    }
    Ok("…".into())
}

/// Draws `figure` filling `area` at scale 1.
pub fn draw<DB: DrawingBackend>(
    figure: &Figure,
    area: &DrawingArea<DB, Shift>,
) -> Result<(), PlotError> {
    draw_scaled(figure, area, 1.0)
}

/// Draws `figure` filling `area`, every size multiplied by `scale`.
pub fn draw_scaled<DB: DrawingBackend>(
    figure: &Figure,
    area: &DrawingArea<DB, Shift>,
    scale: f64,
) -> Result<(), PlotError> {
    let l = Layout { scale };
    let (width, _) = area.dim_in_pixel();
    let width = width as i32;
    area.fill(&WHITE).map_err(failed)?;

    let header_style = l
        .font(13.0, true)
        .color(&palette::TEXT)
        .pos(Pos::new(HPos::Left, VPos::Center));
    let item_style = l
        .font(12.0, false)
        .color(&palette::TEXT)
        .pos(Pos::new(HPos::Left, VPos::Center));
    let tick_style = l
        .font(11.0, false)
        .color(&palette::MUTED)
        .pos(Pos::new(HPos::Center, VPos::Top));
    let axis_label_style = l
        .font(12.0, false)
        .color(&palette::TEXT)
        .pos(Pos::new(HPos::Center, VPos::Top));
    let panel_title_style = l
        .font(13.0, true)
        .color(&palette::TEXT)
        .pos(Pos::new(HPos::Center, VPos::Top));

    title_block(area, &l, &figure.title, &figure.subtitle)?;

    // Label column: as wide as the longest label, at most 40% of the figure.
    let max_label = (f64::from(width) * 0.4) as u32;
    let mut label_width = 0u32;
    for row in &figure.rows {
        let (text, style, indent) = match row {
            RowLabel::Header(t) => (t, &header_style, 0),
            RowLabel::Item(t) => (t, &item_style, l.px(INDENT) as u32),
        };
        let w = area.estimate_text_size(text, style).map_err(failed)?.0 + indent;
        label_width = label_width.max(w.min(max_label));
    }
    let plots_left = l.px(MARGIN) + label_width as i32 + l.px(16.0);
    let plots_right = width - l.px(MARGIN + 10.0);
    let n_panels = figure.panels.len().max(1) as i32;
    let gap = l.px(PANEL_GAP);
    let panel_width = ((plots_right - plots_left - gap * (n_panels - 1)) / n_panels).max(40);
    let panel_x = |p: usize| {
        let left = plots_left + p as i32 * (panel_width + gap);
        (left, left + panel_width)
    };

    let rows_top = l.top_of_rows(figure);
    let rows_bottom = rows_top + figure.rows.iter().map(|r| l.row_height(r)).sum::<i32>();

    // Legend: the series of the panel that has the most.
    if figure.has_legend() {
        let legend_y = rows_top
            - l.px(LEGEND_H)
            - if figure.panels.iter().any(|p| !p.title.is_empty()) {
                l.px(PANEL_TITLE_H)
            } else {
                0
            }
            + l.px(LEGEND_H / 2.0);
        if let Some(panel) = figure.panels.iter().max_by_key(|p| p.series.len()) {
            let mut x = plots_left;
            for series in &panel.series {
                let colour = palette::series(series.colour);
                area.draw(&Circle::new(
                    (x + l.px(5.0), legend_y),
                    l.px(5.0),
                    colour.filled(),
                ))
                .map_err(failed)?;
                area.draw(&Text::new(
                    series.name.clone(),
                    (x + l.px(14.0), legend_y),
                    item_style.clone(),
                ))
                .map_err(failed)?;
                let w = area
                    .estimate_text_size(&series.name, &item_style)
                    .map_err(failed)?
                    .0 as i32;
                x += l.px(30.0) + w;
            }
        }
    }

    // Shade every other feature section so long charts read across.
    let mut y = rows_top;
    let mut section = 0;
    let mut section_start = rows_top;
    let mut row_centres = Vec::new();
    for (i, row) in figure.rows.iter().enumerate() {
        if let RowLabel::Header(_) = row {
            if i > 0 {
                shade(area, section, section_start, y, width, &l)?;
                section += 1;
            }
            section_start = y;
        }
        let h = l.row_height(row);
        if let RowLabel::Item(_) = row {
            row_centres.push(y + h / 2);
        }
        y += h;
    }
    shade(area, section, section_start, y, width, &l)?;

    // Row labels.
    let mut y = rows_top;
    for row in &figure.rows {
        let h = l.row_height(row);
        let (text, style, x) = match row {
            RowLabel::Header(t) => (t, &header_style, l.px(MARGIN)),
            RowLabel::Item(t) => (t, &item_style, l.px(MARGIN + INDENT)),
        };
        let room = (max_label as i32 - (x - l.px(MARGIN))).max(10) as u32;
        let text = fit_text(area, text, style, room)?;
        area.draw(&Text::new(text, (x, y + h / 2), style.clone()))
            .map_err(failed)?;
        y += h;
    }

    for (p, panel) in figure.panels.iter().enumerate() {
        let (left, right) = panel_x(p);
        let (lo, hi) = panel.extent().unwrap_or((0.0, 1.0));
        let target = ((right - left) / l.px(80.0)).clamp(2, 8) as usize;
        let axis = Axis::nice(lo, hi, target);
        if !panel.title.is_empty() {
            area.draw(&Text::new(
                panel.title.clone(),
                ((left + right) / 2, rows_top - l.px(PANEL_TITLE_H)),
                panel_title_style.clone(),
            ))
            .map_err(failed)?;
        }
        // Grid, reference line, axis.
        for &tick in &axis.ticks {
            let x = axis.to_pixel(tick, left, right);
            area.draw(&PathElement::new(
                vec![(x, rows_top), (x, rows_bottom)],
                palette::GRID.stroke_width(l.px(1.0).max(1) as u32),
            ))
            .map_err(failed)?;
            area.draw(&PathElement::new(
                vec![(x, rows_bottom), (x, rows_bottom + l.px(4.0))],
                palette::MUTED.stroke_width(l.px(1.0).max(1) as u32),
            ))
            .map_err(failed)?;
            area.draw(&Text::new(
                axis.label(tick),
                (x, rows_bottom + l.px(6.0)),
                tick_style.clone(),
            ))
            .map_err(failed)?;
        }
        area.draw(&PathElement::new(
            vec![(left, rows_bottom), (right, rows_bottom)],
            palette::MUTED.stroke_width(l.px(1.0).max(1) as u32),
        ))
        .map_err(failed)?;
        area.draw(&Text::new(
            panel.x_label.clone(),
            ((left + right) / 2, rows_bottom + l.px(24.0)),
            axis_label_style.clone(),
        ))
        .map_err(failed)?;
        if let Some(reference) = panel.reference {
            let x = axis.to_pixel(reference, left, right);
            area.draw(&PathElement::new(
                vec![(x, rows_top), (x, rows_bottom)],
                palette::REFERENCE.stroke_width(l.px(1.5).max(1) as u32),
            ))
            .map_err(failed)?;
        }
        draw_marks(area, panel, &axis, left, right, &row_centres, &l)?;
    }
    Ok(())
}

fn shade<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    section: usize,
    top: i32,
    bottom: i32,
    width: i32,
    l: &Layout,
) -> Result<(), PlotError> {
    if section % 2 == 1 {
        area.draw(&Rectangle::new(
            [
                (l.px(MARGIN / 2.0), top),
                (width - l.px(MARGIN / 2.0), bottom),
            ],
            palette::BAND.filled(),
        ))
        .map_err(failed)?;
    }
    Ok(())
}

/// Dots with intervals, or bars, for every series, dodged vertically within each row; or one bar
/// per row with the other series as vertical target ticks on it.
fn draw_marks<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    panel: &Panel,
    axis: &Axis,
    left: i32,
    right: i32,
    row_centres: &[i32],
    l: &Layout,
) -> Result<(), PlotError> {
    let n = panel.series.len().max(1);
    let room = ITEM_H * 0.75;
    let step = (room / n as f64).min(7.0);
    let note_style = l
        .font(11.0, false)
        .color(&palette::MUTED)
        .pos(Pos::new(HPos::Left, VPos::Center));
    for (i, &centre) in row_centres.iter().enumerate() {
        let mut any = false;
        for (s, series) in panel.series.iter().enumerate() {
            let Some(point) = series.points.get(i).copied().flatten() else {
                continue;
            };
            any = true;
            let colour = palette::series(series.colour);
            // Targets sit on their bar, so only dots and plain bars are dodged.
            let offset = if panel.mark == Mark::BarWithTargets {
                0.0
            } else {
                (s as f64 - (n as f64 - 1.0) / 2.0) * step
            };
            let y = centre + l.px(offset);
            let x = |v: f64| axis.to_pixel(v, left, right);
            match panel.mark {
                Mark::Dot => {
                    if let Some((lo, hi)) = point.interval {
                        area.draw(&PathElement::new(
                            vec![(x(lo), y), (x(hi), y)],
                            colour.stroke_width(l.px(2.0).max(1) as u32),
                        ))
                        .map_err(failed)?;
                    }
                    area.draw(&Circle::new(
                        (x(point.value), y),
                        l.px(3.5),
                        colour.filled(),
                    ))
                    .map_err(failed)?;
                }
                Mark::BarWithTargets if s == 0 => {
                    let half = l.px((room / 2.0 * 0.6).min(6.0)).max(1);
                    area.draw(&Rectangle::new(
                        [(x(0.0), y - half), (x(point.value), y + half)],
                        colour.filled(),
                    ))
                    .map_err(failed)?;
                }
                Mark::BarWithTargets => {
                    let half = l.px(room / 2.0).max(2);
                    area.draw(&PathElement::new(
                        vec![(x(point.value), y - half), (x(point.value), y + half)],
                        colour.stroke_width(l.px(3.0).max(1) as u32),
                    ))
                    .map_err(failed)?;
                }
                Mark::Bar => {
                    let half = l.px((room / n as f64 / 2.0).min(7.0)).max(1);
                    area.draw(&Rectangle::new(
                        [(x(0.0), y - half), (x(point.value), y + half)],
                        colour.filled(),
                    ))
                    .map_err(failed)?;
                    if let Some((lo, hi)) = point.interval {
                        area.draw(&PathElement::new(
                            vec![(x(lo), y), (x(hi), y)],
                            palette::TEXT.stroke_width(l.px(1.0).max(1) as u32),
                        ))
                        .map_err(failed)?;
                    }
                }
            }
        }
        if !any && panel.series.iter().any(|s| !s.points.is_empty()) {
            area.draw(&Text::new(
                "not estimated",
                (left + l.px(4.0), centre),
                note_style.clone(),
            ))
            .map_err(failed)?;
        }
    }
    Ok(())
}

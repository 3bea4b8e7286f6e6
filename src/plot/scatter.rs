//! An x–y scatter with an optional identity line (human vs twin means): the one chart that is not a
//! list of labelled rows. Laid out from the chart alone, like [`super::draw`], so canvas, SVG and PNG
//! agree.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::draw::{failed, title_block, Layout, MARGIN, SUBTITLE_H, TITLE_H};
use super::palette;
use super::scale::Axis;
use super::PlotError;

#[derive(Clone, Debug, PartialEq)]
pub struct Scatter {
    pub title: String,
    pub subtitle: String,
    pub x_label: String,
    pub y_label: String,
    /// (x, y) pairs; non-finite ones are skipped.
    pub points: Vec<(f64, f64)>,
    /// Draw y = x (agreement), with both axes on the same range.
    pub identity: bool,
}

const LEFT_AXIS: f64 = 64.0;
const BOTTOM_AXIS: f64 = 50.0;

/// Height at `scale` for a chart `width` pixels wide: a square plot area, at most 640 px.
pub fn height(chart: &Scatter, width: u32, scale: f64) -> u32 {
    let l = Layout { scale };
    let top = l.px(MARGIN + TITLE_H)
        + if chart.subtitle.is_empty() {
            0
        } else {
            l.px(SUBTITLE_H)
        };
    let side = (width as i32 - l.px(LEFT_AXIS + 2.0 * MARGIN)).clamp(l.px(120.0), l.px(640.0));
    (top + side + l.px(BOTTOM_AXIS + MARGIN)).max(1) as u32
}

pub fn draw<DB: DrawingBackend>(
    chart: &Scatter,
    area: &DrawingArea<DB, Shift>,
    scale: f64,
) -> Result<(), PlotError> {
    let l = Layout { scale };
    let (width, total_height) = area.dim_in_pixel();
    area.fill(&WHITE).map_err(failed)?;
    let y = title_block(area, &l, &chart.title, &chart.subtitle)?;
    let points: Vec<(f64, f64)> = chart
        .points
        .iter()
        .copied()
        .filter(|(a, b)| a.is_finite() && b.is_finite())
        .collect();
    if points.is_empty() {
        return Err(PlotError::Empty("no point has both values".into()));
    }
    let extent = |f: fn(&(f64, f64)) -> f64| {
        points
            .iter()
            .map(f)
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
                (a.min(v), b.max(v))
            })
    };
    let (mut x_lo, mut x_hi) = extent(|p| p.0);
    let (mut y_lo, mut y_hi) = extent(|p| p.1);
    if chart.identity {
        // One range for both axes, or the identity line would not be the diagonal.
        x_lo = x_lo.min(y_lo);
        x_hi = x_hi.max(y_hi);
        (y_lo, y_hi) = (x_lo, x_hi);
    }
    let x_axis = Axis::nice(x_lo, x_hi, 6);
    let y_axis = if chart.identity {
        x_axis.clone()
    } else {
        Axis::nice(y_lo, y_hi, 6)
    };
    let left = l.px(MARGIN + LEFT_AXIS);
    let bottom = total_height as i32 - l.px(BOTTOM_AXIS + MARGIN);
    let side = (bottom - y).min(width as i32 - left - l.px(MARGIN));
    let (right, top) = (left + side, bottom - side);
    let x = |v: f64| x_axis.to_pixel(v, left, right);
    let yp = |v: f64| y_axis.to_pixel(v, bottom, top);
    let stroke = |c: RGBColor, w: f64| c.stroke_width(l.px(w).max(1) as u32);

    let tick_x = l
        .font(11.0, false)
        .color(&palette::MUTED)
        .pos(Pos::new(HPos::Center, VPos::Top));
    let tick_y = l
        .font(11.0, false)
        .color(&palette::MUTED)
        .pos(Pos::new(HPos::Right, VPos::Center));
    for &t in &x_axis.ticks {
        area.draw(&PathElement::new(
            vec![(x(t), top), (x(t), bottom)],
            stroke(palette::GRID, 1.0),
        ))
        .map_err(failed)?;
        area.draw(&Text::new(
            x_axis.label(t),
            (x(t), bottom + l.px(6.0)),
            tick_x.clone(),
        ))
        .map_err(failed)?;
    }
    for &t in &y_axis.ticks {
        area.draw(&PathElement::new(
            vec![(left, yp(t)), (right, yp(t))],
            stroke(palette::GRID, 1.0),
        ))
        .map_err(failed)?;
        area.draw(&Text::new(
            y_axis.label(t),
            (left - l.px(6.0), yp(t)),
            tick_y.clone(),
        ))
        .map_err(failed)?;
    }
    area.draw(&PathElement::new(
        vec![(left, top), (left, bottom), (right, bottom)],
        stroke(palette::MUTED, 1.0),
    ))
    .map_err(failed)?;
    area.draw(&Text::new(
        chart.x_label.clone(),
        ((left + right) / 2, bottom + l.px(24.0)),
        l.font(12.0, false)
            .color(&palette::TEXT)
            .pos(Pos::new(HPos::Center, VPos::Top)),
    ))
    .map_err(failed)?;
    area.draw(&Text::new(
        chart.y_label.clone(),
        (l.px(MARGIN), (top + bottom) / 2),
        l.font(12.0, false)
            .transform(FontTransform::Rotate270)
            .color(&palette::TEXT)
            .pos(Pos::new(HPos::Center, VPos::Top)),
    ))
    .map_err(failed)?;
    if chart.identity {
        area.draw(&PathElement::new(
            vec![(x(x_axis.lo), yp(x_axis.lo)), (x(x_axis.hi), yp(x_axis.hi))],
            stroke(palette::REFERENCE, 1.5),
        ))
        .map_err(failed)?;
    }
    let dot = palette::series(0).mix(0.7);
    for &(a, b) in &points {
        area.draw(&Circle::new((x(a), yp(b)), l.px(3.5), dot.filled()))
            .map_err(failed)?;
    }
    Ok(())
}

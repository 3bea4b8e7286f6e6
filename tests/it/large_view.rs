//! The large views' engine: bad input, camera maths, ticks, picking and selection against brute
//! force, density bins, matrix binning and ordering.

use proptest::prelude::*;
use silico::large_view::grid_index::inside;
use silico::large_view::scene::MatrixOrder;
use silico::large_view::{binning, density, ordering, ticks};
use silico::large_view::{
    Bounds, HeatmapScene, Matrix, MatrixError, Points, PointsError, ScatterScene, Viewport,
};

fn view(x0: f64, x1: f64, y0: f64, y1: f64, w: f64, h: f64) -> Viewport {
    Viewport::new(Bounds { x0, x1, y0, y1 }, w, h)
}

#[test]
fn non_finite_points_are_dropped_counted_and_rows_kept() {
    let xs = [0.0, f64::NAN, 2.0, f64::INFINITY, 4.0, 1e300];
    let ys = [0.0, 1.0, f64::NEG_INFINITY, 3.0, 4.0, 5.0];
    let p = Points::new(&xs, &ys, None).unwrap();
    assert_eq!(p.rows, vec![0, 4]);
    assert_eq!(
        p.dropped_non_finite, 4,
        "1e300 overflows f32 and counts as non-finite"
    );
    assert!(p.note().unwrap().contains("4 row(s)"));
}

#[test]
fn empty_and_all_nan_and_mismatched_inputs_are_refused_by_name() {
    assert_eq!(Points::new(&[], &[], None), Err(PointsError::Empty));
    assert_eq!(
        Points::new(&[f64::NAN, 1.0], &[1.0, f64::NAN], None),
        Err(PointsError::NoFinitePoints { rows: 2 })
    );
    let e = Points::new(&[1.0, 2.0], &[1.0], None).unwrap_err();
    assert!(e.to_string().contains("y has 1 values but x has 2"), "{e}");
    let e = Points::new(&[1.0], &[1.0], Some(&[0, 1])).unwrap_err();
    assert!(e.to_string().contains("colour column"), "{e}");
}

#[test]
fn a_single_point_gets_a_view_around_it_and_can_be_picked() {
    let p = Points::new(&[3.0], &[7.0], None).unwrap();
    let scene = ScatterScene::new(p, None, 4.0, 200.0, 100.0);
    let v = scene.viewport.view;
    assert!(
        v.x0 < 3.0 && v.x1 > 3.0 && v.y0 < 7.0 && v.y1 > 7.0,
        "{v:?}"
    );
    let (px, py) = scene.viewport.to_pixel(3.0, 7.0);
    assert_eq!(scene.pick(px + 2.0, py, 5.0).unwrap().row, 0);
    assert!(scene.pick(px + 20.0, py, 5.0).is_none());
}

#[test]
fn fifty_million_points_are_thinned_to_an_even_sample() {
    // 50M rows (generated lazily would be nicer, but the API takes slices as the worker does).
    let n = 50_000_000usize;
    let xs: Vec<f64> = (0..n).map(|i| (i % 1000) as f64).collect();
    let ys = xs.clone();
    let p = Points::new(&xs, &ys, None).unwrap();
    drop((xs, ys));
    assert_eq!(p.stride, 7);
    assert_eq!(p.len(), n.div_ceil(7));
    assert!(p.len() <= silico::large_view::points::MAX_POINTS);
    assert_eq!(p.rows[1], 7);
    assert!(p.note().unwrap().contains("every 7th"));
}

#[test]
fn zoom_by_two_about_a_pixel_doubles_distances_from_it() {
    let v = view(0.0, 100.0, 0.0, 50.0, 400.0, 200.0);
    assert_eq!(v.to_pixel(25.0, 50.0), (100.0, 0.0));
    let z = v.zoom_about(200.0, 100.0, 2.0);
    assert_eq!(
        z.to_pixel(50.0, 25.0),
        (200.0, 100.0),
        "the centre stays put"
    );
    let (px, py) = z.to_pixel(25.0, 50.0);
    assert!(
        (px - 0.0).abs() < 1e-9 && (py - -100.0).abs() < 1e-9,
        "({px}, {py})"
    );
    let p = v.pan(40.0, 0.0);
    assert_eq!(p.to_pixel(25.0, 50.0), (140.0, 0.0));
}

#[test]
fn clip_transform_maps_the_view_corners_to_clip_corners() {
    let v = view(-3.0, 5.0, 10.0, 30.0, 640.0, 480.0);
    let [sx, sy, ox, oy] = v.clip_transform();
    let clip = |x: f32, y: f32| (x * sx + ox, y * sy + oy);
    let (a, b) = clip(-3.0, 10.0);
    assert!((a + 1.0).abs() < 1e-6 && (b + 1.0).abs() < 1e-6);
    let (a, b) = clip(5.0, 30.0);
    assert!((a - 1.0).abs() < 1e-6 && (b - 1.0).abs() < 1e-6);
}

#[test]
fn ticks_are_round_inside_the_range_at_any_zoom() {
    let t = ticks::ticks(0.0, 1.0, 5);
    let labels: Vec<_> = t.iter().map(|t| t.label.as_str()).collect();
    assert_eq!(labels, ["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"]);
    let t = ticks::ticks(1000.0012, 1000.0019, 4);
    assert!(
        t.len() >= 3
            && t.iter()
                .all(|t| t.value >= 1000.0012 && t.value <= 1000.0019)
    );
    assert_eq!(t[0].label, "1000.0012");
    assert!(ticks::ticks(1.0, 1.0, 5).is_empty());
    assert!(ticks::ticks(f64::NAN, 1.0, 5).is_empty());
    assert_eq!(ticks::ticks(-1.0, 1.0, 2)[1].label, "0");
}

#[test]
fn density_bins_count_every_visible_point_once() {
    let xs = [0.5, 0.5, 9.5, 20.0];
    let ys = [0.5, 0.5, 9.5, 0.0];
    let p = Points::new(&xs, &ys, None).unwrap();
    let v = view(0.0, 10.0, 0.0, 10.0, 100.0, 100.0);
    let g = density::bin(&p, &v, 10.0);
    assert_eq!((g.columns, g.rows), (10, 10));
    assert_eq!(
        g.counts.iter().sum::<u32>(),
        3,
        "the point at x = 20 is off screen"
    );
    assert_eq!(
        g.counts[9 * 10],
        2,
        "bottom-left bin holds both points at (0.5, 0.5)"
    );
    assert_eq!(g.counts[9], 1, "top-right bin");
    let rgba = g.rgba();
    assert_eq!(rgba[3], 0, "empty bins are transparent");
    assert_eq!(rgba[9 * 4 + 3], 255);
}

#[test]
fn matrix_refuses_bad_shapes_and_bins_oversized_ones() {
    assert_eq!(
        Matrix::new(0, 3, vec![], vec![], vec!["a".into(); 3]),
        Err(MatrixError::Empty {
            rows: 0,
            columns: 3
        })
    );
    let e = Matrix::new(2, 2, vec![1.0; 3], vec!["r".into(); 2], vec!["c".into(); 2]).unwrap_err();
    assert!(
        e.to_string()
            .contains("3 values but 2 rows × 2 columns need 4"),
        "{e}"
    );
    assert!(matches!(
        Matrix::new(20_000, 20_000, vec![], vec![], vec![]),
        Err(MatrixError::TooLarge { .. })
    ));
    let rows = 5000;
    let values: Vec<f32> = (0..rows * 3).map(|i| (i / 3) as f32).collect();
    let labels: Vec<String> = (0..rows).map(|r| format!("p{r}")).collect();
    let m = Matrix::new(
        rows,
        3,
        values,
        labels,
        vec!["a".into(), "b".into(), "c".into()],
    )
    .unwrap();
    assert_eq!((m.rows, m.row_bin), (1667, 3));
    assert_eq!(m.value(0, 0), 1.0, "mean of rows 0, 1, 2");
    assert_eq!(m.row_labels[0], "p0 … p2");
    assert_eq!(m.row_labels[1666], "p4998 … p4999");
    let m = Matrix::new(
        1,
        2,
        vec![f32::INFINITY, 2.0],
        vec!["r".into()],
        vec!["a".into(), "b".into()],
    )
    .unwrap();
    assert!(m.value(0, 0).is_nan() && m.non_finite == 1);
}

fn labels(n: usize, p: &str) -> Vec<String> {
    (0..n).map(|i| format!("{p}{i}")).collect()
}

#[test]
fn heatmap_picks_the_cell_under_the_pixel_in_the_current_order() {
    // 3 rows × 4 columns, value = 10 r + c.
    let values: Vec<f32> = (0..3)
        .flat_map(|r| (0..4).map(move |c| (10 * r + c) as f32))
        .collect();
    let m = Matrix::new(3, 4, values, labels(3, "r"), labels(4, "c")).unwrap();
    let mut s = HeatmapScene::new(m, 400.0, 300.0);
    // Each cell is 100 × 100 px; row 0 on top.
    assert_eq!(s.pick(150.0, 50.0).unwrap().value, 1.0);
    assert_eq!(s.pick(350.0, 250.0).unwrap().value, 23.0);
    assert!(s.pick(-1.0, 50.0).is_none());
    s.set_order(MatrixOrder::Mean);
    let top = s.pick(50.0, 50.0).unwrap();
    assert_eq!(
        (top.row, top.column),
        (2, 3),
        "highest row and column first"
    );
    assert_eq!(s.select_box((0.0, 10.0), (10.0, 120.0)), vec![1, 2]);
    s.viewport = s.viewport.zoom_about(0.0, 0.0, 2.0);
    assert_eq!(
        s.pick(150.0, 50.0).unwrap().column,
        3,
        "after zoom ×2 about the top-left corner, cells are 200 px wide: pixel 150 is the first drawn column (source column 3)"
    );
    let tex = s.rgba();
    assert_eq!(tex.len(), 3 * 4 * 4);
}

#[test]
fn seriation_recovers_a_shuffled_gradient_on_a_large_matrix() {
    // Rows are a hidden 1-D order (row r's profile depends on r's rank); shuffled, then ordered.
    let n = 1000;
    let perm: Vec<usize> = (0..n).map(|i| (i * 7919) % n).collect();
    let mut values = Vec::with_capacity(n * n);
    for &rank in &perm {
        for c in 0..n {
            values.push(-((rank as f32 - c as f32) / 200.0).powi(2));
        }
    }
    let m = Matrix::new(n, n, values, labels(n, "r"), labels(n, "c")).unwrap();
    let (rows, _) = ordering::seriate(&m);
    let ranks: Vec<usize> = rows.iter().map(|&r| perm[r]).collect();
    // Monotone (one way or the other) apart from a few local swaps.
    let ups = ranks.windows(2).filter(|w| w[1] > w[0]).count();
    let share = ups.max(n - 1 - ups) as f64 / (n - 1) as f64;
    assert!(share > 0.95, "ordered share {share}");
}

#[test]
fn rows_by_column_put_missing_last() {
    let m = Matrix::new(
        3,
        1,
        vec![1.0, f32::NAN, 3.0],
        labels(3, "r"),
        labels(1, "c"),
    )
    .unwrap();
    assert_eq!(ordering::rows_by_column(&m, 0), vec![2, 0, 1]);
}

fn cloud() -> impl Strategy<Value = (Vec<f64>, Vec<f64>)> {
    (1usize..300).prop_flat_map(|n| {
        (
            prop::collection::vec(prop_oneof![-100.0..100.0f64, Just(3.0)], n),
            prop::collection::vec(prop_oneof![-50.0..50.0f64, Just(-2.0)], n),
        )
    })
}

proptest! {
    #[test]
    fn pixel_to_data_to_pixel_round_trips(
        x0 in -1e6..1e6f64, w in 1e-3..1e6f64, y0 in -1e6..1e6f64, h in 1e-3..1e6f64,
        px in 0.0..1000.0f64, py in 0.0..800.0f64, f in 0.1..10.0f64,
    ) {
        let v = view(x0, x0 + w, y0, y0 + h, 1000.0, 800.0);
        let (x, y) = v.to_data(px, py);
        let (bx, by) = v.to_pixel(x, y);
        prop_assert!((bx - px).abs() < 1e-6 && (by - py).abs() < 1e-6);
        // Zoom about a pixel keeps the data under it.
        let z = v.zoom_about(px, py, f);
        let (zx, zy) = z.to_data(px, py);
        prop_assert!((zx - x).abs() <= 1e-9 * (x.abs() + w) && (zy - y).abs() <= 1e-9 * (y.abs() + h));
    }

    #[test]
    fn picking_returns_the_nearest_point_like_brute_force(
        (xs, ys) in cloud(), qx in 0.0..640.0f64, qy in 0.0..480.0f64, radius in 0.0..60.0f64,
    ) {
        let p = Points::new(&xs, &ys, None).unwrap();
        let scene = ScatterScene::new(p, None, 4.0, 640.0, 480.0);
        let got = scene.pick(qx, qy, radius).map(|p| p.index);
        let v = scene.viewport;
        let (sx, sy) = v.scale();
        let (x, y) = v.to_data(qx, qy);
        let mut best: Option<(f64, u32)> = None;
        for i in 0..scene.points.len() {
            let dx = (scene.points.xs[i] as f64 - x) * sx;
            let dy = (scene.points.ys[i] as f64 - y) * sy;
            let d = dx * dx + dy * dy;
            if d <= radius * radius && best.is_none_or(|(bd, _)| d < bd) {
                best = Some((d, i as u32));
            }
        }
        prop_assert_eq!(got, best.map(|b| b.1));
    }

    #[test]
    fn box_and_lasso_selection_equal_brute_force(
        (xs, ys) in cloud(),
        a in (0.0..640.0f64, 0.0..480.0f64), b in (0.0..640.0f64, 0.0..480.0f64),
        lasso in prop::collection::vec((0.0..640.0f64, 0.0..480.0f64), 3..8),
        zoom in 0.5..4.0f64,
    ) {
        let p = Points::new(&xs, &ys, None).unwrap();
        let mut scene = ScatterScene::new(p, None, 4.0, 640.0, 480.0);
        scene.viewport = scene.viewport.zoom_about(320.0, 240.0, zoom);
        let v = scene.viewport;
        let (xa, ya) = v.to_data(a.0, a.1);
        let (xb, yb) = v.to_data(b.0, b.1);
        let brute_box: Vec<u32> = (0..scene.points.len())
            .filter(|&i| {
                let (x, y) = (scene.points.xs[i] as f64, scene.points.ys[i] as f64);
                x >= xa.min(xb) && x <= xa.max(xb) && y >= ya.min(yb) && y <= ya.max(yb)
            })
            .map(|i| scene.points.rows[i])
            .collect();
        prop_assert_eq!(scene.select_box(a, b), brute_box);
        let poly: Vec<(f64, f64)> = lasso.iter().map(|&(px, py)| v.to_data(px, py)).collect();
        let brute_lasso: Vec<u32> = (0..scene.points.len())
            .filter(|&i| inside(&poly, scene.points.xs[i] as f64, scene.points.ys[i] as f64))
            .map(|i| scene.points.rows[i])
            .collect();
        prop_assert_eq!(scene.select_lasso(&lasso), brute_lasso);
    }

    /// The CPU's pass 1 of a large scatter puts each point where the camera says it is, and the
    /// last point of a pixel wins (the point off a pixel edge by float rounding is left out).
    #[test]
    fn cpu_binning_puts_the_last_point_on_the_camera_pixel(
        (xs, ys) in cloud(), zoom in 0.5..4.0f64, ratio in prop_oneof![Just(1.0f64), Just(2.0)],
    ) {
        let p = Points::new(&xs, &ys, None).unwrap();
        let mut scene = ScatterScene::new(p, None, 4.0, 640.0, 480.0);
        scene.viewport = scene.viewport.zoom_about(300.0, 200.0, zoom);
        let v = scene.viewport;
        let (w, h) = ((640.0 * ratio) as u32, (480.0 * ratio) as u32);
        let mut ids = Vec::new();
        binning::last_point_per_pixel(
            &scene.points.xs, &scene.points.ys, v.clip_transform(), w, h, &mut ids,
        );
        let (wi, hi) = (w as i64, h as i64);
        let mut expected = vec![0u32; (w * h) as usize];
        // Pixels next to a point that sits on a pixel edge may differ by float rounding.
        let mut unsure = vec![false; (w * h) as usize];
        for i in 0..scene.points.len() {
            let (px, py) = v.to_pixel(scene.points.xs[i] as f64, scene.points.ys[i] as f64);
            let (px, py) = (px * ratio, py * ratio);
            let on_edge = |c: f64| (c - c.round()).abs() < 1e-3;
            if on_edge(px) || on_edge(py) {
                let (cx, cy) = (px.round() as i64, py.round() as i64);
                for y in (cy - 1).max(0)..=(cy + 1).min(hi - 1) {
                    for x in (cx - 1).max(0)..=(cx + 1).min(wi - 1) {
                        unsure[(y * wi + x) as usize] = true;
                    }
                }
            } else if px >= 0.0 && py >= 0.0 && px < w as f64 && py < h as f64 {
                expected[py as usize * w as usize + px as usize] = i as u32 + 1;
            }
        }
        for cell in (0..expected.len()).filter(|&c| !unsure[c]) {
            prop_assert_eq!(ids[cell], expected[cell], "pixel {}", cell);
        }
    }
}

#[test]
fn a_million_points_fit_the_memory_budget() {
    let n = 1_000_000;
    let xs: Vec<f64> = (0..n).map(|i| (i as f64 * 0.37).sin()).collect();
    let ys: Vec<f64> = (0..n).map(|i| (i as f64 * 0.11).cos()).collect();
    let scene = ScatterScene::new(
        Points::new(&xs, &ys, None).unwrap(),
        None,
        3.0,
        800.0,
        600.0,
    );
    assert!(
        scene.memory_bytes() < 64 << 20,
        "{} bytes",
        scene.memory_bytes()
    );
    assert_eq!(scene.instance_bytes().len(), n * 16);
}

#[test]
fn named_axes_label_every_level_that_fits_and_name_each_attribute_once() {
    let pairs: Vec<(String, String)> = [
        ("Gender", "Female"),
        ("Gender", "Male"),
        ("Education", "No Formal"),
        ("Education", "4th Grade"),
        ("Education", "8th Grade"),
    ]
    .iter()
    .map(|(a, l)| (a.to_string(), l.to_string()))
    .collect();
    let names = ticks::AxisNames::grouped(&pairs);
    assert_eq!(names.groups, ["Gender", "Education"]);
    let identity: Vec<usize> = (0..5).collect();
    // Room for every name: all five, each attribute named at its first level.
    let all = ticks::named_positions(0.0, 5.0, 5, 20.0, 12.0);
    assert_eq!(all, [0, 1, 2, 3, 4]);
    assert_eq!(
        names.labels(&all, &identity),
        [
            "Gender: Female",
            "Male",
            "Education: No Formal",
            "4th Grade",
            "8th Grade"
        ]
    );
    assert_eq!(names.boundaries(&identity), [2]);
    // Reordered (by mean, seriation): the groups are scattered, so each label names its own.
    let order = [2, 0, 3, 1, 4];
    assert_eq!(
        names.labels(&all, &order),
        [
            "Education: No Formal",
            "Gender: Female",
            "Education: 4th Grade",
            "Gender: Male",
            "Education: 8th Grade"
        ]
    );
    assert_eq!(names.boundaries(&order), [1, 2, 3, 4]);
    // 50 levels at 7 px each with 12 px names: every 2nd; at 1 px every 20th; none out of view.
    let dense = ticks::named_positions(0.0, 50.0, 50, 7.0, 12.0);
    assert_eq!(dense.len(), 25);
    assert!(dense.iter().all(|p| p % 2 == 0));
    assert_eq!(
        ticks::named_positions(0.0, 50.0, 50, 1.0, 12.0),
        [0, 20, 40]
    );
    // Zoomed to cells 10.2..13.9: the centres 10.5, 11.5, 12.5 are in view, 13.5 too.
    assert_eq!(
        ticks::named_positions(10.2, 13.9, 50, 100.0, 12.0),
        [10, 11, 12, 13]
    );
    assert!(ticks::named_positions(60.0, 70.0, 50, 10.0, 12.0).is_empty());
}

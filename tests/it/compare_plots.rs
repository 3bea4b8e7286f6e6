//! The comparison charts as SVG: the marks each one must draw (points, bars, cells), their colours
//! and labels, on the Twin-2K-500 mega-study and on small files worked by hand.

use silico::compare::{
    compare, compare_estimates, read_ranges, read_tidy_csv, Comparison, Extras, PairColumns,
    QuestionKind, RangeColumns,
};
use silico::data::{read_delimited, ReadOptions};
use silico::plot::{
    self, chart_to_svg, compare_chart, estimate_comparison_figure, palette, Chart, ComparePlot,
    EstimateKind, PlotError, DEFAULT_WIDTH,
};
use silico::study::{Provenance, ResponseSource, ResponseTable};

use crate::support::megastudy;

const AMCE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../shared/data/oracle_immigration_amce_additive.csv"
);

fn table(text: &str) -> ResponseTable {
    read_delimited(
        text.as_bytes(),
        "t",
        ResponseSource::Human,
        Provenance::default(),
        &ReadOptions::default(),
    )
    .expect("parse")
}

fn megastudy() -> Comparison {
    megastudy::comparison()
}

/// Four people, three questions on a 1–5 scale, with a retest; the first question's name is markup.
fn small() -> Comparison {
    let text = "id,q,h,t,r
1,<img src=x onerror=alert(1)>,1,1,1
2,<img src=x onerror=alert(1)>,5,1,4
1,b,2,2,3
2,b,4,5,4
1,c,3,3,3
2,c,3,3,3
";
    let ranges = read_ranges(
        &table("q,min,max\n<img src=x onerror=alert(1)>,1,5\nb,1,5\nc,1,5\n"),
        &["q".to_string()],
        &RangeColumns::default(),
    )
    .unwrap();
    let columns = PairColumns {
        person: "id".into(),
        question: vec!["q".into()],
        human: "h".into(),
        twin: "t".into(),
    };
    let extras = Extras {
        retest: Some("r".into()),
        group: None,
    };
    compare(&table(text), &columns, &extras, &ranges).unwrap()
}

fn svg(chart: &Chart) -> String {
    chart_to_svg(chart, DEFAULT_WIDTH).expect("svg")
}

/// Every `<tag …>` element's attribute text.
fn elements<'a>(svg: &'a str, tag: &str) -> Vec<&'a str> {
    svg.split(&format!("<{tag} "))
        .skip(1)
        .map(|s| s.split('>').next().unwrap_or(""))
        .collect()
}

fn filled(svg: &str, tag: &str, colour: plotters::style::RGBColor) -> usize {
    let fill = format!("fill=\"{}\"", palette::hex(colour));
    elements(svg, tag)
        .iter()
        .filter(|e| e.contains(&fill))
        .count()
}

/// A numeric attribute of an element's attribute text (which starts right after the tag name).
fn attr(element: &str, name: &str) -> f64 {
    let padded = format!(" {element}");
    let start = padded.find(&format!(" {name}=\"")).expect(name) + name.len() + 3;
    padded[start..].split('"').next().unwrap().parse().unwrap()
}

#[test]
fn means_scatter_has_a_point_per_ranged_question_and_the_identity_diagonal() {
    let c = megastudy();
    let s = svg(&compare_chart(&c, &ComparePlot::Means).unwrap());
    // 163 questions, 3 without a range: their means are on other scales and are left out.
    assert_eq!(filled(&s, "circle", palette::BLUE), 160);
    assert!(s.contains("3 without a range left out"));
    let identity: Vec<&str> = elements(&s, "polyline")
        .into_iter()
        .filter(|e| e.contains("stroke=\"#444444\""))
        .collect();
    assert_eq!(identity.len(), 1);
    let points: Vec<f64> = identity[0]
        .split("points=\"")
        .nth(1)
        .unwrap()
        .split([' ', ',', '"'])
        .filter_map(|v| v.parse().ok())
        .collect();
    // From bottom left to top right at 45°: equal axes.
    let (x0, y0, x1, y1) = (points[0], points[1], points[2], points[3]);
    assert!(x1 > x0 && y0 > y1 && (x1 - x0) == (y0 - y1), "{points:?}");
    assert!(s.contains("Human mean (position on the scale"));
}

#[test]
fn accuracy_plot_shows_the_extremes_sorted_or_every_question() {
    let c = megastudy();
    let s = svg(&compare_chart(&c, &ComparePlot::Accuracy { limit: Some(20) }).unwrap());
    // One bar per question shown; no second series, so no legend dots.
    assert_eq!(filled(&s, "rect", palette::BLUE), 40);
    assert_eq!(elements(&s, "circle").len(), 0);
    assert!(s.contains(">Highest 20<") || s.contains("Highest 20\n"));
    assert!(s.contains("Lowest 20"));
    // The best question comes first, the worst last, top to bottom.
    let best = c
        .questions
        .iter()
        .filter(|q| q.metrics.accuracy.is_finite())
        .max_by(|a, b| a.metrics.accuracy.total_cmp(&b.metrics.accuracy))
        .unwrap()
        .label();
    let worst = c
        .questions
        .iter()
        .filter(|q| q.metrics.accuracy.is_finite())
        .min_by(|a, b| a.metrics.accuracy.total_cmp(&b.metrics.accuracy))
        .unwrap()
        .label();
    let (b, w) = (s.find(&best).expect("best"), s.find(&worst).expect("worst"));
    assert!(b < w);
    let all = svg(&compare_chart(&c, &ComparePlot::Accuracy { limit: None }).unwrap());
    assert_eq!(filled(&all, "rect", palette::BLUE), 160);
}

#[test]
fn accuracy_plot_marks_the_retest_ceiling() {
    let c = small();
    let s = svg(&compare_chart(&c, &ComparePlot::Accuracy { limit: None }).unwrap());
    // Three questions: an accuracy bar each with the ceiling as a vertical tick on it, plus one
    // legend dot per series.
    assert_eq!(filled(&s, "rect", palette::BLUE), 3);
    let ticks: Vec<&str> = elements(&s, "polyline")
        .into_iter()
        .filter(|e| e.contains(&format!("stroke=\"{}\"", palette::hex(palette::VERMILLION))))
        .collect();
    assert_eq!(ticks.len(), 3);
    assert_eq!(filled(&s, "circle", palette::BLUE), 1);
    assert_eq!(filled(&s, "circle", palette::VERMILLION), 1);
    assert!(s.contains("Human test–retest ceiling"));
    // Question c: twin accuracy 1, ceiling 1 (both answer 3 twice): the tick stands at the bar's end.
    let c_bar = elements(&s, "rect")
        .into_iter()
        .filter(|e| e.contains(&format!("fill=\"{}\"", palette::hex(palette::BLUE))))
        .map(|e| attr(e, "x") + attr(e, "width"))
        .fold(f64::NEG_INFINITY, f64::max);
    let tick_x: Vec<f64> = ticks
        .iter()
        .map(|e| {
            let points = e.split("points=\"").nth(1).unwrap();
            points.split(',').next().unwrap().parse().unwrap()
        })
        .collect();
    assert!(
        tick_x.iter().any(|x| (x - c_bar).abs() <= 1.0),
        "{tick_x:?} vs {c_bar}"
    );
    // The question named like markup is text, not an element.
    assert!(!s.contains("<img") && s.contains("&lt;img src=x onerror=alert(1)&gt;"));
}

#[test]
fn distribution_overlay_has_a_bar_per_position_and_side_in_proportion() {
    let c = megastudy();
    let index = c
        .questions
        .iter()
        .position(|q| q.label() == "hiring algorithms / Q10")
        .unwrap();
    let s = svg(&compare_chart(&c, &ComparePlot::Distribution { question: index }).unwrap());
    let bars = |colour| -> Vec<f64> {
        let fill = format!("fill=\"{}\"", palette::hex(colour));
        elements(&s, "rect")
            .into_iter()
            .filter(|e| e.contains(&fill))
            .map(|e| attr(e, "width"))
            .collect()
    };
    let (human, twin) = (bars(palette::BLUE), bars(palette::VERMILLION));
    assert_eq!(
        (human.len(), twin.len()),
        (5, 5),
        "positions 1–5, both sides"
    );
    let shares = c.questions[index].shares.as_ref().unwrap();
    // Bar length is proportional to the share (to a pixel).
    let px_per_share = twin[1] / shares.twin[1];
    for (w, share) in human.iter().zip(&shares.human) {
        assert!((w - share * px_per_share).abs() <= 1.5, "{w} vs {share}");
    }
    assert!(s.contains("Answers to hiring algorithms / Q10"));
    // A continuous question has no positions to overlay.
    let numeric = c
        .questions
        .iter()
        .position(|q| q.metrics.kind == QuestionKind::Numeric)
        .unwrap();
    assert!(matches!(
        compare_chart(&c, &ComparePlot::Distribution { question: numeric }),
        Err(PlotError::Empty(_))
    ));
}

#[test]
fn the_heatmap_bins_a_large_matrix_and_draws_a_small_one_cell_by_cell() {
    let c = megastudy();
    let s = svg(&compare_chart(&c, &ComparePlot::Heatmap).unwrap());
    // 1,784 × 163 binned to 70 × 140 cells, plus 11 key swatches, the "no value" swatch and the
    // background.
    let cells = plot::compare_charts::HEATMAP_MAX_ROWS * plot::compare_charts::HEATMAP_MAX_COLUMNS;
    assert_eq!(elements(&s, "rect").len(), cells + 13);
    assert!(s.contains("1784 respondents × 163 questions"));

    let small = small();
    let s = svg(&compare_chart(&small, &ComparePlot::Heatmap).unwrap());
    assert_eq!(elements(&s, "rect").len(), 2 * 3 + 13);
    // Full agreement is full blue: person 1 everywhere, person 2 on c, and the key's end. Person 2
    // misses the first question by the whole range: white, like the key's start and the background.
    assert_eq!(filled(&s, "rect", palette::BLUE), 3 + 1 + 1);
    assert_eq!(
        elements(&s, "rect")
            .iter()
            .filter(|e| e.contains("fill=\"#FFFFFF\""))
            .count(),
        3
    );
    // Few rows: every respondent is named.
    assert!(s.contains(">1<") || s.contains("\n1\n"));
}

#[test]
fn amce_comparison_draws_both_sets_and_their_differences_under_feature_headers() {
    let humans = read_tidy_csv(&std::fs::read_to_string(AMCE).unwrap(), "h").unwrap();
    let twins: Vec<_> = humans
        .iter()
        .map(|r| silico::analysis::TidyRow {
            estimate: r.estimate.map(|e| e * 1.5),
            ..r.clone()
        })
        .collect();
    let comparison = compare_estimates(&humans, &twins);
    let figure = estimate_comparison_figure(&comparison, EstimateKind::Amce, "test").unwrap();
    let s = svg(&Chart::Rows(figure));
    let levels = humans.len();
    // Humans and twins per level (baselines included at 0), one difference per level, two legend dots.
    assert_eq!(
        elements(&s, "circle").len(),
        3 * levels + 2,
        "{levels} levels"
    );
    assert_eq!(filled(&s, "circle", palette::BLUE), levels + 1);
    for feature in [
        "Gender",
        "Education",
        "LanguageSkills",
        "CountryOfOrigin",
        "Job",
        "JobExperience",
        "JobPlans",
        "ReasonForApplication",
        "PriorEntry",
    ] {
        assert!(s.contains(feature), "{feature}");
    }
    assert!(s.contains("Twins − humans") && s.contains("Estimates"));
}

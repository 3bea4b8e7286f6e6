//! Plots of the immigration example: the SVG has one row per level under feature headers, a line at
//! 0, baselines without intervals; subgroup overlays, bar charts, PNG output and the CLI.

use crate::support::cli::silico_output as silico;
use crate::support::repo;
use silico::analysis::survey_stats::{chosen_share_by, distribution};
use silico::analysis::{
    amce, amce_by, amce_diffs, mm, ClusterSe, ConjointSpec, Formula, LevelOrders, TidyTable,
};
use silico::plot::{self, palette, EstimateKind, Figure, Mark, PlotError, RowLabel, DEFAULT_WIDTH};
use silico::study::{parse_study, ResponseTable};

const FEATURES: [&str; 9] = [
    "Education",
    "Gender",
    "CountryOfOrigin",
    "ReasonForApplication",
    "Job",
    "JobExperience",
    "JobPlans",
    "PriorEntry",
    "LanguageSkills",
];

fn example() -> (ResponseTable, ConjointSpec) {
    let study =
        parse_study(&std::fs::read(repo("public/examples/immigration.json")).unwrap()).unwrap();
    let mut levels = LevelOrders::new();
    for attribute in &study.conjoint.as_ref().unwrap().attributes {
        levels
            .set(
                &attribute.name,
                attribute.levels.iter().map(|l| l.name.clone()).collect(),
            )
            .unwrap();
    }
    let features: Vec<String> = FEATURES.iter().map(|s| s.to_string()).collect();
    let spec = ConjointSpec {
        outcome: "ChosenImmigrant".into(),
        id: Some("CaseID".into()),
        weights: None,
        formula: Formula::additive(&features),
        levels,
        se: ClusterSe::Cregg,
    };
    (study.results[0].clone(), spec)
}

/// The attribute text of every `<tag …>` in an SVG, in order.
fn elements<'a>(svg: &'a str, tag: &str) -> Vec<&'a str> {
    svg.split(&format!("<{tag} "))
        .skip(1)
        .map(|s| s.split('>').next().unwrap())
        .collect()
}

fn attribute(element: &str, name: &str) -> String {
    let element = format!(" {element}");
    let start = element.find(&format!(" {name}=\"")).unwrap() + name.len() + 3;
    element[start..].split('"').next().unwrap().to_string()
}

/// The polyline's points as (x, y) pairs.
fn points(element: &str) -> Vec<(i32, i32)> {
    attribute(element, "points")
        .split_whitespace()
        .map(|p| {
            let (x, y) = p.split_once(',').unwrap();
            (x.parse().unwrap(), y.parse().unwrap())
        })
        .collect()
}

fn text_contents(svg: &str) -> Vec<String> {
    svg.split("<text ")
        .skip(1)
        .map(|s| {
            let body = &s[s.find('>').unwrap() + 1..];
            body[..body.find("</text>").unwrap()].trim().to_string()
        })
        .collect()
}

fn amce_table() -> TidyTable {
    let (table, spec) = example();
    amce(&table, &spec).unwrap().table
}

#[test]
fn the_amce_svg_has_a_row_per_level_under_feature_headers_and_a_line_at_zero() {
    let table = amce_table();
    let figure = plot::amce_figure(&table, "13960 rows").unwrap();
    let svg = plot::to_svg(&figure, DEFAULT_WIDTH).unwrap();
    let texts = text_contents(&svg);
    for feature in FEATURES {
        assert_eq!(
            texts.iter().filter(|t| *t == feature).count(),
            1,
            "one header {feature}"
        );
    }
    for row in &table.rows {
        let level = row.level.replace('&', "&amp;");
        assert!(texts.contains(&level), "a row label for {}", row.level);
    }
    // One dot per level (50), one interval per estimated level (41 = 50 − 9 baselines).
    let blue = palette::hex(palette::BLUE);
    let dots: Vec<&str> = elements(&svg, "circle")
        .into_iter()
        .filter(|c| attribute(c, "fill") == blue)
        .collect();
    assert_eq!(dots.len(), 50);
    let intervals: Vec<&str> = elements(&svg, "polyline")
        .into_iter()
        .filter(|p| attribute(p, "stroke") == blue)
        .collect();
    assert_eq!(intervals.len(), 41);

    // The reference line is vertical, spans the rows, and the baselines sit on it.
    let reference = palette::hex(palette::REFERENCE);
    let lines: Vec<Vec<(i32, i32)>> = elements(&svg, "polyline")
        .into_iter()
        .filter(|p| attribute(p, "stroke") == reference)
        .map(points)
        .collect();
    assert_eq!(lines.len(), 1, "one line at 0");
    let (x0, top) = lines[0][0];
    let (x1, bottom) = lines[0][1];
    assert_eq!(x0, x1);
    assert!(bottom - top > 900, "the line spans every row");
    let baseline_ys: Vec<i32> = dots
        .iter()
        .filter(|c| attribute(c, "cx").parse::<i32>().unwrap() == x0)
        .map(|c| attribute(c, "cy").parse().unwrap())
        .collect();
    assert!(baseline_ys.len() >= 9, "every baseline at 0");
    // …and have no interval: no interval line at a baseline's height.
    for (feature, baseline) in [
        ("Gender", "Female"),
        ("Job", "Janitor"),
        ("Education", "No Formal"),
    ] {
        let row = table.find(feature, baseline).unwrap();
        assert_eq!((row.estimate, row.std_error), (Some(0.0), None));
    }
    let interval_ys: Vec<i32> = elements(&svg, "polyline")
        .into_iter()
        .filter(|p| attribute(p, "stroke") == blue)
        .map(|p| points(p)[0].1)
        .collect();
    let baseline_count = baseline_ys
        .iter()
        .filter(|y| !interval_ys.contains(y))
        .count();
    assert_eq!(baseline_count, 9, "nine baselines without intervals");
}

#[test]
fn baselines_have_no_interval_and_rows_follow_the_table() {
    let table = amce_table();
    let figure = plot::amce_figure(&table, "").unwrap();
    assert_eq!(figure.rows.len(), 9 + 50);
    assert_eq!(figure.rows[0], RowLabel::Header("Education".into()));
    assert_eq!(figure.rows[1], RowLabel::Item("No Formal".into()));
    let panel = &figure.panels[0];
    assert_eq!(panel.reference, Some(0.0));
    assert_eq!(panel.series.len(), 1);
    let first = panel.series[0].points[0].unwrap();
    assert_eq!((first.value, first.interval), (0.0, None));
    assert!(panel.series[0].points[1].unwrap().interval.is_some());
}

#[test]
fn marginal_means_have_their_line_at_the_null() {
    let (table, spec) = example();
    let estimates = mm(&table, &spec, 0.5).unwrap();
    let figure = plot::mm_figure(&estimates.table, 0.5, "").unwrap();
    assert_eq!(figure.panels[0].reference, Some(0.5));
    assert_eq!(figure.title, "Marginal means");
    let svg = plot::to_svg(&figure, 700).unwrap();
    assert!(svg.contains(r#"width="700""#));
}

#[test]
fn subgroups_are_overlaid_in_colour_beside_their_differences() {
    let (table, spec) = example();
    let by_group = amce_by(&table, &spec, "contest_no").unwrap().table;
    let diffs = amce_diffs(&table, &spec, "contest_no").unwrap().table;
    let figure = plot::subgroup_figure(&by_group, Some(&diffs), EstimateKind::Amce, "").unwrap();
    assert_eq!(figure.panels.len(), 2);
    let names: Vec<&str> = figure.panels[0]
        .series
        .iter()
        .map(|s| s.name.as_str())
        .collect();
    assert_eq!(names, ["1", "2", "3", "4", "5"]);
    // A difference "b - 1" takes group b's colour.
    let diff_panel = &figure.panels[1];
    assert_eq!(diff_panel.series[0].name, "2 - 1");
    assert_eq!(diff_panel.series[0].colour, 1);
    assert_eq!(diff_panel.title, "Difference from contest_no = 1");
    assert!(figure.has_legend());
    let svg = plot::to_svg(&figure, DEFAULT_WIDTH).unwrap();
    for colour in &palette::SERIES[..5] {
        assert!(
            svg.contains(&palette::hex(*colour)),
            "{}",
            palette::hex(*colour)
        );
    }
}

#[test]
fn bar_charts_for_frequencies_distributions_and_position_bias() {
    let (table, _) = example();
    let features: Vec<String> = vec!["Gender".into(), "JobPlans".into()];
    let figure = plot::level_frequency_figure(&table, &features, &[]).unwrap();
    assert_eq!(figure.panels[0].mark, Mark::Bar);
    let total: f64 = figure.panels[0].series[0].points[..2]
        .iter()
        .map(|p| p.unwrap().value)
        .sum();
    assert_eq!(total, 13_960.0, "Gender's two levels cover every profile");

    let shares = chosen_share_by(&table, "ChosenImmigrant", "profile").unwrap();
    assert_eq!(shares.len(), 2);
    assert!(shares.iter().all(|s| (s.share - 0.5).abs() < 0.05));
    let figure = plot::position_bias_figure("Choices by profile position", &shares).unwrap();
    assert_eq!(figure.panels[0].reference, Some(0.5));

    let answers = distribution(&table, "JobPlans", None).unwrap();
    let figure = plot::distribution_figure("JobPlans", &answers).unwrap();
    assert_eq!(figure.items(), 4);
    assert!(plot::to_svg(&figure, 600)
        .unwrap()
        .contains("Answers to JobPlans"));
}

#[test]
fn a_table_without_estimates_is_refused_with_a_reason() {
    let mut table = amce_table();
    for row in &mut table.rows {
        row.estimate = None;
    }
    let error = plot::amce_figure(&table, "").unwrap_err();
    assert!(matches!(error, PlotError::Empty(_)), "{error}");
}

fn png_size(path: &std::path::Path) -> (u32, u32) {
    let bytes = std::fs::read(path).unwrap();
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
    let be = |i: usize| u32::from_be_bytes(bytes[i..i + 4].try_into().unwrap());
    (be(16), be(20))
}

#[test]
fn png_is_written_at_twice_the_width_with_the_bundled_font() {
    let figure: Figure = plot::amce_figure(&amce_table(), "").unwrap();
    let dir = std::env::temp_dir().join(format!("silico-plot-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("amce.png");
    plot::write_png(&figure, 600, &path).unwrap();
    let (w, h) = png_size(&path);
    assert_eq!((w, h), (1200, plot::height(&figure, 2.0)));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_command_line_writes_svg_and_png_and_refuses_other_formats() {
    let dir = std::env::temp_dir().join(format!("silico-plot-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let data = repo("../shared/data/cregg_immigration.csv");
    let levels = repo("../shared/data/cregg_immigration_levels.csv");
    let (data, levels) = (data.to_str().unwrap(), levels.to_str().unwrap());
    let svg = dir.join("amce.svg");
    let common = [
        data,
        "--outcome",
        "ChosenImmigrant",
        "--id",
        "CaseID",
        "--levels",
        levels,
    ];
    let out = silico(
        &[
            &["plot", "amce"],
            &common[..],
            &["--out", svg.to_str().unwrap()],
        ]
        .concat(),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(&svg).unwrap();
    assert!(text.starts_with("<svg") && text.contains("Doctor"));

    let png = dir.join("mm.png");
    let out = silico(
        &[
            &["plot", "mm"],
            &common[..],
            &["--by", "contest_no", "--out", png.to_str().unwrap()],
        ]
        .concat(),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(png_size(&png).0, 2 * DEFAULT_WIDTH);

    let out = silico(&[&["plot", "amce"], &common[..], &["--out", "plot.pdf"]].concat());
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("must end in .svg or .png"));
    let out = silico(
        &[
            &["plot", "amce"],
            &common[..],
            &["--formula", "Gender + Shoesize", "--out", "x.svg"],
        ]
        .concat(),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("Shoesize"));
    std::fs::remove_dir_all(&dir).unwrap();
}

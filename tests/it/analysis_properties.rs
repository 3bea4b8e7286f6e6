//! Properties of the estimators on random data: AMCE of one binary feature = difference in means,
//! standard errors that do not depend on row order, the CR1 factor, MM = group means.

use proptest::prelude::*;
use silico::analysis::{amce, mm, ClusterSe, ConjointSpec, Formula};
use silico::study::{Column, ColumnRole, ColumnValues, Provenance, ResponseSource, ResponseTable};

/// Rows: (respondent, level of x in 0..2, level of z in 0..3, outcome 0/1, weight).
type Row = (u8, u8, u8, u8, f64);

fn table(rows: &[Row]) -> ResponseTable {
    let number = |name: &str, f: &dyn Fn(&Row) -> f64| Column {
        name: name.into(),
        role: ColumnRole::default(),
        values: ColumnValues::Number(rows.iter().map(|r| Some(f(r))).collect()),
    };
    let text = |name: &str, f: &dyn Fn(&Row) -> String| Column {
        name: name.into(),
        role: ColumnRole::default(),
        values: ColumnValues::Text(rows.iter().map(|r| Some(f(r))).collect()),
    };
    ResponseTable {
        name: "random".into(),
        source: ResponseSource::Simulated,
        provenance: Provenance::default(),
        columns: vec![
            number("id", &|r| f64::from(r.0)),
            text("x", &|r| ["a", "b"][r.1 as usize].to_string()),
            text("z", &|r| ["p", "q", "r"][r.2 as usize].to_string()),
            number("y", &|r| f64::from(r.3)),
            number("w", &|r| r.4),
        ],
    }
}

fn rows_strategy() -> impl Strategy<Value = Vec<Row>> {
    prop::collection::vec((0u8..12, 0u8..2, 0u8..3, 0u8..2, 0.2f64..3.0), 40..120).prop_filter(
        "every level of x and z present, at least 2 respondents",
        |rows| {
            (0..2).all(|l| rows.iter().any(|r| r.1 == l))
                && (0..3).all(|l| rows.iter().any(|r| r.2 == l))
                && rows.iter().any(|r| r.0 != rows[0].0)
        },
    )
}

fn weighted_mean(rows: &[Row], level: u8, weighted: bool) -> f64 {
    let (mut sw, mut swy) = (0.0, 0.0);
    for r in rows.iter().filter(|r| r.1 == level) {
        let w = if weighted { r.4 } else { 1.0 };
        sw += w;
        swy += w * f64::from(r.3);
    }
    swy / sw
}

fn spec(features: &[&str], weighted: bool) -> ConjointSpec {
    let mut spec = ConjointSpec::new("y", "id", Formula::additive(features));
    if weighted {
        spec.weights = Some("w".into());
    }
    spec
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn amce_of_one_binary_feature_is_difference_in_means(rows in rows_strategy(), weighted: bool) {
        let got = amce(&table(&rows), &spec(&["x"], weighted)).unwrap();
        let effect = got.table.find("x", "b").unwrap().estimate.unwrap();
        let want = weighted_mean(&rows, 1, weighted) - weighted_mean(&rows, 0, weighted);
        prop_assert!((effect - want).abs() < 1e-10, "{effect} vs {want}");
        // The marginal means are the level means, and their difference is the AMCE.
        let means = mm(&table(&rows), &spec(&["x"], weighted), 0.5).unwrap();
        let a = means.table.find("x", "a").unwrap().estimate.unwrap();
        let b = means.table.find("x", "b").unwrap().estimate.unwrap();
        prop_assert!((a - weighted_mean(&rows, 0, weighted)).abs() < 1e-10);
        prop_assert!((b - a - effect).abs() < 1e-10);
    }

    #[test]
    fn estimates_and_ses_do_not_depend_on_row_order(rows in rows_strategy(), seed: u64, weighted: bool) {
        let mut shuffled = rows.clone();
        // A deterministic shuffle from the seed (Fisher–Yates with an LCG).
        let mut state = seed | 1;
        for i in (1..shuffled.len()).rev() {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            shuffled.swap(i, (state >> 33) as usize % (i + 1));
        }
        let s = spec(&["x", "z"], weighted);
        let a = amce(&table(&rows), &s).unwrap();
        let b = amce(&table(&shuffled), &s).unwrap();
        for (ra, rb) in a.table.rows.iter().zip(&b.table.rows) {
            prop_assert_eq!(&ra.level, &rb.level);
            let close = |x: Option<f64>, y: Option<f64>| match (x, y) {
                (Some(x), Some(y)) => (x - y).abs() < 1e-10 * (1.0 + x.abs()),
                (None, None) => true,
                _ => false,
            };
            prop_assert!(close(ra.estimate, rb.estimate));
            prop_assert!(close(ra.std_error, rb.std_error));
        }
    }

    #[test]
    fn cr1_scales_the_cregg_se(rows in rows_strategy()) {
        let mut s = spec(&["x", "z"], false);
        let cregg = amce(&table(&rows), &s).unwrap();
        s.se = ClusterSe::Cr1;
        let cr1 = amce(&table(&rows), &s).unwrap();
        let (n, k) = (rows.len() as f64, 4.0);
        let factor = ((n - 1.0) / (n - k)).sqrt();
        for (a, b) in cregg.table.rows.iter().zip(&cr1.table.rows) {
            if let (Some(x), Some(y)) = (a.std_error, b.std_error) {
                prop_assert!((x * factor - y).abs() < 1e-12, "{x} × {factor} vs {y}");
            }
        }
    }
}

//! Known-answer tests: AMCEs, marginal means and the omnibus F test against the cregg reference
//! results in `../shared/data` (see its README for how each oracle was computed).

use std::path::PathBuf;

use silico::analysis::{
    amce, cj_anova, mm, ClusterSe, ConjointSpec, Estimates, Formula, LevelOrders,
};
use silico::data::{read_delimited, ReadOptions};
use silico::study::{Provenance, ResponseSource, ResponseTable};

fn data_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/data")
}

fn read_table(file: &str) -> ResponseTable {
    let path = data_dir().join(file);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    read_delimited(
        &bytes,
        file,
        ResponseSource::Human,
        Provenance::default(),
        &ReadOptions::default(),
    )
    .expect("readable CSV")
}

fn levels(file: &str) -> LevelOrders {
    let text = std::fs::read_to_string(data_dir().join(file)).expect("levels file");
    LevelOrders::from_csv(&text).expect("levels CSV")
}

struct OracleRow {
    feature: String,
    level: String,
    estimate: f64,
    std_error: Option<f64>,
    std_error_cr1: Option<f64>,
}

fn oracle(file: &str) -> Vec<OracleRow> {
    let mut reader = csv::Reader::from_path(data_dir().join(file)).expect("oracle file");
    let headers = reader.headers().expect("header").clone();
    let at = |name: &str| headers.iter().position(|h| h == name);
    let number = |s: &str| (!s.is_empty()).then(|| s.parse::<f64>().expect("number"));
    reader
        .records()
        .map(|r| {
            let r = r.expect("record");
            OracleRow {
                feature: r[at("feature").unwrap()].to_string(),
                level: r[at("level").unwrap()].to_string(),
                estimate: r[at("estimate").unwrap()].parse().expect("estimate"),
                std_error: number(&r[at("std_error").unwrap()]),
                std_error_cr1: at("std_error_statsmodels_default").and_then(|i| number(&r[i])),
            }
        })
        .collect()
}

/// Compares every oracle row; returns the largest |Δ| in estimates and in SEs.
fn compare(got: &Estimates, want: &[OracleRow], cr1: bool) -> (f64, f64) {
    assert!(
        got.warnings.iter().all(|w| !w.is_missing_estimate()),
        "{:?}",
        got.warnings
    );
    assert_eq!(
        got.table.rows.len(),
        want.len(),
        "row count differs from the oracle"
    );
    let (mut max_est, mut max_se) = (0.0f64, 0.0f64);
    for w in want {
        let row = got
            .table
            .find(&w.feature, &w.level)
            .unwrap_or_else(|| panic!("no row for {} = {}", w.feature, w.level));
        let est = row.estimate.expect("estimate");
        let d = (est - w.estimate).abs();
        assert!(
            d < 1e-8,
            "{} = {}: estimate {est} vs {}",
            w.feature,
            w.level,
            w.estimate
        );
        max_est = max_est.max(d);
        let want_se = if cr1 { w.std_error_cr1 } else { w.std_error };
        match (row.std_error, want_se) {
            (Some(a), Some(b)) => {
                let d = (a - b).abs();
                assert!(d < 1e-8, "{} = {}: SE {a} vs {b}", w.feature, w.level);
                max_se = max_se.max(d);
            }
            (None, None) => assert_eq!(est, 0.0),
            (a, b) => panic!("{} = {}: SE {a:?} vs {b:?}", w.feature, w.level),
        }
    }
    (max_est, max_se)
}

fn immigration_spec(formula: &str) -> ConjointSpec {
    let mut spec = ConjointSpec::new(
        "ChosenImmigrant",
        "CaseID",
        Formula::parse(formula, Some("ChosenImmigrant")).expect("formula"),
    );
    spec.levels = levels("cregg_immigration_levels.csv");
    spec
}

const CONSTRAINED: &str = "ChosenImmigrant ~ Gender + LanguageSkills + PriorEntry + Education*Job + CountryOfOrigin*ReasonForApplication + JobExperience + JobPlans";
const ADDITIVE: &str = "Gender + Education + LanguageSkills + CountryOfOrigin + Job + JobExperience + JobPlans + ReasonForApplication + PriorEntry";
const TAXES: &str = "taxrate1 + taxrate2 + taxrate3 + taxrate4 + taxrate5 + taxrate6 + taxrev";

#[test]
fn immigration_constrained_amce_matches_cregg() {
    let table = read_table("cregg_immigration.csv");
    let want = oracle("oracle_immigration_amce_constrained_cregg.csv");
    let mut spec = immigration_spec(CONSTRAINED);
    let got = amce(&table, &spec).expect("amce");
    assert_eq!(got.n_rows, 13960);
    assert_eq!(got.n_respondents, 1396);
    let (e, s) = compare(&got, &want, false);
    eprintln!("constrained immigration AMCE: max |Δest| {e:e}, max |ΔSE| {s:e}");
    spec.se = ClusterSe::Cr1;
    let got = amce(&table, &spec).expect("amce CR1");
    let (e, s) = compare(&got, &want, true);
    eprintln!("constrained immigration AMCE (CR1): max |Δest| {e:e}, max |ΔSE| {s:e}");
}

#[test]
fn immigration_additive_amce_matches_oracle() {
    let table = read_table("cregg_immigration.csv");
    let want = oracle("oracle_immigration_amce_additive.csv");
    let mut spec = immigration_spec(ADDITIVE);
    let (e, s) = compare(&amce(&table, &spec).expect("amce"), &want, false);
    eprintln!("additive immigration AMCE: max |Δest| {e:e}, max |ΔSE| {s:e}");
    spec.se = ClusterSe::Cr1;
    let (e, s) = compare(&amce(&table, &spec).expect("amce"), &want, true);
    eprintln!("additive immigration AMCE (CR1): max |Δest| {e:e}, max |ΔSE| {s:e}");
}

#[test]
fn immigration_mm_matches_oracle() {
    let table = read_table("cregg_immigration.csv");
    let want = oracle("oracle_immigration_mm.csv");
    let spec = immigration_spec(ADDITIVE);
    let got = mm(&table, &spec, 0.5).expect("mm");
    let (e, s) = compare(&got, &want, false);
    eprintln!("immigration MM: max |Δest| {e:e}, max |ΔSE| {s:e}");
    // z tests against the null of 0.5.
    let male = got.table.find("Gender", "Male").unwrap();
    let z = (male.estimate.unwrap() - 0.5) / male.std_error.unwrap();
    assert!((male.z.unwrap() - z).abs() < 1e-12);
}

#[test]
fn taxes_amce_and_mm_match_cregg_readme() {
    let table = read_table("cregg_taxes.csv");
    let mut spec = ConjointSpec::new(
        "chose_plan",
        "ID",
        Formula::parse(TAXES, None).expect("formula"),
    );
    spec.levels = levels("cregg_taxes_levels.csv");
    let (e, s) = compare(
        &amce(&table, &spec).expect("amce"),
        &oracle("oracle_taxes_amce.csv"),
        false,
    );
    eprintln!("taxes AMCE: max |Δest| {e:e}, max |ΔSE| {s:e}");
    let (e, s) = compare(
        &mm(&table, &spec, 0.5).expect("mm"),
        &oracle("oracle_taxes_mm.csv"),
        false,
    );
    eprintln!("taxes MM: max |Δest| {e:e}, max |ΔSE| {s:e}");
    spec.se = ClusterSe::Cr1;
    let (e, s) = compare(
        &amce(&table, &spec).expect("amce"),
        &oracle("oracle_taxes_amce.csv"),
        true,
    );
    eprintln!("taxes AMCE (CR1): max |Δest| {e:e}, max |ΔSE| {s:e}");
}

#[test]
fn immigration_anova_by_contest_matches_cregg() {
    let table = read_table("cregg_immigration.csv");
    let spec = immigration_spec("ChosenImmigrant ~ Gender + Education + LanguageSkills");
    let result = cj_anova(&table, &spec, "contest_no").expect("anova");
    assert_eq!(result.resid_df_reduced, 13949);
    assert_eq!(result.resid_df_full, 13905);
    assert_eq!(result.df, 44);
    assert!((result.f - 0.8589).abs() < 5e-5, "F = {}", result.f);
    assert!((result.p - 0.7334).abs() < 5e-5, "p = {}", result.p);
}

#[test]
fn contrast_between_levels_uses_the_joint_covariance() {
    let table = read_table("cregg_immigration.csv");
    let spec = immigration_spec(CONSTRAINED);
    let all = amce(&table, &spec).expect("amce");
    let est = |level: &str| all.table.find("Job", level).unwrap().estimate.unwrap();
    let row = silico::analysis::amce_contrast(&table, &spec, "Job", "Doctor", "Nurse").unwrap();
    assert_eq!(row.level, "Doctor - Nurse");
    assert!((row.estimate.unwrap() - (est("Doctor") - est("Nurse"))).abs() < 1e-12);
    // Against the baseline the contrast is the AMCE itself, SE included.
    let row = silico::analysis::amce_contrast(&table, &spec, "Job", "Doctor", "Janitor").unwrap();
    let doctor = all.table.find("Job", "Doctor").unwrap();
    assert!((row.std_error.unwrap() - doctor.std_error.unwrap()).abs() < 1e-15);
}

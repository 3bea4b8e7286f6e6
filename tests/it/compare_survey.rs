//! `silico compare-survey`: people vs an LLM sample, unpaired, question by question. Known answers
//! from scipy 1.17.1 (the script is in the comments: `chi2_contingency(..., correction=False)`,
//! `jensenshannon(p, q, base=2) ** 2` — the project's JS is the divergence in bits, scipy returns
//! its square root —, `wasserstein_distance`, `ttest_ind(equal_var=False)`,
//! `mannwhitneyu(method="asymptotic")`, `entropy(p) / log(K)`, `false_discovery_control`), hand
//! cases, properties (identical samples, swapping the samples), every answer shape the project
//! writes (the import's long table, the fielded survey table with samples, item ids `Q_1`, lists
//! and JSON objects), groups, bad input, and the command line.

use std::path::PathBuf;

use crate::support::cli::silico_output as silico;
use silico::compare::survey::{
    benjamini_hochberg, chi_square, mann_whitney, wasserstein, welch_t, ItemComparison,
};
use silico::compare::{
    compare_survey, survey_items_csv, NumericTest, QuestionKind, SurveyComparison, SurveyOptions,
    SurveySamplesError,
};
use silico::data::{read_delimited, ReadOptions};
use silico::study::{parse_study, Provenance, ResponseSource, ResponseTable, Survey};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/compare-survey");

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(FIXTURES).join(name)
}

fn survey() -> Survey {
    let bytes = std::fs::read(fixture("study.json")).expect("fixture study");
    parse_study(&bytes).expect("valid fixture study").survey
}

fn table(name: &str, csv: &str) -> ResponseTable {
    read_delimited(
        csv.as_bytes(),
        name,
        ResponseSource::Human,
        Provenance::default(),
        &ReadOptions::default(),
    )
    .expect("test CSV parses")
}

/// A long table (respondent,question,answer) with `counts[i]` respondents answering `answers[i]`.
fn long(question: &str, answers: &[&str], counts: &[usize]) -> String {
    let mut csv = String::from("respondent,question,answer\n");
    let mut r = 0;
    for (answer, &n) in answers.iter().zip(counts) {
        for _ in 0..n {
            r += 1;
            csv.push_str(&format!("{r},{question},{answer}\n"));
        }
    }
    csv
}

fn compare(humans: &str, llm: &str, options: &SurveyOptions) -> SurveyComparison {
    compare_survey(
        &table("humans.csv", humans),
        &table("llm.csv", llm),
        &survey(),
        options,
    )
    .expect("comparison")
}

fn item<'c>(c: &'c SurveyComparison, id: &str) -> &'c ItemComparison {
    c.items
        .iter()
        .find(|r| r.question == id)
        .unwrap_or_else(|| panic!("no row {id}"))
}

fn close(actual: f64, expected: f64, what: &str) {
    assert!(
        (actual - expected).abs() <= 1e-9 * expected.abs().max(1.0),
        "{what}: {actual} vs {expected}"
    );
}

const SCALE: [&str; 5] = ["1", "2", "3", "4", "5"];

#[test]
fn a_five_point_scale_matches_scipy() {
    // People 10/20/30/25/15 over the five points, the LLM 0/5/40/45/10 (labels for two points,
    // since fielded tables may carry them).
    let humans = long("trust", &SCALE, &[10, 20, 30, 25, 15]);
    let llm = long(
        "trust",
        &["1", "A little", "3", "A lot", "5"],
        &[0, 5, 40, 45, 10],
    );
    let c = compare(&humans, &llm, &SurveyOptions::default());
    let r = item(&c, "trust");
    assert_eq!(r.kind, QuestionKind::Ordinal);
    assert_eq!((r.n_human, r.n_llm, r.categories), (100, 100, 5));
    // chi2_contingency([[10,20,30,25,15],[0,5,40,45,10]], correction=False)
    assert_eq!(r.difference.test, "chi_square");
    close(r.difference.statistic, 27.142857142857142, "chi2");
    close(r.difference.df, 4.0, "df");
    close(r.difference.p_value, 1.859968510551197e-05, "p");
    // jensenshannon(p, q, base=2) ** 2
    close(r.distances.js_divergence, 0.11446023068553733, "js");
    // wasserstein_distance(range(5), range(5), p, q) = 0.55; 1 − W/4
    close(r.wasserstein, 0.55, "W");
    close(r.distances.representativeness, 0.8625, "representativeness");
    close(r.distances.tv_distance, 0.3, "tv");
    // The same to uniform (1/5 each).
    close(
        r.human_to_uniform.js_divergence,
        0.024110939008565417,
        "js uniform people",
    );
    close(
        r.llm_to_uniform.js_divergence,
        0.2071160797432247,
        "js uniform llm",
    );
    close(
        r.human_to_uniform.representativeness,
        0.9375,
        "repr uniform people",
    );
    close(r.llm_to_uniform.representativeness, 0.8, "repr uniform llm");
    // entropy(p) / log(5)
    close(r.entropy_human, 0.9596390821693783, "entropy people");
    close(r.entropy_llm, 0.6871280156139884, "entropy llm");
    // numpy mean and std(ddof=1) of the answers
    close(r.mean_human, 3.15, "mean people");
    close(r.mean_llm, 3.6, "mean llm");
    close(r.sd_human, 1.200799397034822, "sd people");
    close(r.sd_llm, 0.7385489458759965, "sd llm");
    close(r.sd_ratio, 0.6150477321188889, "sd ratio");
    // One tested item: the adjusted p is the p.
    close(r.p_adjusted, r.difference.p_value, "p adjusted");
    let d = r.distribution.as_ref().expect("shares");
    assert_eq!(d.labels[0], "None at all");
    assert_eq!(d.llm, vec![0.0, 0.05, 0.4, 0.45, 0.1]);
    // The LLM is further from uniform here, so no drift to uniform.
    assert_eq!(c.summary.nearer_uniform_share, 0.0);
}

#[test]
fn numbers_match_scipy_with_either_test() {
    let a = [3.1, 4.5, 2.2, 5.0, 3.3, 4.1];
    let b = [4.0, 4.2, 4.1, 3.9, 4.4];
    let rows = |xs: &[f64]| {
        let mut csv = String::from("respondent,question,answer\n");
        for (i, x) in xs.iter().enumerate() {
            csv.push_str(&format!("{},thermo,{x}\n", i + 1));
        }
        csv
    };
    let welch = compare(&rows(&a), &rows(&b), &SurveyOptions::default());
    let r = item(&welch, "thermo");
    assert_eq!(r.kind, QuestionKind::Numeric);
    // ttest_ind(a, b, equal_var=False)
    assert_eq!(r.difference.test, "welch_t");
    close(r.difference.statistic, -0.9825177435450622, "t");
    close(r.difference.df, 5.41889390626237, "df");
    close(r.difference.p_value, 0.3676538602037737, "p");
    // wasserstein_distance(a, b); the range is 0–100.
    close(r.wasserstein, 0.7066666666666666, "W");
    close(
        r.distances.representativeness,
        1.0 - 0.7066666666666666 / 100.0,
        "representativeness",
    );
    assert!(r.distances.js_divergence.is_nan() && r.entropy_human.is_nan());
    let mw = compare(
        &rows(&a),
        &rows(&b),
        &SurveyOptions {
            numeric_test: NumericTest::MannWhitney,
            ..SurveyOptions::default()
        },
    );
    let r = item(&mw, "thermo");
    // mannwhitneyu(a, b, method="asymptotic")
    assert_eq!(r.difference.test, "mann_whitney");
    close(r.difference.statistic, 12.5, "U");
    close(r.difference.p_value, 0.7143791829912025, "p");
}

#[test]
fn the_tests_by_themselves_match_scipy() {
    // mannwhitneyu([1,2,2,3,3,3,4], [2,3,3,4,4,5], method="asymptotic"): ties corrected.
    let u = mann_whitney(&[1., 2., 2., 3., 3., 3., 4.], &[2., 3., 3., 4., 4., 5.]);
    close(u.statistic, 11.0, "U");
    close(u.p_value, 0.15778541051796502, "p");
    // chi2_contingency([[12,8],[3,17]], correction=False): no Yates correction on a 2 × 2 table.
    let c = chi_square(&[12., 8.], &[3., 17.]);
    close(c.statistic, 8.64, "chi2");
    close(c.p_value, 0.003288614303847933, "p");
    // A category no one chose is left out of the table: df 1, not 2.
    let c = chi_square(&[12., 8., 0.], &[3., 17., 0.]);
    close(c.df, 1.0, "df");
    // wasserstein_distance([0, 1, 3], [5, 6, 8]) = 5 (a shift).
    close(wasserstein(&[0., 1., 3.], &[5., 6., 8.]), 5.0, "W shift");
    // false_discovery_control([0.01, 0.04, 0.03, 0.2])
    let bh = benjamini_hochberg(&[0.01, 0.04, f64::NAN, 0.03, 0.2]);
    for (got, want) in bh.iter().zip([
        0.04,
        0.05333333333333333,
        f64::NAN,
        0.05333333333333333,
        0.2,
    ]) {
        if want.is_nan() {
            assert!(got.is_nan());
        } else {
            close(*got, want, "BH");
        }
    }
    // Welch by hand: equal means give t = 0 and p = 1; one answer on a side is undefined.
    let t = welch_t(&[1., 2., 3.], &[0., 2., 4.]);
    close(t.statistic, 0.0, "t");
    close(t.p_value, 1.0, "p");
    assert!(welch_t(&[1.], &[1., 2.]).p_value.is_nan());
}

#[test]
fn unordered_codes_by_code_or_label_match_scipy() {
    let humans = long("party", &["D", "R", "I"], &[5, 3, 2]);
    let llm = long("party", &["Democrats", "R", "neither"], &[8, 1, 1]);
    let c = compare(&humans, &llm, &SurveyOptions::default());
    let r = item(&c, "party");
    assert_eq!(r.kind, QuestionKind::Nominal);
    // chi2_contingency([[5,3,2],[8,1,1]], correction=False)
    close(r.difference.statistic, 2.0256410256410255, "chi2");
    close(r.difference.df, 2.0, "df");
    close(r.difference.p_value, 0.36319314264334096, "p");
    close(r.distances.js_divergence, 0.07519620693013067, "js");
    close(r.distances.tv_distance, 0.3, "tv");
    // Codes have no order: no means, no Wasserstein.
    assert!(r.mean_human.is_nan() && r.distances.representativeness.is_nan());
    assert!(r.wasserstein.is_nan());
    // The LLM's 8/1/1 is further from uniform than people's 5/3/2 (JS and entropy agree).
    assert!(r.llm_to_uniform.js_divergence > r.human_to_uniform.js_divergence);
    assert!(r.entropy_llm < r.entropy_human);
}

#[test]
fn multi_select_lists_and_option_columns_give_the_same_items() {
    // People list their choices (12 × "tv|web", 8 × "web"); the LLM's table has one row per
    // selected option (as a Qualtrics export mapped by `tag_code`): 3 select tv and web, 17 web
    // only, with no tv row at all, which counts as not selected since they answered.
    let mut humans = String::from("respondent,question,answer\n");
    for r in 1..=20 {
        let answer = if r <= 12 { "tv|web" } else { "web" };
        humans.push_str(&format!("{r},news,{answer}\n"));
    }
    humans.push_str("21,news,\n");
    let mut llm = String::from("respondent,question,answer\n");
    for r in 1..=20 {
        if r <= 3 {
            llm.push_str(&format!("{r},news_tv,1\n"));
        }
        llm.push_str(&format!("{r},news_web,1\n"));
    }
    let c = compare(&humans, &llm, &SurveyOptions::default());
    let tv = item(&c, "news_tv");
    assert_eq!(
        (tv.parent.as_str(), tv.item.as_deref()),
        ("news", Some("tv"))
    );
    assert_eq!((tv.n_human, tv.n_llm), (20, 20));
    // Respondent 21 left the question empty: missing for every option.
    assert_eq!(tv.missing_human, 1);
    close(tv.mean_human, 0.6, "share selected (people)");
    close(tv.mean_llm, 0.15, "share selected (LLM)");
    // chi2_contingency([[12,8],[3,17]], correction=False)
    close(tv.difference.statistic, 8.64, "chi2");
    close(tv.difference.p_value, 0.003288614303847933, "p");
    let web = item(&c, "news_web");
    assert_eq!((web.mean_human, web.mean_llm), (1.0, 1.0));
    assert!(
        web.difference.p_value.is_nan(),
        "one category only: untested"
    );
    let paper = item(&c, "news_paper");
    assert_eq!((paper.n_human, paper.n_llm, paper.mean_llm), (20, 20, 0.0));
}

#[test]
fn matrix_items_and_rankings_in_every_shape() {
    let humans = "respondent,question,answer
1,agree_1,Agree
1,agree_2,3
2,agree_1,1
2,agree_2,2
3,priority,econ|health|climate
4,priority,\"[\"\"health\"\",\"\"econ\"\"]\"
";
    let llm = "respondent,question,answer
1,agree,\"{\"\"1\"\": 3, \"\"2\"\": \"\"Neutral\"\"}\"
2,agree,\"{\"\"1\"\": \"\"Disagree\"\"}\"
3,priority_econ,1
3,priority_health,3
";
    let c = compare(humans, llm, &SurveyOptions::default());
    let a1 = item(&c, "agree_1");
    assert_eq!((a1.n_human, a1.n_llm, a1.categories), (2, 2, 3));
    assert_eq!((a1.mean_human, a1.mean_llm), (2.0, 2.0));
    let a2 = item(&c, "agree_2");
    assert_eq!((a2.n_human, a2.n_llm, a2.mean_llm), (2, 1, 2.0));
    let econ = item(&c, "priority_econ");
    // Ranks: people 1 and 2, the LLM 1.
    assert_eq!((econ.n_human, econ.n_llm, econ.mean_human), (2, 1, 1.5));
    let climate = item(&c, "priority_climate");
    // The top-2 ranking leaves climate unranked for respondent 4: one rank, not unreadable.
    assert_eq!((climate.n_human, climate.unreadable_human), (1, 0));
    // Free text is listed as not compared.
    assert!(c.skipped.iter().any(|s| s.question == "why"));
}

#[test]
fn identical_samples_are_at_distance_zero_and_swapping_keeps_symmetric_distances() {
    let humans = long("trust", &SCALE, &[3, 9, 4, 0, 7]);
    let llm = long("trust", &SCALE, &[1, 2, 12, 6, 2]);
    let same = compare(&humans, &humans, &SurveyOptions::default());
    let r = item(&same, "trust");
    assert_eq!(r.distances.tv_distance, 0.0);
    assert_eq!(r.distances.js_divergence, 0.0);
    assert_eq!(r.distances.representativeness, 1.0);
    assert_eq!(r.wasserstein, 0.0);
    close(r.difference.statistic, 0.0, "chi2");
    close(r.difference.p_value, 1.0, "p");
    assert_eq!(r.sd_ratio, 1.0);

    let forward = compare(&humans, &llm, &SurveyOptions::default());
    let backward = compare(&llm, &humans, &SurveyOptions::default());
    let (f, b) = (item(&forward, "trust"), item(&backward, "trust"));
    close(f.distances.js_divergence, b.distances.js_divergence, "js");
    close(f.distances.tv_distance, b.distances.tv_distance, "tv");
    close(
        f.distances.representativeness,
        b.distances.representativeness,
        "representativeness",
    );
    close(f.difference.statistic, b.difference.statistic, "chi2");
    close(
        f.human_to_uniform.js_divergence,
        b.llm_to_uniform.js_divergence,
        "to uniform",
    );
    close(f.entropy_human, b.entropy_llm, "entropy");
    close(f.sd_ratio, 1.0 / b.sd_ratio, "sd ratio");
    assert!(f.distances.js_divergence > 0.0 && f.distances.js_divergence <= 1.0);
}

#[test]
fn the_fielded_table_counts_each_sample_and_groups_come_from_a_question() {
    // The fielded survey table: respondent, question, sample, answer, status; a failed call has
    // no answer and counts as missing. Respondent 1 answered twice (two samples).
    let llm = "respondent,question,sample,answer,label,status
1,party,1,D,Democrats,answered
1,trust,1,2,,answered
1,party,2,R,Republicans,answered
1,trust,2,4,,answered
2,party,1,D,Democrats,answered
2,trust,1,,,failed
";
    let humans = "ResponseId,question,answer
R_a,party,D
R_a,trust,1
R_b,party,R
R_b,trust,5
R_c,party,R
R_c,trust,sometimes
";
    let options = SurveyOptions {
        group: Some("party".into()),
        ..SurveyOptions::default()
    };
    let c = compare(humans, llm, &options);
    assert_eq!((c.human_respondents, c.llm_respondents), (3, 3));
    let trust = item(&c, "trust");
    assert_eq!((trust.n_human, trust.n_llm), (2, 2));
    assert_eq!((trust.missing_llm, trust.unreadable_human), (1, 1));
    assert_eq!(c.unreadable[0].line, 7);
    assert_eq!(c.unreadable[0].value, "sometimes");
    // Groups by each respondent's answer label to `party`.
    let groups: Vec<&str> = c
        .group_summaries
        .iter()
        .filter_map(|s| s.group.as_deref())
        .collect();
    assert_eq!(groups, ["Democrats", "Republicans"]);
    let dem_trust = c
        .group_items
        .iter()
        .find(|r| r.group.as_deref() == Some("Democrats") && r.question == "trust")
        .expect("Democrats' trust");
    // People: R_a (1); LLM: respondent 1 sample 1 (2), respondent 2 failed (missing).
    assert_eq!(
        (dem_trust.n_human, dem_trust.n_llm, dem_trust.missing_llm),
        (1, 1, 1)
    );
    let csv = survey_items_csv(&c, true);
    assert!(csv.starts_with("group,question,parent,item,type,kind,categories,n_human,n_llm,"));
}

#[test]
fn a_group_column_of_both_tables_splits_rows() {
    let humans = "respondent,question,answer,age
1,trust,1,young
2,trust,2,old
3,trust,2,old
";
    let llm = "respondent,question,answer,age
1,trust,3,young
2,trust,3,old
";
    let options = SurveyOptions {
        group: Some("age".into()),
        ..SurveyOptions::default()
    };
    let c = compare(humans, llm, &options);
    let old = c
        .group_items
        .iter()
        .find(|r| r.group.as_deref() == Some("old"))
        .expect("old");
    assert_eq!((old.n_human, old.n_llm), (2, 1));
    // Missing from one table: named.
    let err = compare_survey(
        &table("humans.csv", humans),
        &table("llm.csv", "respondent,question,answer\n1,trust,3\n"),
        &survey(),
        &options,
    )
    .expect_err("no age column in llm.csv");
    let message = err.to_string();
    assert!(
        message.starts_with("llm.csv: the group column \"age\""),
        "{message}"
    );
}

#[test]
fn bad_tables_are_named_with_what_is_wrong() {
    let s = survey();
    let ok = table("llm.csv", "respondent,question,answer\n1,trust,3\n");
    // A wide export: one column per question.
    let wide = table("wide.csv", "ResponseId,trust,party\nR_1,3,D\n");
    let err = compare_survey(&wide, &ok, &s, &SurveyOptions::default()).expect_err("wide");
    assert!(matches!(
        err,
        SurveySamplesError::MissingColumn {
            what: "question",
            ..
        }
    ));
    let message = err.to_string();
    assert!(
        message.starts_with("wide.csv: no question column"),
        "{message}"
    );
    assert!(message.contains("silico import"), "{message}");
    // Question ids that match nothing in the study.
    let other = table(
        "other.csv",
        "respondent,question,answer\n1,Q99,3\n2,Q98,1\n",
    );
    let err = compare_survey(&ok, &other, &s, &SurveyOptions::default()).expect_err("no match");
    let message = err.to_string();
    assert!(
        message.starts_with("other.csv: no question id"),
        "{message}"
    );
    assert!(
        message.contains("Q98, Q99") && message.contains("party"),
        "{message}"
    );
    // Some unknown ids among known ones: reported, not fatal.
    let mixed = table(
        "mixed.csv",
        "respondent,question,answer\n1,Q99,3\n1,trust,2\n",
    );
    let c = compare_survey(&ok, &mixed, &s, &SurveyOptions::default()).expect("mixed");
    assert_eq!(c.unknown_questions[0].question, "Q99");
    assert_eq!(c.unknown_questions[0].table, "mixed.csv");
}

#[test]
fn the_command_line_writes_csv_r_and_pandas_read() {
    let dir = std::env::temp_dir().join(format!("silico-compare-survey-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let humans = dir.join("humans.csv");
    let llm = dir.join("llm.csv");
    std::fs::write(&humans, long("trust", &SCALE, &[10, 20, 30, 25, 15])).expect("write");
    let mut llm_csv = long("trust", &SCALE, &[0, 5, 40, 45, 10]);
    llm_csv.push_str("200,party,D\n200,thermo,50.5\n");
    std::fs::write(&llm, llm_csv).expect("write");
    let study = fixture("study.json");
    let summary = dir.join("summary.csv");
    let plots = dir.join("plots");
    let out = silico(&[
        "compare-survey",
        humans.to_str().unwrap_or_default(),
        llm.to_str().unwrap_or_default(),
        "--study",
        study.to_str().unwrap_or_default(),
        "--summary",
        summary.to_str().unwrap_or_default(),
        "--plots",
        plots.to_str().unwrap_or_default(),
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let mut lines = stdout.lines();
    let header: Vec<&str> = lines.next().unwrap_or_default().split(',').collect();
    assert_eq!(&header[..3], ["question", "parent", "item"]);
    assert!(header.contains(&"n_human") && header.contains(&"n_llm"));
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    // trust (both), party and thermo (LLM only): survey order.
    let ids: Vec<&str> = rows.iter().map(|r| r[0]).collect();
    assert_eq!(ids, ["party", "trust", "thermo"]);
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap_or(usize::MAX);
    let trust = &rows[1];
    assert_eq!(trust[col("n_human")], "100");
    let js: f64 = trust[col("js_divergence")].parse().unwrap_or(f64::NAN);
    close(js, 0.11446023068553733, "js in the CSV");
    // Undefined is empty, never NA or NaN; no thousands separators.
    assert_eq!(rows[0][col("mean_human")], "");
    assert!(!stdout.contains("NaN") && !stdout.contains("NA,"));
    assert!(std::fs::read_to_string(&summary)
        .unwrap_or_default()
        .starts_with("group,items,"));
    assert!(plots.join("summary.svg").exists());
    assert!(plots.join("002-trust.svg").exists());
    assert!(stderr.contains("why not compared"), "{stderr}");

    // Bad input: exit 2 with the file and the column named.
    let wide = dir.join("wide.csv");
    std::fs::write(&wide, "ResponseId,trust\nR_1,3\n").expect("write");
    let out = silico(&[
        "compare-survey",
        wide.to_str().unwrap_or_default(),
        llm.to_str().unwrap_or_default(),
        "--study",
        study.to_str().unwrap_or_default(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("wide.csv: no question column"), "{stderr}");
    assert!(out.stdout.is_empty());
    let _ = std::fs::remove_dir_all(&dir);
}

/// The shared data folder beside the checkout (`../shared/data` from the main checkout, one level
/// further from a worktree under `wt/`).
fn shared_data(name: &str) -> Option<PathBuf> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    [root.join("../shared/data"), root.join("../../shared/data")]
        .into_iter()
        .map(|d| d.join(name))
        .find(|p| p.exists())
}

/// A synthetic LLM sample as a fielded survey table: `counts[i]` respondents answer `answers[i]`.
fn fielded(rows: &mut String, question: &str, answers: &[&str], counts: &[usize]) {
    let mut r = 0;
    for (answer, &n) in answers.iter().zip(counts) {
        for _ in 0..n {
            r += 1;
            rows.push_str(&format!("{r},{question},1,{answer},answered\n"));
        }
    }
}

#[test]
fn the_porter_export_against_a_synthetic_llm_sample_matches_scipy() {
    let Some(path) = shared_data("qualtrics_porter2016_responses.csv") else {
        eprintln!("skipped: ../shared/data/qualtrics_porter2016_responses.csv is not here");
        return;
    };
    let study = parse_study(&std::fs::read(fixture("porter-subset.json")).expect("fixture"))
        .expect("valid porter subset");
    let bytes = std::fs::read(&path).expect("porter export");
    let wide = read_delimited(
        &bytes,
        "porter",
        ResponseSource::Human,
        Provenance::default(),
        &ReadOptions::default(),
    )
    .expect("export parses");
    // The people's long table as the page makes it: columns matched by export tag.
    let mapping = silico::data::auto_map(&wide, None, &study.survey);
    assert_eq!(mapping.columns.len(), 5);
    let humans = silico::data::apply_mapping(&wide, &mapping, &study.survey, Provenance::default());
    let mut llm = String::from("respondent,question,sample,answer,status\n");
    fielded(&mut llm, "polid", &["1", "2", "3", "4"], &[40, 20, 30, 10]);
    fielded(
        &mut llm,
        "conserv",
        &["1", "2", "3", "4", "5", "6", "7"],
        &[5, 10, 15, 40, 15, 10, 5],
    );
    for i in 0..100 {
        let warm = [50, 55, 60, 65, 70][i % 5];
        llm.push_str(&format!("{},democrat_warm_1,1,{warm},answered\n", i + 1));
    }
    let c = compare_survey(
        &humans,
        &table("llm.csv", &llm),
        &study.survey,
        &SurveyOptions::default(),
    )
    .expect("comparison");
    // The numbers below: pandas reads the export, value_counts per code, then scipy as in the
    // module comment (python script in the commit's report).
    let polid = item(&c, "polid");
    assert_eq!((polid.n_human, polid.n_llm), (171, 100));
    close(polid.difference.statistic, 6.861999577506727, "polid chi2");
    close(polid.difference.p_value, 0.07642883904297247, "polid p");
    close(
        polid.distances.js_divergence,
        0.01873729880430532,
        "polid js",
    );
    close(polid.distances.tv_distance, 0.12456140350877191, "polid tv");
    close(
        polid.human_to_uniform.js_divergence,
        0.10217531596722834,
        "polid js uniform",
    );
    close(polid.entropy_human, 0.8152977946916988, "polid entropy");
    let conserv = item(&c, "conserv");
    assert_eq!(conserv.n_human, 170);
    close(
        conserv.difference.statistic,
        31.830586697220465,
        "conserv chi2",
    );
    close(
        conserv.difference.p_value,
        1.7584101581326344e-05,
        "conserv p",
    );
    close(conserv.wasserstein, 0.7588235294117645, "conserv W");
    close(
        conserv.distances.representativeness,
        0.8735294117647059,
        "conserv repr",
    );
    close(
        conserv.distances.js_divergence,
        0.09992986443763581,
        "conserv js",
    );
    close(conserv.mean_human, 3.2411764705882353, "conserv mean");
    close(conserv.sd_human, 1.7694176568615747, "conserv sd");
    let warm = item(&c, "democrat_warm_1");
    assert_eq!(warm.n_human, 169);
    close(warm.mean_human, 56.38461538461539, "warm mean");
    close(warm.difference.statistic, -1.7277446757693242, "warm t");
    close(warm.difference.df, 208.6446398796352, "warm df");
    close(warm.difference.p_value, 0.0855136914973514, "warm p");
    close(warm.wasserstein, 14.732544378698227, "warm W");
    // The LLM answered liberal and social_issues for no one: the people's rows stand alone.
    let liberal = item(&c, "liberal");
    assert_eq!(liberal.n_llm, 0);
    assert!(liberal.difference.p_value.is_nan());
    assert_eq!(c.summary.items, 3);
}

#[test]
fn the_worker_job_gives_the_same_rows_through_json() {
    use silico::jobs::{call, CompareSurveyRequest, JobError, TableInput};
    let humans = long("trust", &SCALE, &[10, 20, 30, 25, 15]);
    let llm = long("trust", &SCALE, &[0, 5, 40, 45, 10]);
    let options = SurveyOptions {
        group: Some("party".into()),
        ..SurveyOptions::default()
    };
    let request = CompareSurveyRequest {
        humans: TableInput::Csv {
            name: "humans.csv".into(),
            text: humans.clone(),
            delimiter: None,
        },
        llm: TableInput::Table {
            table: table("llm.csv", &llm),
        },
        survey: survey(),
        options: SurveyOptions::default(),
    };
    let reply = match call(request) {
        Ok(reply) => reply,
        Err(e) => panic!("not SurveyCompared: {e:?}"),
    };
    // The same numbers as the engine called directly (NaN travels as null and comes back).
    let direct = compare(&humans, &llm, &SurveyOptions::default());
    let (a, b) = (item(&reply.comparison, "trust"), item(&direct, "trust"));
    assert_eq!(a.distances, b.distances);
    assert!(a.mean_human == b.mean_human && a.wasserstein == b.wasserstein);
    assert_eq!(reply.items_csv, survey_items_csv(&direct, false));
    assert!(reply.group_items_csv.is_empty());
    assert!(reply.summary_csv.starts_with("group,items,"));
    // A bad table comes back as Failed with the table named.
    let bad = CompareSurveyRequest {
        humans: TableInput::Csv {
            name: "people.csv".into(),
            text: "who,what\n1,2\n".into(),
            delimiter: None,
        },
        llm: TableInput::Csv {
            name: "llm.csv".into(),
            text: llm,
            delimiter: None,
        },
        survey: survey(),
        options,
    };
    match call(bad) {
        Err(JobError { message, .. }) => {
            assert!(
                message.starts_with("people.csv: no question column"),
                "{message}"
            )
        }
        other => panic!("expected Failed, got {other:?}"),
    }
}

#[test]
fn the_charts_show_both_samples_and_uniform() {
    use silico::plot::{survey_distribution_figure, survey_summary_figure, Mark, RowLabel};
    let humans = long("trust", &SCALE, &[10, 20, 30, 25, 15]) + "200,party,D\n201,party,R\n";
    let llm = long("trust", &SCALE, &[0, 5, 40, 45, 10]) + "300,party,D\n";
    let c = compare(&humans, &llm, &SurveyOptions::default());
    let figure = survey_distribution_figure(item(&c, "trust")).expect("trust chart");
    assert_eq!(figure.rows[0], RowLabel::Item("None at all".into()));
    let panel = &figure.panels[0];
    assert_eq!((panel.mark, panel.reference), (Mark::Bar, Some(0.2)));
    let llm_shares: Vec<f64> = panel.series[1]
        .points
        .iter()
        .map(|p| p.map_or(f64::NAN, |p| p.value))
        .collect();
    assert_eq!(llm_shares, [0.0, 0.05, 0.4, 0.45, 0.1]);
    assert!(figure.subtitle.contains("p < 0.001"), "{}", figure.subtitle);
    // Largest divergence first: party (½/½ vs all D) before trust.
    let summary = survey_summary_figure(&c).expect("summary chart");
    assert_eq!(
        summary.rows,
        [
            RowLabel::Item("party".into()),
            RowLabel::Item("trust".into())
        ]
    );
    assert_eq!(summary.panels[0].series.len(), 3);
}

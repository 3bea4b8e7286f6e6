//! The Conjoint Survey Design Tool's immigration demo, imported without Python, gives a design
//! whose empty cells are exactly those of the real Hainmueller–Hopkins–Yamamoto data.

use std::collections::BTreeSet;
use std::path::PathBuf;

use silico::design::{diagnose, generate, import_sdt, study_from_sdt, SdtError};
use silico::study::{validate, AttributeOrder};

fn data(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/data")
        .join(name)
}

fn sdt_bytes() -> Vec<u8> {
    std::fs::read(data("sdt_immigrant_demo.sdt")).expect("the .sdt demo file")
}

/// Names compared across sources: "Once w/o Authorization" (cregg) = "once w/o authorization"
/// (the tool), "CountryOfOrigin" = "Country of Origin".
fn key(text: &str) -> String {
    text.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

#[test]
fn imports_the_immigration_demo() {
    let conjoint = import_sdt(&sdt_bytes()).unwrap();
    assert_eq!(conjoint.attributes.len(), 9);
    assert_eq!(conjoint.attributes[0].name, "Gender");
    assert_eq!(conjoint.restrictions.len(), 22);
    assert_eq!(conjoint.tasks_per_respondent, 5);
    assert_eq!(conjoint.profiles_per_task, 2);
    assert_eq!(
        conjoint.randomisation.order_groups,
        vec![vec![
            "Job".to_string(),
            "Job Experience".into(),
            "Job Plans".into()
        ]]
    );
    assert_eq!(
        conjoint.randomisation.attribute_order,
        AttributeOrder::PerRespondent
    );
    let levels: Vec<usize> = conjoint.attributes.iter().map(|a| a.levels.len()).collect();
    assert_eq!(levels, vec![2, 7, 4, 10, 11, 4, 4, 3, 5]);
    // Uniform probabilities, as stored (0.2 for five levels …).
    for attribute in &conjoint.attributes {
        let n = attribute.levels.len() as f64;
        for level in &attribute.levels {
            assert!((level.weight - 1.0 / n).abs() < 1e-12, "{}", attribute.name);
        }
    }
    let study = study_from_sdt(&sdt_bytes(), "immigrant-demo", "Immigration").unwrap();
    assert_eq!(validate(&study), vec![]);
}

#[test]
fn broken_files_give_clear_errors() {
    let bytes = sdt_bytes();
    let err = import_sdt(&bytes[..bytes.len() / 2]).unwrap_err();
    assert!(matches!(err, SdtError::Pickle(_)), "{err}");
    assert!(err.to_string().contains("ends in the middle"), "{err}");
    assert!(import_sdt(b"{\"not\": \"a pickle\"}").is_err());
    assert!(import_sdt(&[]).is_err());
}

/// (first attribute key, second attribute key) → set of (level key, level key) pairs that occur.
fn observed_pairs(rows: &[Vec<(String, String)>], a: &str, b: &str) -> BTreeSet<(String, String)> {
    rows.iter()
        .map(|row| {
            let get = |name: &str| {
                row.iter()
                    .find(|(k, _)| k == name)
                    .map(|(_, v)| v.clone())
                    .unwrap()
            };
            (get(a), get(b))
        })
        .collect()
}

fn empty_cells(
    rows: &[Vec<(String, String)>],
    a: &str,
    a_levels: &[String],
    b: &str,
    b_levels: &[String],
) -> BTreeSet<(String, String)> {
    let seen = observed_pairs(rows, a, b);
    let mut empty = BTreeSet::new();
    for x in a_levels {
        for y in b_levels {
            if !seen.contains(&(x.clone(), y.clone())) {
                empty.insert((x.clone(), y.clone()));
            }
        }
    }
    empty
}

#[test]
fn generated_design_has_the_zero_cells_of_the_real_data() {
    let conjoint = import_sdt(&sdt_bytes()).unwrap();
    let tasks = generate(&conjoint, 1396, 2014).unwrap();
    let diagnostics = diagnose(&conjoint, &tasks).unwrap();
    assert!(diagnostics.restricted.iter().all(|r| r.count == 0));
    assert_eq!(diagnostics.restricted.len(), 22);

    // Every profile of the generated design as (attribute key, level key) pairs.
    let generated: Vec<Vec<(String, String)>> = tasks
        .iter()
        .flat_map(|t| t.profiles.iter())
        .map(|p| {
            conjoint
                .attributes
                .iter()
                .zip(p)
                .map(|(a, &l)| (key(&a.name), key(&a.levels[l as usize].name)))
                .collect()
        })
        .collect();

    // The real data.
    let mut reader = csv::Reader::from_path(data("cregg_immigration.csv")).unwrap();
    let headers = reader.headers().unwrap().clone();
    let real: Vec<Vec<(String, String)>> = reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            headers
                .iter()
                .zip(r.iter())
                .map(|(h, v)| (key(h), key(v)))
                .collect()
        })
        .collect();
    assert_eq!(real.len(), 13_960);

    let levels = |name: &str| -> Vec<String> {
        conjoint
            .attributes
            .iter()
            .find(|a| key(&a.name) == name)
            .unwrap()
            .levels
            .iter()
            .map(|l| key(&l.name))
            .collect()
    };
    for (a, b, expected) in [
        ("job", "education", 16),
        ("countryoforigin", "reasonforapplication", 6),
    ] {
        let real_empty = empty_cells(&real, a, &levels(a), b, &levels(b));
        let generated_empty = empty_cells(&generated, a, &levels(a), b, &levels(b));
        assert_eq!(real_empty.len(), expected, "{a} × {b} in the real data");
        assert_eq!(generated_empty, real_empty, "{a} × {b}");
    }
}

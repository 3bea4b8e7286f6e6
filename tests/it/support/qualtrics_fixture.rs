//! Builds a Qualtrics-style wide export of the immigration conjoint from the real long data in
//! `../shared/data/cregg_immigration.csv`: one row per respondent (CaseID), Qualtrics' three header rows,
//! its housekeeping and personal-data columns, the randomiser's embedded-data fields `F-{task}-{row}`
//! (attribute shown in that row) and `F-{task}-{profile}-{row}` (its level), and one choice column per
//! task answered as "Immigrant 1"/"Immigrant 2". The attribute order differs per respondent, as the
//! design's per-respondent randomisation would show it.

use std::collections::BTreeMap;
use std::path::PathBuf;

pub const ATTRIBUTES: [&str; 9] = [
    "Gender",
    "Education",
    "LanguageSkills",
    "CountryOfOrigin",
    "Job",
    "JobExperience",
    "JobPlans",
    "ReasonForApplication",
    "PriorEntry",
];
pub const TASKS: usize = 5;

pub fn data_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/data")
}

/// One respondent's shown profiles: levels[task][profile][attribute], which profile was chosen per
/// task, and the respondent-level ethnocentrism score.
pub struct Respondent {
    pub case_id: String,
    pub levels: Vec<Vec<Vec<String>>>,
    pub chosen: Vec<usize>,
    pub ethnocentrism: String,
}

pub fn immigration_respondents() -> Vec<Respondent> {
    let path = data_dir().join("cregg_immigration.csv");
    let mut reader = csv::Reader::from_path(&path).expect("cregg_immigration.csv");
    let headers = reader.headers().expect("header").clone();
    let at = |name: &str| headers.iter().position(|h| h == name).expect(name);
    let mut by_case: BTreeMap<u64, Respondent> = BTreeMap::new();
    for record in reader.records() {
        let r = record.expect("record");
        let case: u64 = r[at("CaseID")].parse().expect("CaseID");
        let task: usize = r[at("contest_no")].parse().expect("contest_no");
        let profile: usize = r[at("profile")].parse().expect("profile");
        let respondent = by_case.entry(case).or_insert_with(|| Respondent {
            case_id: case.to_string(),
            levels: vec![vec![Vec::new(); 2]; TASKS],
            chosen: vec![0; TASKS],
            ethnocentrism: r[at("ethnocentrism")].to_string(),
        });
        respondent.levels[task - 1][profile - 1] =
            ATTRIBUTES.iter().map(|a| r[at(a)].to_string()).collect();
        if &r[at("ChosenImmigrant")] == "1" {
            respondent.chosen[task - 1] = profile;
        }
    }
    by_case.into_values().collect()
}

fn import_id(id: &str) -> String {
    format!("{{\"ImportId\":\"{id}\"}}")
}

/// The wide export as CSV bytes (quoted as Qualtrics quotes, CRLF line ends).
pub fn qualtrics_wide_csv(respondents: &[Respondent]) -> Vec<u8> {
    let mut names: Vec<String> = Vec::new();
    let mut texts: Vec<String> = Vec::new();
    let mut ids: Vec<String> = Vec::new();
    let mut add = |name: &str, text: &str, id: &str| {
        names.push(name.into());
        texts.push(text.into());
        ids.push(import_id(id));
    };
    for (name, text, id) in [
        ("StartDate", "Start Date", "startDate"),
        ("EndDate", "End Date", "endDate"),
        ("Status", "Response Type", "status"),
        ("IPAddress", "IP Address", "ipAddress"),
        ("Progress", "Progress", "progress"),
        ("Duration (in seconds)", "Duration (in seconds)", "duration"),
        ("Finished", "Finished", "finished"),
        ("ResponseId", "Response ID", "_recordId"),
        (
            "RecipientLastName",
            "Recipient Last Name",
            "recipientLastName",
        ),
        (
            "RecipientFirstName",
            "Recipient First Name",
            "recipientFirstName",
        ),
        ("RecipientEmail", "Recipient Email", "recipientEmail"),
        ("LocationLatitude", "Location Latitude", "locationLatitude"),
        (
            "LocationLongitude",
            "Location Longitude",
            "locationLongitude",
        ),
        ("UserLanguage", "User Language", "userLanguage"),
    ] {
        add(name, text, id);
    }
    for task in 1..=TASKS {
        add(
            &format!("Q{task}"),
            &format!("If you had to choose between them, which of these two immigrants should be given priority to come to the United States to live? (Task {task})"),
            &format!("QID{}", task + 10),
        );
    }
    add("CaseID", "CaseID", "CaseID");
    add("ethnocentrism", "ethnocentrism", "ethnocentrism");
    for task in 1..=TASKS {
        for row in 1..=ATTRIBUTES.len() {
            let name = format!("F-{task}-{row}");
            add(&name, &name, &name);
        }
    }
    for task in 1..=TASKS {
        for profile in 1..=2 {
            for row in 1..=ATTRIBUTES.len() {
                let name = format!("F-{task}-{profile}-{row}");
                add(&name, &name, &name);
            }
        }
    }
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    writer.write_record(&names).expect("write");
    writer.write_record(&texts).expect("write");
    writer.write_record(&ids).expect("write");
    for (n, person) in respondents.iter().enumerate() {
        // Per-respondent attribute order: the list rotated by the respondent's position.
        let order: Vec<usize> = (0..ATTRIBUTES.len())
            .map(|k| (k + n) % ATTRIBUTES.len())
            .collect();
        let mut row: Vec<String> = vec![
            "2014-03-01 10:00:00".into(),
            "2014-03-01 10:09:00".into(),
            "IP Address".into(),
            format!("192.0.2.{}", n % 250 + 1),
            "100".into(),
            "540".into(),
            "True".into(),
            format!("R_{:015}", n + 1),
            "Smith".into(),
            "Alex".into(),
            format!("person{}@example.org", n + 1),
            format!("{:.4}", 40.0 + (n % 100) as f64 / 100.0),
            format!("{:.4}", -74.0 - (n % 100) as f64 / 100.0),
            "EN".into(),
        ];
        for task in 0..TASKS {
            row.push(format!("Immigrant {}", person.chosen[task]));
        }
        row.push(person.case_id.clone());
        row.push(person.ethnocentrism.clone());
        for _task in 0..TASKS {
            for &a in &order {
                row.push(ATTRIBUTES[a].to_string());
            }
        }
        for task in 0..TASKS {
            for profile in 0..2 {
                for &a in &order {
                    row.push(person.levels[task][profile][a].clone());
                }
            }
        }
        writer.write_record(&row).expect("write");
    }
    writer.into_inner().expect("in memory")
}

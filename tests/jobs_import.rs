//! The import jobs through the worker's JSON protocol, as the page will send them.
#![cfg(not(target_arch = "wasm32"))]

#[path = "support/qualtrics_fixture.rs"]
mod qualtrics_fixture;

use silico::data::{ChunkedReader, ConjointLayout, FileFormat, ReadOptions};
use silico::jobs::{run, run_json, table_read_reply, Job, ReadTableRequest, Reply};
use silico::study::{Provenance, ResponseSource};

fn request(bytes: Vec<u8>) -> ReadTableRequest {
    ReadTableRequest {
        name: "human".into(),
        file_name: "export.csv".into(),
        bytes,
        sheet: None,
        delimiter: None,
        missing: None,
    }
}

#[test]
fn a_qualtrics_conjoint_is_read_and_reshaped_by_jobs() {
    let respondents = qualtrics_fixture::immigration_respondents();
    let bytes = qualtrics_fixture::qualtrics_wide_csv(&respondents[..30]);
    // Through JSON, as the page sends it.
    let job = serde_json::to_string(&Job::ReadTable(Box::new(request(bytes.clone())))).unwrap();
    let reply: Reply = serde_json::from_str(&run_json(&job)).unwrap();
    let Reply::TableRead(read) = reply else {
        panic!("{reply:?}")
    };
    assert_eq!(read.summary.format, FileFormat::Csv);
    assert!(read.summary.qualtrics);
    assert_eq!(read.summary.rows, 30);
    assert!(read
        .summary
        .personal_data
        .iter()
        .any(|f| f.column == "IPAddress"));
    assert_eq!(read.imported.table.provenance.source_file, "export.csv");

    // The worker reading the same file in slices answers the same.
    let mut reader = ChunkedReader::new(
        "human",
        ResponseSource::Human,
        Provenance {
            description: "imported from export.csv".into(),
            source_file: "export.csv".into(),
            ..Provenance::default()
        },
        ReadOptions::default(),
    );
    for slice in bytes.chunks(4096) {
        reader.push(slice).unwrap();
    }
    let sliced = table_read_reply(silico::data::from_delimited(reader.finish().unwrap()));
    assert_eq!(sliced, Reply::TableRead(read.clone()));

    let reply = run(Job::ReshapeConjoint {
        table: Box::new(read.imported.table.clone()),
        conjoint: None,
        layout: ConjointLayout::new("Q{task}"),
    });
    let Reply::Reshaped { table, summary } = reply else {
        panic!("{reply:?}")
    };
    assert_eq!((table.row_count(), summary.tasks_shown), (300, 150));

    let reply = run(Job::ReshapeConjoint {
        table: Box::new(read.imported.table),
        conjoint: None,
        layout: ConjointLayout::new("Choice"),
    });
    assert_eq!(
        reply,
        Reply::Failed {
            message: "the choice pattern \"Choice\" has no {task} in it (e.g. Q{task} for columns Q1, Q2, …)".into()
        }
    );
}

#[test]
fn a_bad_file_fails_with_its_reason() {
    let reply = run(Job::ReadTable(Box::new(request(b"a,b\n1,2\n3\n".to_vec()))));
    assert_eq!(
        reply,
        Reply::Failed {
            message: "row 3: 1 fields, the header has 2".into()
        }
    );
}

#[test]
fn columns_are_mapped_and_applied_by_jobs() {
    let survey: silico::study::Survey = serde_json::from_value(serde_json::json!({
        "questions": [
            {"id": "party", "text": "Which party do you feel closest to?",
             "answer": {"type": "single_choice", "options": [
                {"code": "D", "label": "Democrat"}, {"code": "R", "label": "Republican"}]}}
        ]
    }))
    .unwrap();
    let read = run(Job::ReadTable(Box::new(request(
        b"id,Party\n1,Democrat\n2,Republican\n3,Whig\n".to_vec(),
    ))));
    let Reply::TableRead(read) = read else {
        panic!("{read:?}")
    };
    let table = Box::new(read.imported.table);
    let reply = run(Job::MapColumns {
        table: table.clone(),
        qualtrics: None,
        survey: Box::new(survey.clone()),
    });
    let Reply::Mapping { mapping, preview } = reply else {
        panic!("{reply:?}")
    };
    assert_eq!(mapping.columns[0].column, "Party");
    assert_eq!(mapping.respondent.as_deref(), Some("id"));
    assert_eq!(preview.columns[0].unknown[0].value, "Whig");
    let reply = run(Job::ApplyMapping {
        table,
        mapping,
        survey: Box::new(survey),
    });
    let Reply::Table(long) = reply else {
        panic!("{reply:?}")
    };
    assert_eq!(
        long.column("answer").unwrap().values,
        silico::study::ColumnValues::Text(vec![Some("D".into()), Some("R".into()), None])
    );
}

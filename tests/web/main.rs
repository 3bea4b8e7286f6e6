//! Browser tests (wasm-bindgen-test in headless Chromium): the engine in wasm and the real IndexedDB.
#![cfg(target_arch = "wasm32")]

use silico::app::route::{Route, Tab};
use silico::app::storage;
use silico::study::library::StudySummary;
use silico::study::{parse_study, write_study, StudyError};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

mod large_view;
// The pinned design digests, run here too so equal digests prove byte-identical designs natively
// and in wasm.
#[path = "../it/design_pinned.rs"]
mod design_pinned;

const FIXTURE: &str = include_str!("../fixtures/full-study.json");

#[wasm_bindgen_test]
fn the_engine_parses_and_writes_studies_in_the_browser() {
    let study = parse_study(FIXTURE.as_bytes()).expect("fixture is valid");
    let written = write_study(&study);
    assert_eq!(parse_study(written.as_bytes()).unwrap(), study);
    let mut broken: serde_json::Value = serde_json::from_str(FIXTURE).unwrap();
    broken["conjoint"]["attributes"][2]["levels"][0]["name"] = "".into();
    let error = parse_study(broken.to_string().as_bytes()).unwrap_err();
    assert_eq!(
        error.problems()[0].to_string(),
        "conjoint.attributes[2].levels[0]: empty name"
    );
    assert!(matches!(
        parse_study(b"{\"format\": \"silico-study/3\"}"),
        Err(StudyError::FutureVersion { .. })
    ));
}

#[wasm_bindgen_test]
async fn studies_round_trip_through_indexeddb() {
    let db = storage::open().await.expect("IndexedDB opens");
    let mut study = parse_study(FIXTURE.as_bytes()).unwrap();
    study.id = "wasm-test-study".into();
    storage::save(&db, &study).await.expect("saved");

    let listed = storage::list(&db).await.unwrap();
    assert!(listed.contains(&StudySummary::of(&study)), "{listed:?}");
    let json = storage::load_json(&db, &study.id).await.unwrap();
    assert_eq!(parse_study(json.as_bytes()).unwrap(), study);

    storage::delete(&db, &study.id).await.unwrap();
    assert!(matches!(
        storage::load_json(&db, &study.id).await,
        Err(storage::StorageError::Missing(_))
    ));
    assert!(!storage::list(&db)
        .await
        .unwrap()
        .iter()
        .any(|s| s.id == study.id));
}

#[wasm_bindgen_test]
fn routes_parse_from_the_url_fragment() {
    assert_eq!(Route::parse(""), Route::Library);
    assert_eq!(Route::parse("/"), Route::Library);
    assert_eq!(
        Route::parse("/study/abc/analyze"),
        Route::Study {
            id: "abc".into(),
            tab: Tab::Analyze
        }
    );
    assert_eq!(
        Route::parse("/study/abc/nonsense"),
        Route::Study {
            id: "abc".into(),
            tab: Tab::Design
        }
    );
    let route = Route::Study {
        id: "x".into(),
        tab: Tab::Compare,
    };
    assert_eq!(Route::parse(route.href().trim_start_matches('#')), route);
}

#[wasm_bindgen_test]
fn data_files_are_read_in_slices_in_the_browser() {
    use silico::data::{ChunkedReader, ReadOptions, TextEncoding};
    use silico::jobs::{call, FileReadOptions, JobError, ReadTableRequest};
    use silico::study::{ColumnValues, Provenance, ResponseSource};

    // Excel's "Unicode text" is UTF-16; slices of 3 bytes split its code units.
    let text = "id;comment\n1;café\n2;naïve\n";
    let mut utf16 = vec![0xFF, 0xFE];
    for unit in text.encode_utf16() {
        utf16.extend(unit.to_le_bytes());
    }
    let mut reader = ChunkedReader::new(
        "t",
        ResponseSource::Human,
        Provenance::default(),
        ReadOptions::default(),
    );
    for slice in utf16.chunks(3) {
        reader.push(slice).unwrap();
    }
    let read = reader.finish().unwrap();
    assert_eq!(
        (read.delimiter, read.encoding),
        (b';', TextEncoding::Utf16Le)
    );
    assert_eq!(
        read.table.column("comment").unwrap().values,
        ColumnValues::Text(vec![Some("café".into()), Some("naïve".into())])
    );
    // A damaged .xlsx reaches calamine inside wasm and comes back as a message.
    let reply = call(ReadTableRequest {
        options: FileReadOptions {
            name: "human".into(),
            file_name: "broken.xlsx".into(),
            ..FileReadOptions::default()
        },
        bytes: b"PK\x03\x04not really a workbook".to_vec(),
    });
    assert!(
        matches!(&reply, Err(JobError { message, .. }) if message.starts_with("the Excel file cannot be read")),
        "{reply:?}"
    );
}

//! The import jobs through the worker's JSON protocol, as the page will send them.

use crate::support::qualtrics_fixture;

use silico::data::{ChunkedReader, ConjointLayout, FileFormat, ReadOptions};
use silico::jobs::{
    call, table_read, ApplyMappingRequest, FileRead, FileReadOptions, HeldTable, Job, JobError,
    MapColumnsRequest, MappingReply, ReadFileRequest, ReadTableRequest, ReshapeConjointRequest,
    Reshaped, TableSource, TakeTableRequest,
};
use silico::study::{Provenance, ResponseSource};

fn request(bytes: Vec<u8>) -> ReadTableRequest {
    ReadTableRequest {
        options: FileReadOptions {
            name: "human".into(),
            file_name: "export.csv".into(),
            ..FileReadOptions::default()
        },
        bytes,
    }
}

#[test]
fn a_qualtrics_conjoint_is_read_and_reshaped_by_jobs() {
    let respondents = qualtrics_fixture::immigration_respondents();
    let bytes = qualtrics_fixture::qualtrics_wide_csv(&respondents[..30]);
    // Through JSON, as the page sends it.
    let reply = call(request(bytes.clone()));
    let Ok(read) = reply else { panic!("{reply:?}") };
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
    let sliced = table_read(silico::data::from_delimited(reader.finish().unwrap()));
    assert_eq!(sliced, read.clone());

    let reply = call(ReshapeConjointRequest {
        table: read.imported.table.clone().into(),
        conjoint: None,
        layout: ConjointLayout::new("Q{task}"),
    });
    let Ok(Reshaped { table, summary }) = reply else {
        panic!("{reply:?}")
    };
    assert_eq!((table.row_count(), summary.tasks_shown), (300, 150));

    let reply = call(ReshapeConjointRequest {
        table: read.imported.table.into(),
        conjoint: None,
        layout: ConjointLayout::new("Choice"),
    });
    assert_eq!(
        reply,
        Err(JobError::input(
            "the choice pattern \"Choice\" has no {task} in it (e.g. Q{task} for columns Q1, Q2, …)"
        ))
    );
}

#[test]
fn a_bad_file_fails_with_its_reason() {
    let reply = call(request(b"a,b\n1,2\n3\n".to_vec()));
    assert_eq!(
        reply,
        Err(JobError::input("row 3: 1 fields, the header has 2"))
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
    let read = call(request(
        b"id,Party\n1,Democrat\n2,Republican\n3,Whig\n".to_vec(),
    ));
    let Ok(read) = read else { panic!("{read:?}") };
    let table: TableSource = read.imported.table.into();
    let reply = call(MapColumnsRequest {
        table: table.clone(),
        qualtrics: None,
        survey: Box::new(survey.clone()),
    });
    let Ok(MappingReply { mapping, preview }) = reply else {
        panic!("{reply:?}")
    };
    assert_eq!(mapping.columns[0].column, "Party");
    assert_eq!(mapping.respondent.as_deref(), Some("id"));
    assert_eq!(preview.columns[0].unknown[0].value, "Whig");
    let reply = call(ApplyMappingRequest {
        table,
        mapping,
        survey: Box::new(survey),
    });
    let Ok(long) = reply else { panic!("{reply:?}") };
    assert_eq!(
        long.column("answer").unwrap().values,
        silico::study::ColumnValues::Text(vec![Some("D".into()), Some("R".into()), None])
    );
}

fn file_request() -> ReadFileRequest {
    ReadFileRequest {
        options: FileReadOptions {
            name: "human".into(),
            file_name: "export.csv".into(),
            ..FileReadOptions::default()
        },
    }
}

/// Reads `bytes` as the worker reads a `File`: in slices of `slice` bytes.
fn read_in_slices(bytes: &[u8], slice: usize) -> Result<silico::jobs::HeldRead, String> {
    let mut read = FileRead::new(file_request());
    for part in bytes.chunks(slice) {
        read.push(part)?;
    }
    read.finish()
}

#[test]
fn a_file_read_in_slices_is_held_and_later_jobs_name_it() {
    let survey: silico::study::Survey = serde_json::from_value(serde_json::json!({
        "questions": [
            {"id": "party", "text": "Which party do you feel closest to?",
             "answer": {"type": "single_choice", "options": [
                {"code": "D", "label": "Democrat"}, {"code": "R", "label": "Republican"}]}}
        ]
    }))
    .unwrap();
    let bytes = b"id,email,Party\n1,a@example.org,Democrat\n2,b@example.org,Republican\n";
    // Slices of 3 bytes split records, fields and the header.
    let held = read_in_slices(bytes, 3).unwrap();
    assert_eq!(held.summary.rows, 2);
    assert_eq!(held.summary.columns.len(), 3);
    assert!(held
        .summary
        .personal_data
        .iter()
        .any(|f| f.column == "email"));
    // The summary equals the one of the whole-file job.
    let Ok(whole) = call(request(bytes.to_vec())) else {
        panic!()
    };
    assert_eq!(held.summary, whole.summary);

    // Through JSON, as the page names it: personal data left out on the way.
    let source = TableSource::Held(HeldTable {
        held: held.held,
        leave_out: vec!["email".into()],
    });
    let Ok(table) = call(TakeTableRequest(source.clone())) else {
        panic!()
    };
    let names: Vec<&str> = table.columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["id", "Party"]);
    assert_eq!(table.provenance.source_file, "export.csv");
    let Ok(MappingReply { preview, .. }) = call(MapColumnsRequest {
        table: source.clone(),
        qualtrics: None,
        survey: Box::new(survey),
    }) else {
        panic!()
    };
    assert_eq!(preview.columns[0].answered, 2);

    // Reading another file drops the first: its handle now fails with a reason.
    let next = read_in_slices(b"a\n1\n", 2).unwrap();
    assert_ne!(next.held, held.held);
    let Err(JobError { message, .. }) = call(TakeTableRequest(source)) else {
        panic!()
    };
    assert!(message.contains("read it again"), "{message}");
}

#[test]
fn a_file_read_in_slices_reports_progress_and_errors_with_the_row() {
    let mut read = FileRead::new(file_request());
    read.push(b"a,b\n1,2\n3,4\n").unwrap();
    assert_eq!(read.progress().bytes, 12);
    // The delimiter is decided once the whole file is in (it is smaller than the sniffing window).
    assert_eq!(read.progress().rows, 0);
    assert_eq!(read.finish().unwrap().summary.rows, 2);

    // Past the sniffing window, rows are counted as they are read.
    let mut big = b"a,b\n".to_vec();
    while big.len() < 600_000 {
        big.extend_from_slice(b"1,2\n");
    }
    let mut read = FileRead::new(file_request());
    for part in big.chunks(100_000) {
        read.push(part).unwrap();
    }
    let rows = read.progress().rows;
    assert!(rows > 100_000 && rows <= 150_000, "{rows}");
    assert_eq!(read.finish().unwrap().summary.rows, 149_999);

    assert_eq!(
        read_in_slices(b"a,b\n1,2\n3\n", 4).unwrap_err(),
        "row 3: 1 fields, the header has 2"
    );
    assert!(read_in_slices(b"", 4).unwrap_err().contains("empty"));
}

#[test]
fn a_workbook_read_in_slices_equals_the_whole_file_read() {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.write(0, 0, "id").unwrap();
    sheet.write(0, 1, "age").unwrap();
    sheet.write(1, 0, "r1").unwrap();
    sheet.write(1, 1, 34).unwrap();
    let bytes = book.save_to_buffer().unwrap();
    let held = read_in_slices(&bytes, 1000).unwrap();
    assert_eq!(held.summary.format, FileFormat::Xlsx);
    assert_eq!(held.summary.rows, 1);
}

#[test]
fn the_read_requests_keep_their_wire_shape() {
    // The page and the worker exchange these as JSON; the shared read options are flattened into
    // each request, so the messages stay flat objects with the same field names.
    let mut table = request(vec![1, 2]);
    table.options.sheet = Some("Data".into());
    table.options.delimiter = Some(';');
    table.options.missing = Some(vec!["-99".into()]);
    let json = serde_json::to_value(Job::ReadTable(table.clone())).unwrap();
    assert_eq!(
        json,
        serde_json::json!({
            "job": "read_table", "name": "human", "file_name": "export.csv", "bytes": [1, 2],
            "sheet": "Data", "delimiter": ";", "missing": ["-99"]
        })
    );
    assert_eq!(
        serde_json::from_value::<Job>(json).unwrap(),
        Job::ReadTable(table)
    );

    let file = file_request();
    let json = serde_json::to_value(&file).unwrap();
    assert_eq!(
        json,
        serde_json::json!({ "name": "human", "file_name": "export.csv" })
    );
    assert_eq!(
        serde_json::from_value::<ReadFileRequest>(json).unwrap(),
        file
    );
    // Options left out take their defaults; a file name is optional.
    let sparse: ReadFileRequest =
        serde_json::from_str(r#"{"name":"human","delimiter":"\t"}"#).unwrap();
    assert_eq!(sparse.options.name, "human");
    assert_eq!(sparse.options.file_name, "");
    assert_eq!(sparse.options.delimiter, Some('\t'));
    assert_eq!(sparse.options.sheet, None);
}

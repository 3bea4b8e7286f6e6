//! Reading researchers' files: delimiter and encoding detection, bad files with row and column, and the
//! chunked reader giving the same table as a whole-file read however the file is sliced.

use proptest::prelude::*;
use silico::data::{
    read_delimited, read_delimited_file, ChunkedReader, DelimitedTable, ReadOptions,
    TableReadError, TextEncoding,
};
use silico::study::{ColumnValues, Provenance, ResponseSource, ResponseTable};

fn read_with(bytes: &[u8], options: &ReadOptions) -> Result<DelimitedTable, TableReadError> {
    read_delimited_file(
        bytes,
        "t",
        ResponseSource::Human,
        Provenance::default(),
        options,
    )
}

fn read(bytes: &[u8]) -> Result<DelimitedTable, TableReadError> {
    read_with(bytes, &ReadOptions::default())
}

fn chunked(bytes: &[u8], cuts: &[usize]) -> Result<ResponseTable, TableReadError> {
    let mut reader = ChunkedReader::new(
        "t",
        ResponseSource::Human,
        Provenance::default(),
        ReadOptions::default(),
    );
    let mut start = 0;
    for &cut in cuts {
        let cut = cut.clamp(start, bytes.len());
        reader.push(&bytes[start..cut])?;
        start = cut;
    }
    reader.push(&bytes[start..])?;
    reader.finish().map(|read| read.table)
}

fn texts(values: &[&str]) -> ColumnValues {
    ColumnValues::Text(values.iter().map(|s| Some(s.to_string())).collect())
}

#[test]
fn the_delimiter_is_guessed_from_the_file() {
    for (bytes, delimiter) in [
        (&b"id,name,score\n1,\"Smith; Jo\",3\n2,Lee,4\n"[..], b','),
        (b"id\tname\tscore\n1\tSmith, Jo\t3\n2\tLee\t4\n", b'\t'),
        // Excel in a decimal-comma locale: semicolons between fields, commas inside numbers.
        (b"id;name;score\n1;Smith, Jo;3,5\n2;Lee;4,0\n", b';'),
    ] {
        let read = read(bytes).unwrap();
        assert_eq!(
            read.delimiter,
            delimiter,
            "{}",
            String::from_utf8_lossy(bytes)
        );
        assert_eq!(read.table.columns.len(), 3);
        assert_eq!(read.table.row_count(), 2);
    }
    let read = read(b"only\nx\ny\n").unwrap();
    assert_eq!(
        read.table.columns.len(),
        1,
        "a file no delimiter splits is one column"
    );
}

#[test]
fn an_ambiguous_or_wrong_delimiter_is_explained() {
    let error = read(b"a,b;c\n1,2;3\n4,5;6\n").unwrap_err();
    assert_eq!(
        error,
        TableReadError::AmbiguousDelimiter {
            candidates: "comma and semicolon".into()
        }
    );
    assert!(error.to_string().contains("say which one"), "{error}");
    let tsv = ReadOptions {
        delimiter: Some(b'\t'),
        ..ReadOptions::default()
    };
    let error = read_with(b"id;age;party\n1;34;D\n2;51;R\n", &tsv).unwrap_err();
    assert_eq!(
        error.to_string(),
        "with the tab as delimiter the file has one column, but it looks semicolon-separated; read it with the semicolon as delimiter"
    );
}

#[test]
fn encodings_are_detected_and_converted() {
    // "😀" is a surrogate pair in UTF-16.
    let text = "id,comment\n1,café\n2,naïve ☕ 😀\n";
    let mut utf16le = vec![0xFF, 0xFE];
    let mut utf16be = vec![0xFE, 0xFF];
    for unit in text.encode_utf16() {
        utf16le.extend(unit.to_le_bytes());
        utf16be.extend(unit.to_be_bytes());
    }
    let with_bom = [b"\xEF\xBB\xBF".as_slice(), text.as_bytes()].concat();
    let cases: [(&[u8], TextEncoding); 4] = [
        (text.as_bytes(), TextEncoding::Utf8),
        (&with_bom, TextEncoding::Utf8Bom),
        (&utf16le, TextEncoding::Utf16Le),
        (&utf16be, TextEncoding::Utf16Be),
    ];
    for (bytes, encoding) in cases {
        let read = read(bytes).unwrap();
        assert_eq!(read.encoding, encoding);
        assert_eq!(read.table.columns[0].name, "id");
        assert_eq!(
            read.table.column("comment").unwrap().values,
            texts(&["café", "naïve ☕ 😀"])
        );
        // Sliced every byte or every third byte, code units, surrogate pairs and UTF-8 sequences are
        // split across slices.
        for step in [1, 3] {
            let cuts: Vec<usize> = (1..bytes.len()).step_by(step).collect();
            assert_eq!(chunked(bytes, &cuts).unwrap(), read.table);
        }
    }
}

#[test]
fn latin1_in_a_utf8_file_names_row_and_column() {
    let mut bytes = b"id,age,comment\n".to_vec();
    for i in 1..=15 {
        bytes.extend(format!("{i},{},fine\n", 20 + i).as_bytes());
    }
    // Row 17 counts the header as row 1, as a spreadsheet shows it; "é" in Windows-1252 is 0xE9.
    bytes.extend(b"16,40,caf\xE9 au lait\n");
    let error = read(&bytes).unwrap_err();
    assert_eq!(
        error.to_string(),
        "row 17, column \"comment\": not UTF-8 text (looks like Latin-1/Windows-1252; re-save the file as UTF-8)"
    );
}

#[test]
fn broken_files_say_where() {
    assert_eq!(read(b"").unwrap_err(), TableReadError::Empty);
    assert_eq!(read(b"\n\n  \n").unwrap_err(), TableReadError::Empty);
    assert_eq!(
        read(b"a,b,c\n1,2,3\n4,5\n").unwrap_err().to_string(),
        "row 3: 2 fields, the header has 3"
    );
    // A quoted field with a newline is one row, so later rows keep spreadsheet numbering by record.
    assert_eq!(
        read(b"a,b\n1,\"two\nlines\"\n3,4,5\n").unwrap_err(),
        TableReadError::RaggedRow {
            row: 3,
            found: 3,
            expected: 2
        }
    );
}

#[test]
fn a_qualtrics_export_keeps_its_header_rows_as_metadata() {
    let bytes = "StartDate,ResponseId,Q1,Q2_TEXT\n\
Start Date,Response ID,How old are you?,\"Anything else? (comma, inside)\"\n\
\"{\"\"ImportId\"\":\"\"startDate\"\",\"\"timeZone\"\":\"\"America/Denver\"\"}\",\"{\"\"ImportId\"\":\"\"_recordId\"\"}\",\"{\"\"ImportId\"\":\"\"QID1\"\"}\",\"{\"\"ImportId\"\":\"\"QID2_TEXT\"\"}\"\n\
2024-01-02 10:00:00,R_1,34,\n\
2024-01-02 10:05:00,R_2,51,no\n";
    let export = read(bytes.as_bytes()).unwrap();
    assert_eq!(export.table.row_count(), 2);
    assert_eq!(
        export.table.column("Q1").unwrap().values,
        ColumnValues::Number(vec![Some(34.0), Some(51.0)]),
        "the text rows do not make the answers text"
    );
    let info = export.qualtrics.expect("recognised as Qualtrics");
    let q2 = info.get("Q2_TEXT").unwrap();
    assert_eq!(q2.question_text, "Anything else? (comma, inside)");
    assert_eq!(q2.import_id, "QID2_TEXT");
    assert_eq!(info.get("StartDate").unwrap().import_id, "startDate");
    // An ordinary file whose third row is data is not mistaken for one.
    let plain = read(b"a,b\nx,1\ny,2\n").unwrap();
    assert!(plain.qualtrics.is_none());
    assert_eq!(plain.table.row_count(), 2);
}

#[test]
fn numbers_that_become_text_keep_their_written_form() {
    let cells = [
        "007", "1.50", "-0", "2", "0.25", "-0.5", "2.500", "1e3", "-12.125", "0.0", " 4", "abc",
    ];
    let file = format!("code\n{}\n", cells.join("\n"));
    let table = read(file.as_bytes()).unwrap().table;
    assert_eq!(table.column("code").unwrap().values, texts(&cells));
}

fn cell() -> impl Strategy<Value = String> {
    prop_oneof![
        (0i64..2000).prop_map(|n| n.to_string()),
        (-50.0f64..50.0).prop_map(|x| format!("{x:.2}")),
        Just(String::new()),
        Just("NA".to_string()),
        "[a-zé ]{1,6}",
        Just("\"quoted, \"\"text\"\"\nwith newline\"".to_string()),
        Just("0012".to_string()),
    ]
}

fn csv_file() -> impl Strategy<Value = Vec<u8>> {
    (1usize..5, 0usize..30).prop_flat_map(|(width, rows)| {
        proptest::collection::vec(proptest::collection::vec(cell(), width), rows).prop_map(
            move |rows| {
                let mut text = (0..width)
                    .map(|c| format!("col{c}"))
                    .collect::<Vec<_>>()
                    .join(",");
                text.push('\n');
                for row in rows {
                    text.push_str(&row.join(","));
                    text.push_str("\r\n");
                }
                text.into_bytes()
            },
        )
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]
    #[test]
    fn chunked_reading_equals_whole_reading(
        bytes in csv_file(),
        cuts in proptest::collection::vec(0usize..2000, 0..12),
    ) {
        let mut cuts = cuts;
        cuts.sort_unstable();
        let whole = read_delimited(&bytes, "t", ResponseSource::Human, Provenance::default(), &ReadOptions::default());
        prop_assert_eq!(chunked(&bytes, &cuts), whole.clone());
        // And the cells are what the csv crate reads, typed: numbers parsed, text as written.
        let table = whole.unwrap();
        let mut reader = csv::Reader::from_reader(bytes.as_slice());
        let records: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
        prop_assert_eq!(table.row_count(), records.len());
        for (c, column) in table.columns.iter().enumerate() {
            for (row, record) in records.iter().enumerate() {
                let cell = &record[c];
                let missing = cell.is_empty() || cell == "NA";
                match &column.values {
                    ColumnValues::Number(v) => prop_assert_eq!(v[row], (!missing).then(|| cell.trim().parse::<f64>().unwrap())),
                    ColumnValues::Text(v) => prop_assert_eq!(v[row].as_deref(), (!missing).then_some(cell)),
                }
            }
        }
    }
}

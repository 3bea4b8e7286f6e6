//! Reading delimited files into typed columns, and the errors bad files get.

use silico::data::{read_delimited, table_to_csv, ReadOptions, TableReadError};
use silico::study::{ColumnValues, Provenance, ResponseSource, ResponseTable};

fn read(text: &[u8]) -> Result<ResponseTable, TableReadError> {
    read_delimited(
        text,
        "t",
        ResponseSource::Human,
        Provenance::default(),
        &ReadOptions::default(),
    )
}

#[test]
fn columns_are_numbers_only_when_every_present_cell_is_one() {
    let table = read(b"a,b,c,d\n1,1.50,x,\n2,NA,y,\n3,2e3,1,\n4,,None,\n10,7,2.0,\n").unwrap();
    assert_eq!(table.row_count(), 5);
    assert_eq!(
        table.column("a").unwrap().values,
        ColumnValues::Number(vec![Some(1.0), Some(2.0), Some(3.0), Some(4.0), Some(10.0)])
    );
    assert_eq!(
        table.column("b").unwrap().values,
        ColumnValues::Number(vec![Some(1.5), None, Some(2000.0), None, Some(7.0)])
    );
    // A text column keeps its cells exactly as written, numbers included; "None" is a real value.
    let texts = |v: &[&str]| ColumnValues::Text(v.iter().map(|s| Some(s.to_string())).collect());
    assert_eq!(
        table.column("c").unwrap().values,
        texts(&["x", "y", "1", "None", "2.0"])
    );
    assert_eq!(
        table.column("d").unwrap().values,
        ColumnValues::Text(vec![None; 5]),
        "an empty column is text"
    );
    let back = table_to_csv(&table);
    assert!(back.starts_with("a,b,c,d\n1,1.5,x,\n2,,y,\n"), "{back}");
}

#[test]
fn bad_files_say_where() {
    assert_eq!(read(b"").unwrap_err(), TableReadError::Empty);
    assert_eq!(
        read(b"a,b\n1,2\n3\n").unwrap_err(),
        TableReadError::RaggedRow {
            row: 3,
            found: 1,
            expected: 2
        }
    );
    assert_eq!(
        read(b"a,a\n1,2\n").unwrap_err(),
        TableReadError::DuplicateHeader { name: "a".into() }
    );
    assert_eq!(
        read(b"a,,c\n1,2,3\n").unwrap_err(),
        TableReadError::EmptyHeader { index: 2 }
    );
    assert!(matches!(
        read(b"a,b\n1,\xff\xfe\n").unwrap_err(),
        TableReadError::NotText { row: 2, ref column, .. } if column == "b"
    ));
}

#[test]
fn a_byte_order_mark_and_tabs_are_handled() {
    let options = ReadOptions {
        delimiter: Some(b'\t'),
        ..ReadOptions::default()
    };
    let table = read_delimited(
        b"\xEF\xBB\xBFid\tx\n1\t2\n",
        "t",
        ResponseSource::Human,
        Provenance::default(),
        &options,
    )
    .unwrap();
    assert_eq!(table.columns[0].name, "id");
    assert_eq!(
        table.column("x").unwrap().values,
        ColumnValues::Number(vec![Some(2.0)])
    );
}

//! Files as researchers have them: Excel workbooks (written here with rust_xlsxwriter, so no binary
//! fixture is committed), Qualtrics exports in CSV and Excel, and the personal-data flags.

use crate::support::qualtrics_fixture;

use rust_xlsxwriter::{Format, Workbook};
use silico::data::{
    default_persona_columns, detect_personal_data, import_table, reshape_conjoint, summarize,
    ConjointLayout, FileFormat, ImportError, ImportOptions, ImportedTable, PersonalKind, XlsxError,
};
use silico::study::{ColumnValues, Provenance, ResponseSource};

fn import(bytes: &[u8], sheet: Option<&str>) -> Result<ImportedTable, ImportError> {
    let options = ImportOptions {
        sheet: sheet.map(str::to_string),
        ..ImportOptions::default()
    };
    import_table(
        bytes,
        "human",
        ResponseSource::Human,
        Provenance::default(),
        &options,
    )
}

/// A workbook with a response sheet first and a codebook second.
fn survey_workbook() -> Vec<u8> {
    let mut workbook = Workbook::new();
    let date = Format::new().set_num_format("yyyy-mm-dd");
    let sheet = workbook.add_worksheet();
    sheet.set_name("Responses").unwrap();
    for (c, h) in ["id", "age", "party", "joined", "comment"]
        .iter()
        .enumerate()
    {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    let rows = [
        (1.0, Some(34.0), "Democrat", 45352.0, "fine"),
        (2.0, None, "Republican", 45353.0, ""),
        (3.0, Some(51.5), "Independent", 45354.0, "zu teuer, ehrlich"),
    ];
    for (r, (id, age, party, joined, comment)) in rows.iter().enumerate() {
        let r = r as u32 + 1;
        sheet.write_number(r, 0, *id).unwrap();
        if let Some(age) = age {
            sheet.write_number(r, 1, *age).unwrap();
        }
        sheet.write_string(r, 2, *party).unwrap();
        sheet
            .write_number_with_format(r, 3, *joined, &date)
            .unwrap();
        if !comment.is_empty() {
            sheet.write_string(r, 4, *comment).unwrap();
        }
    }
    let codebook = workbook.add_worksheet();
    codebook.set_name("Codebook").unwrap();
    codebook.write_string(0, 0, "variable").unwrap();
    codebook.write_string(0, 1, "meaning").unwrap();
    codebook.write_string(1, 0, "party").unwrap();
    codebook.write_string(1, 1, "party identification").unwrap();
    workbook.save_to_buffer().unwrap()
}

#[test]
fn an_excel_workbook_reads_like_the_same_csv() {
    let xlsx = import(&survey_workbook(), None).unwrap();
    assert_eq!(xlsx.format, FileFormat::Xlsx);
    assert_eq!(
        xlsx.sheet.as_deref(),
        Some("Responses"),
        "the first sheet by default"
    );
    let csv = import(
        b"id,age,party,joined,comment\n1,34,Democrat,2024-03-01,fine\n2,,Republican,2024-03-02,\n3,51.5,Independent,2024-03-03,\"zu teuer, ehrlich\"\n",
        None,
    )
    .unwrap();
    assert_eq!(csv.format, FileFormat::Csv);
    assert_eq!(
        xlsx.table, csv.table,
        "same typed table from Excel and from CSV"
    );
    assert_eq!(
        xlsx.table.column("age").unwrap().values,
        ColumnValues::Number(vec![Some(34.0), None, Some(51.5)])
    );

    let codebook = import(&survey_workbook(), Some("Codebook")).unwrap();
    assert_eq!(codebook.table.columns[1].name, "meaning");
    let error = import(&survey_workbook(), Some("Sheet1")).unwrap_err();
    assert_eq!(
        error,
        ImportError::Excel(XlsxError::NoSuchSheet {
            sheet: "Sheet1".into(),
            available: "\"Responses\", \"Codebook\"".into()
        })
    );
    let legacy = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0];
    assert!(import(&legacy, None)
        .unwrap_err()
        .to_string()
        .contains("save it as .xlsx"));
    // A value in a column without a header is refused with its row, not dropped.
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.write_string(0, 0, "id").unwrap();
    sheet.write_number(1, 0, 1.0).unwrap();
    sheet.write_number(2, 0, 2.0).unwrap();
    sheet.write_string(2, 2, "stray").unwrap();
    let error = import(&workbook.save_to_buffer().unwrap(), None).unwrap_err();
    assert_eq!(
        error.to_string(),
        "sheet \"Sheet1\": row 3: 3 fields, the header has 1"
    );
    let mut broken = survey_workbook();
    broken.truncate(broken.len() / 2);
    assert!(matches!(
        import(&broken, None).unwrap_err(),
        ImportError::Excel(XlsxError::Unreadable(_))
    ));
}

/// The Qualtrics fixture's CSV rows written into a workbook, as Qualtrics' "Excel" download has them.
fn csv_to_xlsx(csv_bytes: &[u8]) -> Vec<u8> {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(csv_bytes);
    for (r, record) in reader.records().enumerate() {
        for (c, cell) in record.unwrap().iter().enumerate() {
            if cell.is_empty() {
                continue;
            }
            // Qualtrics writes answers that are numbers as numbers.
            match cell.parse::<f64>() {
                Ok(x) if r >= 3 => sheet.write_number(r as u32, c as u16, x).unwrap(),
                _ => sheet.write_string(r as u32, c as u16, cell).unwrap(),
            };
        }
    }
    workbook.save_to_buffer().unwrap()
}

#[test]
fn qualtrics_exports_are_recognised_in_csv_and_excel() {
    let respondents = qualtrics_fixture::immigration_respondents();
    let csv_bytes = qualtrics_fixture::qualtrics_wide_csv(&respondents[..40]);
    let from_csv = import(&csv_bytes, None).unwrap();
    let from_xlsx = import(&csv_to_xlsx(&csv_bytes), None).unwrap();
    for imported in [&from_csv, &from_xlsx] {
        let info = imported.qualtrics.as_ref().expect("Qualtrics header rows");
        assert_eq!(info.get("ResponseId").unwrap().import_id, "_recordId");
        assert!(info
            .get("Q1")
            .unwrap()
            .question_text
            .starts_with("If you had to choose"));
        assert_eq!(imported.table.row_count(), 40);
        let (_, summary) =
            reshape_conjoint(&imported.table, None, &ConjointLayout::new("Q{task}")).unwrap();
        assert_eq!((summary.rows, summary.missing_choices), (400, 0));
    }
    assert_eq!(
        from_csv.table.column("ethnocentrism"),
        from_xlsx.table.column("ethnocentrism")
    );

    let summary = summarize(&from_csv);
    assert!(summary.qualtrics);
    assert_eq!(summary.rows, 40);
    let flagged: Vec<&str> = summary
        .personal_data
        .iter()
        .map(|f| f.column.as_str())
        .collect();
    assert_eq!(
        flagged,
        [
            "IPAddress",
            "RecipientLastName",
            "RecipientFirstName",
            "RecipientEmail",
            "LocationLatitude",
            "LocationLongitude"
        ]
    );
    let persona = &summary.persona_columns;
    assert!(persona.contains(&"ethnocentrism".to_string()) && persona.contains(&"Q1".to_string()));
    assert!(!persona
        .iter()
        .any(|c| c == "IPAddress" || c == "StartDate" || c.starts_with("F-")));
    let q1 = summary.columns.iter().find(|c| c.name == "Q1").unwrap();
    assert_eq!((q1.kind.as_str(), q1.distinct), ("text", 2));
    let progress = summary
        .columns
        .iter()
        .find(|c| c.name == "Progress")
        .unwrap();
    assert_eq!(
        (progress.kind.as_str(), progress.distinct, progress.missing),
        ("number", 1, 0)
    );
    assert_eq!(progress.examples, ["100"]);
}

#[test]
fn personal_data_is_found_by_content_too() {
    let bytes = "id,contact,seen_from,tel,home,respondent,Gender,comment\n\
1,ana@uni.example,203.0.113.7,+44 20 7946 0958,12 Baker Street,Ana Lima,Female,too long\n\
2,bo@mail.example,2001:db8::1,(555) 010-9999,\"1600 Pennsylvania Ave, Washington\",Bo Chen,Male,ok\n\
3,cy@site.example,198.51.100.2,0171 555 0101,5 Rue de la Paix,Cyrus Vance,Female,\n\
4,di@site.example,198.51.100.3,555-0100-22,221B Baker St,Dina Shah,Male,no comment\n\
5,ed@site.example,198.51.100.4,+1 202 555 0199,10 Downing Street,Eddy Merckx,Male,fine\n\
6,fa@site.example,198.51.100.5,+49 30 1234567,Unter den Linden 77,Fatima Ali,Female,fine\n\
7,gu@site.example,198.51.100.6,+33 1 23 45 67 89,8 Rue Lepic,Gustav Mahler,Male,fine\n\
8,ha@site.example,198.51.100.7,+81 3 1234 5678,3 Abbey Road,Hana Sato,Female,fine\n\
9,ib@site.example,198.51.100.8,+61 2 9876 5432,42 Wallaby Way,Ibrahim Musa,Male,fine\n\
10,jo@site.example,198.51.100.9,+27 21 123 4567,7 Long Street,Jo Marsh,Female,fine\n";
    let table = import(bytes.as_bytes(), None).unwrap().table;
    let flags = detect_personal_data(&table);
    let kinds: Vec<(&str, PersonalKind)> =
        flags.iter().map(|f| (f.column.as_str(), f.kind)).collect();
    assert_eq!(
        kinds,
        [
            ("contact", PersonalKind::Email),
            ("seen_from", PersonalKind::IpAddress),
            ("tel", PersonalKind::Phone),
            ("home", PersonalKind::StreetAddress),
            ("respondent", PersonalKind::Name),
        ]
    );
    assert_eq!(
        flags[0].reason,
        "10 of 10 sampled cells look like e-mail addresses"
    );
    assert_eq!(
        default_persona_columns(&table, &flags),
        ["id", "Gender", "comment"]
    );
}

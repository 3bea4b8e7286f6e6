//! Matching a Qualtrics survey export's columns to a study's questions, recoding its answers, and the
//! preview the page shows before anything is imported.

use silico::data::{
    apply_mapping, auto_map, import_table, parse_missing_codes, parse_recode_lines,
    preview_mapping, recode_lines, recode_value, ImportOptions, ImportedTable, MatchedBy, Recode,
    RecodeLineError, Recoded, ValueCount,
};
use silico::study::{ColumnValues, Provenance, ResponseSource, Survey};

fn survey() -> Survey {
    serde_json::from_value(serde_json::json!({
        "questions": [
            {"id": "Q1", "text": "Generally speaking, do you think of yourself as a Democrat, a Republican, or an Independent?",
             "answer": {"type": "single_choice", "options": [
                {"code": "dem", "label": "Democrat"}, {"code": "rep", "label": "Republican"},
                {"code": "ind", "label": "Independent"}, {"code": "dk", "label": "Don't know"}]}},
            {"id": "age", "text": "How old are you?", "answer": {"type": "numeric", "min": 18, "max": 110, "integer": true}},
            {"id": "interest", "text": "How interested are you in politics and public affairs?",
             "answer": {"type": "scale", "labels": ["Not at all", "Slightly", "Somewhat", "Very", "Extremely"]}},
            {"id": "trust_gov", "text": "How much of the time can you trust the government in Washington to do what is right?",
             "answer": {"type": "scale", "labels": ["Never", "Some of the time", "Most of the time", "Always"]}},
            {"id": "comment", "text": "Anything else you would like to tell us?", "answer": {"type": "free_text"}}
        ]
    }))
    .expect("survey")
}

/// A Qualtrics export of that survey: choice text for Q1, numbers for the scales (trust reversed in
/// the file, 1 = Always), -99 for skipped age, an unknown label and an out-of-range scale value.
fn export() -> ImportedTable {
    let csv = "StartDate,ResponseId,Q1,Q2,QID7,Q9,Q10_TEXT\n\
Start Date,Response ID,\"Generally speaking, do you think of yourself as a Democrat, a Republican, or an Independent?\",What is your age?,How interested are you in politics and public affairs? - Selected Choice,How much of the time can you trust the government in Washington to do what is right?,Anything else you would like to tell us? - Text\n\
\"{\"\"ImportId\"\":\"\"startDate\"\"}\",\"{\"\"ImportId\"\":\"\"_recordId\"\"}\",\"{\"\"ImportId\"\":\"\"QID1\"\"}\",\"{\"\"ImportId\"\":\"\"age\"\"}\",\"{\"\"ImportId\"\":\"\"QID7\"\"}\",\"{\"\"ImportId\"\":\"\"QID9\"\"}\",\"{\"\"ImportId\"\":\"\"QID10_TEXT\"\"}\"\n\
2024-05-01,R_a,Democrat,34,Very,1,\n\
2024-05-01,R_b,Republican,-99,Extremely,2,too long\n\
2024-05-01,R_c,Don't know,51,Somewhat,4,\n\
2024-05-01,R_d,Green,29,Slightly,7,\n\
2024-05-01,R_e,independent,140,Not at all,3,\n";
    import_table(
        csv.as_bytes(),
        "human",
        ResponseSource::Human,
        Provenance::default(),
        &ImportOptions::default(),
    )
    .expect("export reads")
}

#[test]
fn columns_are_matched_by_id_import_id_and_question_text() {
    let imported = export();
    let mapping = auto_map(&imported.table, imported.qualtrics.as_ref(), &survey());
    let pairs: Vec<(&str, &str, &MatchedBy)> = mapping
        .columns
        .iter()
        .map(|m| (m.column.as_str(), m.question.as_str(), &m.matched_by))
        .collect();
    assert_eq!(pairs[0], ("Q1", "Q1", &MatchedBy::Id));
    assert_eq!(
        pairs[1],
        ("Q2", "age", &MatchedBy::Id),
        "by Qualtrics import id"
    );
    assert_eq!(
        (pairs[2].0, pairs[2].1),
        ("QID7", "interest"),
        "by question text"
    );
    assert!(matches!(pairs[2].2, MatchedBy::QuestionText { score } if *score == 1.0));
    assert_eq!((pairs[3].0, pairs[3].1), ("Q9", "trust_gov"));
    assert_eq!((pairs[4].0, pairs[4].1), ("Q10_TEXT", "comment"));
    assert_eq!(pairs.len(), 5, "StartDate and ResponseId are not answers");
    assert_eq!(mapping.respondent.as_deref(), Some("ResponseId"));
    // "Don't know" is an option of Q1, so it is an answer there, not a missing code.
    assert!(!mapping.columns[0]
        .recode
        .missing
        .iter()
        .any(|m| m == "Don't know"));
    assert!(mapping.columns[1].recode.missing.iter().any(|m| m == "-99"));
    // The mapping is plain data the page can edit and send back.
    let json = serde_json::to_string(&mapping).unwrap();
    assert_eq!(
        serde_json::from_str::<silico::data::Mapping>(&json).unwrap(),
        mapping
    );
}

#[test]
fn the_preview_counts_codes_and_names_problems() {
    let imported = export();
    let survey = survey();
    let mut mapping = auto_map(&imported.table, imported.qualtrics.as_ref(), &survey);
    mapping.columns[3].recode.reverse = true;
    let preview = preview_mapping(&imported.table, &mapping, &survey);
    let party = &preview.columns[0];
    assert_eq!(party.answered, 4);
    assert_eq!(
        party.unknown,
        vec![ValueCount {
            value: "Green".into(),
            count: 1
        }]
    );
    assert_eq!(
        party.problems,
        ["1 cells (\"Green\" ×1) are not answers Q1 knows; add them to the recoding or mark them missing"]
    );
    let age = &preview.columns[1];
    assert_eq!((age.answered, age.missing), (3, 1), "-99 is missing");
    assert_eq!(age.out_of_range[0].value, "140");
    let trust = &preview.columns[3];
    assert_eq!(trust.out_of_range[0].value, "7");
    // Reversed: the file's 1 (Always) is the study's 4.
    let codes: Vec<(&str, usize)> = trust
        .codes
        .iter()
        .map(|c| (c.value.as_str(), c.count))
        .collect();
    assert_eq!(codes, [("1", 1), ("2", 1), ("3", 1), ("4", 1)]);
    assert!(preview.unmapped_questions.is_empty());

    // A hand edit: "Green" counts as Independent.
    mapping.columns[0]
        .recode
        .values
        .insert("Green".into(), "ind".into());
    let preview = preview_mapping(&imported.table, &mapping, &survey);
    assert!(preview.columns[0].problems.is_empty());

    let long = apply_mapping(&imported.table, &mapping, &survey, Provenance::default());
    assert_eq!(long.row_count(), 25, "5 respondents × 5 questions");
    let ColumnValues::Text(answers) = &long.column("answer").unwrap().values else {
        panic!("answers are text")
    };
    let first: Vec<Option<&str>> = answers[..5].iter().map(Option::as_deref).collect();
    assert_eq!(first, [Some("dem"), Some("34"), Some("4"), Some("4"), None]);
    assert_eq!(answers[15].as_deref(), Some("ind"), "Green recoded by hand");
}

#[test]
fn recoding_rules() {
    let survey = survey();
    let party = &survey.questions[0];
    let none = Recode::default();
    assert_eq!(
        recode_value("Republican", party, &none),
        Recoded::Code("rep".into())
    );
    assert_eq!(
        recode_value("rep", party, &none),
        Recoded::Code("rep".into())
    );
    assert_eq!(
        recode_value("3", party, &none),
        Recoded::Code("ind".into()),
        "Qualtrics position"
    );
    assert_eq!(recode_value("5", party, &none), Recoded::OutOfRange(5.0));
    let interest = &survey.questions[2];
    assert_eq!(
        recode_value("extremely", interest, &none),
        Recoded::Number(5.0)
    );
    let reversed = Recode {
        reverse: true,
        ..Recode::default()
    };
    assert_eq!(
        recode_value("Not at all", interest, &reversed),
        Recoded::Number(5.0)
    );
    assert_eq!(
        recode_value("2.5", interest, &none),
        Recoded::OutOfRange(2.5)
    );
}

#[test]
fn hand_edits_move_questions_and_fix_the_problems_the_preview_counts() {
    let survey = survey();
    let export = export();
    let table = &export.table;
    let mut mapping = auto_map(table, export.qualtrics.as_ref(), &survey);
    let before = preview_mapping(table, &mapping, &survey);
    let party = |p: &silico::data::MappingPreview| {
        p.columns
            .iter()
            .find(|c| c.column == "Q1")
            .cloned()
            .unwrap()
    };
    assert_eq!(party(&before).unknown[0].value, "Green");

    // "Green" becomes Independent by hand; "Don't know" (an option of Q1) is declared missing.
    let recode = mapping.recode_mut("Q1").unwrap();
    recode.values = parse_recode_lines("Green = ind\n\n").unwrap();
    recode.missing = parse_missing_codes("Don't know, -99");
    let after = party(&preview_mapping(table, &mapping, &survey));
    assert!(
        after.unknown.is_empty() && after.problems.is_empty(),
        "{after:?}"
    );
    assert_eq!((after.answered, after.missing), (4, 1));
    assert_eq!(
        after.codes,
        vec![
            ValueCount {
                value: "ind".into(),
                count: 2
            },
            ValueCount {
                value: "dem".into(),
                count: 1
            },
            ValueCount {
                value: "rep".into(),
                count: 1
            },
        ]
    );

    // The trust column (reversed in the file, 1 = Always) reversed by hand: 1 becomes 4.
    let trust = mapping
        .columns
        .iter()
        .find(|c| c.question == "trust_gov")
        .map(|c| c.column.clone())
        .unwrap();
    mapping.recode_mut(&trust).unwrap().reverse = true;
    let long = apply_mapping(table, &mapping, &survey, Provenance::default());
    let text = |i: usize| match &long.columns[i].values {
        ColumnValues::Text(v) => v.clone(),
        ColumnValues::Number(_) => panic!("the long table holds text"),
    };
    let (questions, values) = (text(1), text(2));
    let answers: Vec<Option<String>> = (0..long.row_count())
        .filter(|&r| questions[r].as_deref() == Some("trust_gov"))
        .map(|r| values[r].clone())
        .collect();
    assert_eq!(
        answers,
        vec![
            Some("4".into()),
            Some("3".into()),
            Some("1".into()),
            None,
            Some("2".into())
        ]
    );

    // Pointing the age column at the interest question takes that question from its column, and
    // starts from no recoding: the ages are now out of the 1–5 range, and counted as such.
    let age = mapping
        .columns
        .iter()
        .find(|c| c.question == "age")
        .map(|c| c.column.clone())
        .unwrap();
    let taken = mapping.assign(&age, Some("interest"), &survey);
    assert_eq!(taken.as_deref(), Some("QID7"));
    let moved = mapping.columns.iter().find(|c| c.column == age).unwrap();
    assert_eq!(
        (moved.question.as_str(), &moved.matched_by),
        ("interest", &MatchedBy::Hand)
    );
    assert!(moved.recode.missing.contains(&"-99".to_string()));
    let preview = preview_mapping(table, &mapping, &survey);
    assert!(preview.unmapped_questions.contains(&"age".to_string()));
    let ages = preview.columns.iter().find(|c| c.column == age).unwrap();
    let out: usize = ages.out_of_range.iter().map(|v| v.count).sum();
    assert_eq!((out, ages.missing), (4, 1));
    assert!(
        ages.problems[0].starts_with("4 cells"),
        "{:?}",
        ages.problems
    );

    // And a column said to hold no answer leaves the mapping.
    mapping.assign(&age, None, &survey);
    assert!(mapping.columns.iter().all(|c| c.column != age));
}

#[test]
fn recoding_lines_are_read_with_the_line_named() {
    let values = parse_recode_lines("Agree strongly = 5\n  Disagree =1\nNo idea =\n").unwrap();
    assert_eq!(values.get("Agree strongly").map(String::as_str), Some("5"));
    assert_eq!(values.get("No idea").map(String::as_str), Some(""));
    assert_eq!(parse_recode_lines(&recode_lines(&values)).unwrap(), values);
    assert_eq!(
        parse_recode_lines("a = 1\nb 2").unwrap_err(),
        RecodeLineError::NoEquals {
            line: 2,
            text: "b 2".into()
        }
    );
    assert_eq!(
        parse_recode_lines("a = 1\na = 2").unwrap_err().to_string(),
        "recoding line 2: \"a\" is recoded twice"
    );
    assert!(parse_recode_lines(" = 2").is_err());
    // An empty code makes the value missing.
    let survey = survey();
    let recode = Recode {
        values: values.clone(),
        ..Recode::default()
    };
    assert_eq!(
        recode_value("No idea", &survey.questions[0], &recode),
        Recoded::Missing
    );
    assert_eq!(
        parse_missing_codes("-99, Refused\n\n-98"),
        ["-99", "Refused", "-98"]
    );
}

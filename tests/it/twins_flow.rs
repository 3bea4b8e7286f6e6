//! Digital twins from a human table, end to end without a network: personas from the chosen
//! columns, only the held-out questions asked (k samples each), the twins' answers paired with the
//! people's by person and compared. A fake model answers from the persona, so a pairing that mixed
//! up people would show in the metrics.

use silico::compare::{compare, twin_pairs, Extras, PairColumns, QuestionKind, RangeColumns};
use silico::field::{
    outgoing_persona_fields, person_ids, response_tables, HttpResponse, MemoryCache, RunSpec, Step,
};
use silico::study::{ColumnValues, ResponseTable, Study};

/// id, age, hint (the persona's answer key), and the people's answers: trust always equals hint;
/// party is "dem" for hints 1–2 and "rep" otherwise, except person p4.
const PEOPLE: [(&str, u32, u32, u32, &str); 6] = [
    ("p1", 34, 1, 1, "dem"),
    ("p2", 51, 2, 2, "dem"),
    ("p3", 29, 5, 5, "rep"),
    ("p4", 62, 4, 4, "dem"),
    ("p5", 45, 3, 3, "rep"),
    ("p6", 38, 2, 2, "dem"),
];

fn study() -> Study {
    let ids: Vec<&str> = PEOPLE.iter().map(|p| p.0).collect();
    let mut long_ids = Vec::new();
    let mut questions = Vec::new();
    let mut answers = Vec::new();
    for p in PEOPLE {
        long_ids.extend([p.0, p.0]);
        questions.extend(["trust", "party"]);
        answers.extend([p.3.to_string(), p.4.to_string()]);
    }
    let json = serde_json::json!({
        "format": "silico-study/1", "id": "twins",
        "metadata": {"name": "Twins"},
        "survey": {"questions": [
            {"id": "trust", "text": "How much do you trust the government?",
             "answer": {"type": "scale", "labels": ["1", "2", "3", "4", "5"]}},
            {"id": "party", "text": "Which party are you closest to?",
             "answer": {"type": "single_choice", "options": [
                {"code": "dem", "label": "Democrat"}, {"code": "rep", "label": "Republican"}]}},
            {"id": "age_q", "text": "How old are you?", "answer": {"type": "numeric"}}
        ]},
        "fielding": {
            "personas": {"type": "table", "table": "people-persona", "columns": ["age", "hint"], "style": "summary"},
            "samples_per_item": 2,
            "randomise_option_order": false,
            "ask_only": ["trust", "party"]
        },
        "results": [
            {"name": "people-persona", "source": "human", "provenance": {"description": "test"},
             "columns": [
                {"name": "id", "role": "respondent", "values": {"text": ids}},
                {"name": "age", "role": "covariate", "values": {"number": PEOPLE.iter().map(|p| p.1).collect::<Vec<_>>()}},
                {"name": "hint", "role": "covariate", "values": {"number": PEOPLE.iter().map(|p| p.2).collect::<Vec<_>>()}}
             ]},
            {"name": "people-targets", "source": "human", "provenance": {"description": "test"},
             "columns": [
                {"name": "id", "role": "respondent", "values": {"text": long_ids}},
                {"name": "question", "role": "question", "values": {"text": questions}},
                {"name": "answer", "role": "answer", "values": {"text": answers}}
             ]}
        ]
    });
    silico::study::parse_study(json.to_string().as_bytes()).expect("a valid study")
}

/// Answers option number `hint` as shown (the persona says it), the second option for party.
fn answer(run: &silico::field::FieldRun, index: usize) -> HttpResponse {
    let call = &run.calls()[index];
    let hint: usize = call.persona.fields["hint"]
        .parse()
        .expect("hint is a number");
    let label = match call.shown.len() {
        5 => call.shown[hint - 1].label.clone(),
        _ => call.shown[if hint <= 2 { 0 } else { 1 }].label.clone(),
    };
    HttpResponse {
        status: 200,
        headers: Vec::new(),
        body: format!(
            r#"{{"choices":[{{"message":{{"role":"assistant","content":"{label}"}},"finish_reason":"stop"}}],"usage":{{"prompt_tokens":10,"completion_tokens":1}}}}"#
        ),
        latency_ms: 1.0,
    }
}

fn prompt(call: &silico::field::PlannedCall) -> String {
    call.call
        .messages
        .iter()
        .map(|m| m.content.as_str())
        .collect::<Vec<_>>()
        .join("\n")
}

fn column<'t>(table: &'t ResponseTable, name: &str) -> &'t ColumnValues {
    &table.column(name).expect("column").values
}

#[test]
fn twins_answer_only_the_held_out_questions_and_are_compared_person_by_person() {
    let study = study();
    let mut spec = RunSpec::for_study(&study);
    spec.endpoint.base_url = "http://127.0.0.1:9/v1".into();
    spec.endpoint.model = "m".into();
    let plan = spec.plan(&study).expect("plan");
    // 6 people × 2 held-out questions × 2 samples; the numeric question is not asked.
    assert_eq!(plan.calls.len(), 24);
    assert!(plan.calls.iter().all(|c| !prompt(c).contains("How old")));
    // Exactly the persona columns leave the browser, for every person; the answers do not.
    assert_eq!(
        outgoing_persona_fields(&plan),
        (vec!["age".to_string(), "hint".to_string()], 6)
    );
    assert!(prompt(&plan.calls[0]).contains("age: 34; hint: 1"));

    let mut run = spec.start(plan, None).expect("run");
    let mut cache = MemoryCache::default();
    let mut now = 0.0;
    loop {
        now += 1.0;
        match run.poll(now, &mut cache) {
            Step::Send { ticket, .. } => {
                let reply = answer(&run, ticket.index);
                run.complete(ticket, Ok(reply), now, &mut cache);
            }
            Step::WaitUntil(_) => {}
            Step::Finished => break,
            other => panic!("{other:?}"),
        }
    }
    let records: Vec<_> = run.records().cloned().collect();
    let tables = response_tables(&study, &spec.endpoint_config(None), &records);
    let twins = tables.last().expect("a survey table");

    let personas = &study.results[0];
    assert_eq!(person_ids(personas), ["p1", "p2", "p3", "p4", "p5", "p6"]);
    let paired = twin_pairs(
        &study.results[1],
        twins,
        &person_ids(personas),
        &study.survey,
    )
    .expect("pairs");
    assert_eq!((paired.twins_without_person, paired.unreadable), (0, 0));
    assert_eq!(paired.pairs.row_count(), 12);
    assert_eq!(
        column(&paired.pairs, "twin_samples"),
        &ColumnValues::Number(vec![Some(2.0); 12])
    );

    let columns = PairColumns {
        person: "person".into(),
        question: vec!["question".into()],
        human: "human".into(),
        twin: "twin".into(),
    };
    let ranges = silico::compare::read_ranges(
        &paired.ranges,
        &columns.question,
        &RangeColumns {
            key: None,
            min: None,
            max: None,
            kind: None,
        },
    )
    .expect("ranges");
    let result = compare(&paired.pairs, &columns, &Extras::default(), &ranges).expect("compare");
    let trust = &result.questions[0].metrics;
    assert_eq!(trust.key, ["trust"]);
    assert_eq!((trust.kind, trust.n), (QuestionKind::Ordinal, 6));
    assert_eq!(trust.accuracy, 1.0);
    assert!((trust.correlation - 1.0).abs() < 1e-12);
    let party = &result.questions[1].metrics;
    assert_eq!(party.kind, QuestionKind::Nominal);
    // Everyone but p4 (hint 4, yet "dem") answered as their twin did.
    assert!((party.accuracy - 5.0 / 6.0).abs() < 1e-12);
}

#[test]
fn people_without_a_twin_answer_are_left_out_and_nothing_paired_is_an_error() {
    let study = study();
    let twins: ResponseTable = serde_json::from_value(serde_json::json!({
        "name": "llm", "source": "llm", "provenance": {"description": "test"},
        "columns": [
            {"name": "respondent", "role": "respondent", "values": {"number": [1, 1, 9, 2]}},
            {"name": "question", "role": "question", "values": {"text": ["trust", "trust", "trust", "trust"]}},
            {"name": "answer", "role": "answer", "values": {"text": ["2", "3", "1", "maybe"]}}
        ]
    }))
    .expect("table");
    let ids = person_ids(&study.results[0]);
    let paired = twin_pairs(&study.results[1], &twins, &ids, &study.survey).expect("pairs");
    // p1's two samples average to 2.5; respondent 9 has no person; p2's answer is not a scale value.
    assert_eq!(paired.pairs.row_count(), 1);
    assert_eq!(
        column(&paired.pairs, "twin"),
        &ColumnValues::Number(vec![Some(2.5)])
    );
    assert_eq!((paired.twins_without_person, paired.unreadable), (1, 1));
    let none = twin_pairs(&study.results[1], &twins, &[], &study.survey).unwrap_err();
    assert!(none.to_string().contains("no person answered"), "{none}");
}

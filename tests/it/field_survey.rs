//! Surveys fielded as researchers write them: every question type asked and read, the survey's
//! logic applied to each LLM respondent on its own answers (a consent branch that ends the
//! survey, an even block randomiser, a display condition, piping), memory of earlier answers, and
//! a resumed run that plans the same calls again without sending any answered one twice.
//! The replies come from a scripted respondent in this file, so each expectation is exact.

use std::collections::HashMap;

use silico::field::{
    plan, CallRecord, FieldRun, HttpResponse, MemoryCache, OrderMode, RunSpec, Status, Step,
};
use silico::study::{parse_study, Memory, Study};

fn study() -> Study {
    let bytes = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/survey-logic.json"
    ))
    .expect("fixture");
    parse_study(&bytes).expect("valid fixture")
}

fn spec(study: &Study, respondents: u32) -> RunSpec {
    let mut spec = RunSpec::for_study(study);
    spec.endpoint.base_url = "http://127.0.0.1:9/v1".into();
    spec.endpoint.model = "m".into();
    spec.settings.respondents = Some(respondents);
    spec.settings.order = OrderMode::Fixed;
    spec.scheduler.concurrency = 4;
    spec
}

fn reply(text: &str) -> HttpResponse {
    HttpResponse {
        status: 200,
        headers: Vec::new(),
        body: serde_json::json!({
            "choices": [{"message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 10, "completion_tokens": 3}
        })
        .to_string(),
        latency_ms: 1.0,
    }
}

/// The scripted respondent: odd respondents consent, even ones decline; respondents 1 and 5
/// owned a dog; every other question gets a valid answer in the format its prompt asks for.
fn answer(respondent: u32, prompt: &str) -> String {
    if prompt.contains("Do you agree to take part?") {
        return if respondent % 2 == 1 { "A" } else { "B" }.into();
    }
    if prompt.contains("Which pets") {
        return if respondent % 4 == 1 { "A, B" } else { "C" }.into();
    }
    if prompt.contains("Rank these") {
        return "B, A, C".into();
    }
    if prompt.contains("Scale:") {
        return "1: A\n2: C".into();
    }
    if prompt.contains("Rate these on 0 to 100") {
        return "1: 42\n2: 80".into();
    }
    if prompt.contains("Allocate 100 points") {
        return "A: 50\nB: 30\nC: 20".into();
    }
    if prompt.contains("How happy") {
        return "7".into();
    }
    if prompt.contains("How old was your first dog") {
        return "9".into();
    }
    if prompt.contains("How old are you") {
        return "35".into();
    }
    if prompt.contains("Anything else") {
        return "No, thanks.".into();
    }
    "A".into()
}

/// What the call asks now: its last user message (earlier turns are remembered answers).
fn prompt_of(run: &FieldRun, index: usize) -> String {
    run.calls()[index]
        .call
        .messages
        .iter()
        .rev()
        .find(|m| m.role == "user")
        .map(|m| m.content.clone())
        .unwrap_or_default()
}

/// Drives a run, answering every request at once, until it finishes or `limit` calls were sent;
/// returns how many were sent.
fn drive(run: &mut FieldRun, cache: &mut MemoryCache, limit: usize) -> usize {
    let mut sent = 0;
    let mut now = 0.0;
    loop {
        now += 1.0;
        match run.poll(now, cache) {
            Step::Send { ticket, .. } => {
                if sent == limit {
                    return sent;
                }
                sent += 1;
                let call = &run.calls()[ticket.index];
                let text = answer(call.respondent, &prompt_of(run, ticket.index));
                run.complete(ticket, Ok(reply(&text)), now, cache);
            }
            Step::WaitUntil(_) => {}
            Step::Finished => return sent,
            Step::WaitForReplies | Step::Paused => panic!("nothing is in flight here"),
        }
    }
}

fn field(study: &Study, respondents: u32) -> (FieldRun, usize) {
    let spec = spec(study, respondents);
    let plan = plan(study, &spec.settings).expect("plan");
    let mut run = spec.start(plan, None).expect("run");
    let sent = drive(&mut run, &mut MemoryCache::default(), usize::MAX);
    (run, sent)
}

fn by_respondent(records: &[CallRecord]) -> HashMap<u32, Vec<&CallRecord>> {
    let mut out: HashMap<u32, Vec<&CallRecord>> = HashMap::new();
    for r in records {
        out.entry(r.respondent).or_default().push(r);
    }
    out
}

fn question_of(record: &CallRecord) -> String {
    match &record.item {
        silico::field::ItemRef::Question { id, .. } => id.clone(),
        other => panic!("a survey call: {other:?}"),
    }
}

#[test]
fn respondents_who_decline_are_asked_nothing_more_and_no_hidden_question_is_asked() {
    let study = study();
    let (run, _) = field(&study, 8);
    let records: Vec<CallRecord> = run.records().cloned().collect();
    for (respondent, calls) in by_respondent(&records) {
        let asked: Vec<String> = calls.iter().map(|r| question_of(r)).collect();
        if respondent % 2 == 0 {
            assert_eq!(asked, vec!["consent"], "respondent {respondent} declined");
        } else {
            assert!(asked.len() > 10, "respondent {respondent}: {asked:?}");
            let owned_dog = respondent % 4 == 1;
            assert_eq!(
                asked.contains(&"dog_follow".to_string()),
                owned_dog,
                "{asked:?}"
            );
            // Exactly one of the two condition blocks.
            let conditions = asked.iter().filter(|q| q.starts_with("cond_")).count();
            assert_eq!(conditions, 1, "respondent {respondent}: {asked:?}");
        }
    }
    // Decliners' questions and the follow-up of those without a dog are kept as not shown.
    let hidden = run.not_shown();
    assert!(hidden
        .iter()
        .any(|h| h.respondent == 2 && h.question == "pets" && h.rule.contains("ended")));
    assert!(hidden.iter().any(|h| h.respondent == 3
        && h.question == "dog_follow"
        && h.rule.contains("pets is one of dog")));
    assert!(hidden.iter().any(|h| h.respondent == 1
        && h.question.starts_with("cond_")
        && h.rule.contains("randomiser")));
}

#[test]
fn every_question_type_is_asked_and_read() {
    let study = study();
    let (run, _) = field(&study, 4);
    let records: Vec<CallRecord> = run.records().cloned().collect();
    let mine: Vec<&CallRecord> = records.iter().filter(|r| r.respondent == 1).collect();
    let answer_of = |q: &str| -> Vec<String> {
        mine.iter()
            .filter(|r| question_of(r) == q)
            .map(|r| {
                assert_eq!(
                    r.status,
                    Status::Answered,
                    "{q}: {:?} {:?}",
                    r.reason,
                    r.raw_reply
                );
                r.answer.clone().unwrap_or_default()
            })
            .collect()
    };
    assert_eq!(answer_of("consent"), vec!["1"]);
    assert_eq!(answer_of("pets"), vec!["cat;dog"]);
    assert_eq!(answer_of("dog_follow"), vec!["9"]);
    assert_eq!(answer_of("rank"), vec!["city;sea;hills"]);
    assert_eq!(answer_of("battery"), vec!["b1=1;b2=3"]);
    assert_eq!(answer_of("peritem"), vec!["1", "1"], "one call per item");
    assert_eq!(answer_of("happy"), vec!["7"]);
    assert_eq!(
        answer_of("sliders"),
        vec!["s1=40;s2=80"],
        "rounded to steps of 5"
    );
    assert_eq!(answer_of("budget"), vec!["food=50;fun=30;save=20"]);
    assert_eq!(answer_of("region"), vec!["n"]);
    assert_eq!(answer_of("age"), vec!["35"]);
    assert_eq!(answer_of("why"), vec!["No, thanks."]);
    // Piping: the follow-up names the respondent's own pets, the last question the persona.
    for r in &records {
        let text: String = r.messages.iter().map(|m| m.content.as_str()).collect();
        assert!(
            !text.contains("{{"),
            "a placeholder reached the model: {text}"
        );
    }
    let follow = mine
        .iter()
        .find(|r| question_of(r) == "dog_follow")
        .expect("asked");
    assert!(follow
        .messages
        .iter()
        .any(|m| m.content.contains("You said you owned: Cat, Dog.")));
    // The descriptive text is never a call.
    assert!(records.iter().all(|r| question_of(r) != "intro"));
}

#[test]
fn an_even_randomiser_shows_each_block_equally_often() {
    let mut study = study();
    // Everyone consents here, so the randomiser sees every respondent.
    study.survey.flow.remove(1);
    let (run, _) = field(&study, 40);
    let records: Vec<CallRecord> = run.records().cloned().collect();
    let count = |q: &str| records.iter().filter(|r| question_of(r) == q).count();
    assert_eq!((count("cond_a"), count("cond_b")), (20, 20));
}

#[test]
fn a_resumed_run_plans_the_same_calls_and_sends_none_twice() {
    let study = study();
    let (whole, sent_whole) = field(&study, 6);
    let spec = spec(&study, 6);
    let mut first = spec
        .start(plan(&study, &spec.settings).expect("plan"), None)
        .expect("run");
    let sent_first = drive(&mut first, &mut MemoryCache::default(), 25);
    assert_eq!(sent_first, 25);
    let kept: Vec<CallRecord> = first.records().cloned().collect();
    let mut second = spec
        .start(plan(&study, &spec.settings).expect("plan"), None)
        .expect("run");
    let taken = second.restore(kept.clone(), false);
    assert_eq!(taken, kept.len(), "every settled call taken over");
    let sent_second = drive(&mut second, &mut MemoryCache::default(), usize::MAX);
    assert_eq!(sent_first + sent_second, sent_whole, "nothing paid twice");
    let ids = |run: &FieldRun| {
        let mut ids: Vec<(String, Option<String>)> = run
            .records()
            .map(|r| (r.custom_id.clone(), r.answer.clone()))
            .collect();
        ids.sort();
        ids
    };
    assert_eq!(ids(&whole), ids(&second));
}

#[test]
fn with_memory_each_question_follows_the_earlier_answers_in_one_conversation() {
    let mut study = study();
    study.fielding.memory = Memory::All;
    let (run, _) = field(&study, 1);
    let records: Vec<CallRecord> = run.records().cloned().collect();
    let rank = records
        .iter()
        .find(|r| question_of(r) == "rank")
        .expect("asked");
    let roles: Vec<&str> = rank.messages.iter().map(|m| m.role.as_str()).collect();
    // system, then (user, assistant) for consent, the condition, pets and the follow-up, then the
    // ranking itself.
    assert_eq!(roles.first(), Some(&"system"));
    assert_eq!(roles.last(), Some(&"user"));
    assert_eq!(
        roles.iter().filter(|r| **r == "assistant").count(),
        4,
        "{roles:?}"
    );
    assert!(
        rank.messages[1].content.contains("Welcome."),
        "the descriptive text is remembered"
    );
    assert!(
        rank.messages[1].content.contains("You are"),
        "the persona opens the conversation"
    );
    assert!(!rank
        .messages
        .last()
        .expect("a message")
        .content
        .contains("You are"));
    assert!(rank
        .messages
        .iter()
        .any(|m| m.role == "assistant" && m.content == "A, B"));
}

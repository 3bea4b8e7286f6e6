//! The run as the page drives it, without a network: a spec rebuilds the same plan, the planner
//! in slices equals the plan at once, the cache is checked in slices before anything is sent,
//! records are taken over only for the same request, interrupted calls are not resent, and an
//! unreadable cached reply is sent rather than failed.

use silico::field::{
    plan, CachedReply, FieldRun, HttpResponse, MemoryCache, Planner, ResponseCache, RunSpec,
    Status, Step,
};
use silico::study::{parse_study, Study};

fn study() -> Study {
    let bytes = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/fault-conjoint.json"
    ))
    .expect("fixture");
    parse_study(&bytes).expect("valid fixture")
}

fn spec(study: &Study, respondents: u32) -> RunSpec {
    let mut spec = RunSpec::for_study(study);
    spec.endpoint.base_url = "http://127.0.0.1:9/v1".into();
    spec.endpoint.model = "m".into();
    spec.settings.respondents = Some(respondents);
    spec.scheduler.concurrency = 3;
    spec
}

/// A Chat Completions reply naming the first label.
fn reply(label: &str) -> HttpResponse {
    HttpResponse {
        status: 200,
        headers: Vec::new(),
        body: format!(
            r#"{{"choices":[{{"message":{{"role":"assistant","content":"{label}"}},"finish_reason":"stop"}}],"usage":{{"prompt_tokens":10,"completion_tokens":1}}}}"#
        ),
        latency_ms: 1.0,
    }
}

/// Drives a run to the end, answering every request at once; returns how many were sent.
fn drive(run: &mut FieldRun, cache: &mut MemoryCache) -> usize {
    let mut sent = 0;
    let mut now = 0.0;
    loop {
        now += 1.0;
        match run.poll(now, cache) {
            Step::Send { ticket, .. } => {
                sent += 1;
                let label = run.calls()[ticket.index].shown[0].label.clone();
                run.complete(ticket, Ok(reply(&label)), now, cache);
            }
            Step::WaitUntil(_) => {}
            Step::Finished => return sent,
            Step::WaitForReplies | Step::Paused => panic!("nothing is in flight here"),
        }
    }
}

#[test]
fn the_planner_in_slices_equals_the_plan_at_once() {
    let study = study();
    let settings = spec(&study, 37).settings;
    let whole = plan(&study, &settings).expect("plan");
    let mut planner = Planner::new(&study, &settings).expect("planner");
    let mut steps = 0;
    while !planner.step(5).expect("step") {
        steps += 1;
    }
    let sliced = planner.finish().expect("finish");
    assert!(steps > 20, "planned in many slices: {steps}");
    assert_eq!(whole.calls, sliced.calls);
    assert_eq!(whole.calls.len(), 37 * 4 + 37);
}

#[test]
fn the_run_id_follows_the_spec_and_the_study() {
    let study = study();
    let a = spec(&study, 10);
    assert_eq!(a.run_id(&study), spec(&study, 10).run_id(&study));
    assert_ne!(a.run_id(&study), spec(&study, 11).run_id(&study));
    let mut changed = study.clone();
    changed.fielding.templates.system.push_str(" Be brief.");
    assert_ne!(a.run_id(&study), a.run_id(&changed));
    // The key never enters the spec: a stored spec has no field for it.
    let json = serde_json::to_string(&a).expect("serialises");
    assert!(!json.to_lowercase().contains("key"), "{json}");
}

#[test]
fn a_rerun_is_answered_from_the_cache_checked_in_slices() {
    let study = study();
    let spec = spec(&study, 20);
    let mut cache = MemoryCache::default();
    let mut first = spec
        .start(spec.plan(&study).expect("plan"), None)
        .expect("run");
    let total = first.calls().len();
    assert_eq!(drive(&mut first, &mut cache), total);
    assert_eq!(cache.len(), total);

    let mut second = spec
        .start(spec.plan(&study).expect("plan"), None)
        .expect("run");
    second.set_cache_slice(7);
    // Nothing is sent while the cache is being checked, slice by slice.
    let mut polls = 0;
    loop {
        polls += 1;
        match second.poll(polls as f64, &mut cache) {
            Step::WaitUntil(_) => continue,
            Step::Finished => break,
            other => panic!("a cached run sends nothing: {other:?}"),
        }
    }
    assert_eq!(polls, total.div_ceil(7), "the last slice ends the run");
    let progress = second.progress();
    assert_eq!((progress.cache_hits, progress.answered), (total, total));
    assert_eq!(second.drain_settled().len(), total);
    assert!(second.drain_settled().is_empty(), "drained once");
}

#[test]
fn records_are_taken_over_only_for_the_same_request_and_interrupted_calls_are_not_resent() {
    let study = study();
    let spec = spec(&study, 6);
    let mut cache = MemoryCache::default();
    let mut first = spec
        .start(spec.plan(&study).expect("plan"), None)
        .expect("run");
    drive(&mut first, &mut cache);
    let mut records = first.into_records();
    let total = records.len();
    // One record made from another request (a changed prompt) is not taken over.
    records[0].cache_key = "not-this-request".into();

    let mut second = spec
        .start(spec.plan(&study).expect("plan"), None)
        .expect("run");
    assert_eq!(second.restore(records.clone(), false), total - 1);
    let wire = vec![second.calls()[0].custom_id.clone()];
    assert_eq!(second.interrupt(&wire, "interrupted: on the wire"), 1);
    let mut empty = MemoryCache::default();
    assert_eq!(drive(&mut second, &mut empty), 0, "nothing is sent again");
    let failed: Vec<_> = second
        .records()
        .filter(|r| r.status == Status::Failed)
        .collect();
    assert_eq!(failed.len(), 1);
    assert!(failed[0]
        .reason
        .as_deref()
        .unwrap_or("")
        .starts_with("interrupted"));

    // Retrying failed calls sends exactly that one.
    let settled: Vec<_> = second.records().cloned().collect();
    let mut third = spec
        .start(spec.plan(&study).expect("plan"), None)
        .expect("run");
    assert_eq!(third.restore(settled, true), total - 1);
    assert_eq!(drive(&mut third, &mut empty), 1);
}

#[test]
fn calls_left_on_the_wire_use_a_reply_that_arrived_and_are_otherwise_interrupted_not_resent() {
    let study = study();
    let spec = spec(&study, 4);
    let mut first = spec
        .start(spec.plan(&study).expect("plan"), None)
        .expect("run");
    let mut answered = MemoryCache::default();
    drive(&mut first, &mut answered);
    // The reply of call 0 reached the cache before the page went away; call 1's never did.
    let key = first.cache_key_at(0).expect("a call");
    let mut cache = MemoryCache::default();
    cache
        .put(&key, &answered.get(&key).expect("answered"))
        .expect("cached");
    let mut second = spec
        .start(spec.plan(&study).expect("plan"), None)
        .expect("run");
    let wire = vec![
        second.calls()[0].custom_id.clone(),
        second.calls()[1].custom_id.clone(),
    ];
    // Nothing is decided before the cache was looked at.
    assert_eq!(
        second.interrupt_unless_cached(&wire, silico::field::INTERRUPTED_REASON),
        0
    );
    let total = second.calls().len();
    assert_eq!(
        drive(&mut second, &mut cache),
        total - 2,
        "neither call on the wire is sent again"
    );
    let records: Vec<_> = second.records().cloned().collect();
    let of = |i: usize| {
        records
            .iter()
            .find(|r| r.custom_id == wire[i])
            .expect("settled")
    };
    assert!(of(0).cache_hit && of(0).status == Status::Answered);
    assert_eq!(of(1).status, Status::Failed);
    assert!(of(1)
        .reason
        .as_deref()
        .unwrap_or("")
        .starts_with("interrupted"));
    assert_eq!(second.open_cache_keys(0..total), Vec::<String>::new());
}

#[test]
fn an_unreadable_cached_reply_is_sent_again_not_failed() {
    let study = study();
    let spec = spec(&study, 2);
    let mut run = spec
        .start(spec.plan(&study).expect("plan"), None)
        .expect("run");
    let mut cache = MemoryCache::default();
    let key = run.cache_key_at(0).expect("a call");
    cache
        .put(
            &key,
            &CachedReply {
                body: "{\"choices\": [".into(),
                latency_ms: 1.0,
            },
        )
        .expect("memory");
    let total = run.calls().len();
    assert_eq!(drive(&mut run, &mut cache), total, "every call was sent");
    assert_eq!(run.progress().failed, 0);
    assert_eq!(run.progress().cache_hits, 0);
}

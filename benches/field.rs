//! Fielding scheduler overhead per call, against the fault-free protocol server answering at
//! once (`scripts/fault-server.mjs`, started here). Prints timings; no harness.
//!
//! cargo bench --bench field

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::process::{Command, Stdio};
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use serde_json::json;
use silico::field::native::{drive, UreqClient};
use silico::field::{plan, FieldRun, FieldSettings, HttpClient, NoCache, SchedulerConfig, Step};
use silico::providers::EndpointConfig;
use silico::study::{parse_study, ProviderKind, SamplingParameters, Study};

fn study() -> Study {
    let levels = |n: usize| -> serde_json::Value {
        (0..n)
            .map(|i| json!({"name": format!("level {i}")}))
            .collect()
    };
    let text = json!({
        "format": "silico-study/1", "id": "bench", "metadata": {"name": "bench"},
        "conjoint": {
            "attributes": [
                {"name": "A", "levels": levels(3)}, {"name": "B", "levels": levels(3)},
                {"name": "C", "levels": levels(2)}, {"name": "D", "levels": levels(4)}
            ],
            "profiles_per_task": 2, "tasks_per_respondent": 5, "randomisation": {"seed": 1}
        }
    });
    parse_study(text.to_string().as_bytes()).expect("study")
}

fn main() {
    let port = (18900..19900)
        .find(|p| TcpListener::bind(("127.0.0.1", *p)).is_ok())
        .expect("port");
    let mut server = Command::new("node")
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/scripts/fault-server.mjs"
        ))
        .args(["--port", &port.to_string()])
        .stdout(Stdio::piped())
        .spawn()
        .expect("node");
    let mut line = String::new();
    let _ = BufReader::new(server.stdout.take().expect("stdout")).read_line(&mut line);

    let study = study();
    let settings = FieldSettings {
        respondents: Some(1000),
        ..FieldSettings::from_study(&study)
    };
    let endpoint = EndpointConfig {
        provider: ProviderKind::OpenaiCompatible,
        base_url: format!("http://127.0.0.1:{port}/v1"),
        model: "bench".into(),
        headers: Vec::new(),
        parameters: SamplingParameters {
            top_logprobs: 5,
            ..Default::default()
        },
        api_key: None,
    };
    let client = UreqClient::new(Duration::from_secs(10));

    // Sequential: time inside the engine (poll + complete: building the request, cache key,
    // parsing, extraction, record) apart from the HTTP round trip.
    let the_plan = plan(&study, &settings).expect("plan");
    let n = the_plan.calls.len();
    let mut run =
        FieldRun::new(the_plan, endpoint.clone(), SchedulerConfig::default()).expect("run");
    let mut cache = NoCache;
    let (mut engine, mut http) = (Duration::ZERO, Duration::ZERO);
    let start = Instant::now();
    loop {
        let t = Instant::now();
        let step = run.poll(start.elapsed().as_secs_f64() * 1000.0, &mut cache);
        engine += t.elapsed();
        let Step::Send { ticket, request } = step else {
            break;
        };
        let t = Instant::now();
        let response = client.send(&request);
        http += t.elapsed();
        let t = Instant::now();
        run.complete(
            ticket,
            response,
            start.elapsed().as_secs_f64() * 1000.0,
            &mut cache,
        );
        engine += t.elapsed();
    }
    let p = run.progress();
    println!(
        "sequential: {n} calls ({} answered), engine {:.1} µs/call, HTTP round trip {:.1} µs/call",
        p.answered,
        engine.as_secs_f64() * 1e6 / n as f64,
        http.as_secs_f64() * 1e6 / n as f64
    );

    // Threaded driver as the command-line tool runs it.
    for concurrency in [1, 4, 8] {
        let the_plan = plan(&study, &settings).expect("plan");
        let config = SchedulerConfig {
            concurrency,
            ..SchedulerConfig::default()
        };
        let mut run = FieldRun::new(the_plan, endpoint.clone(), config).expect("run");
        let start = Instant::now();
        drive(
            &mut run,
            &client,
            &mut NoCache,
            concurrency,
            &AtomicBool::new(false),
            |_, _| {},
        );
        let secs = start.elapsed().as_secs_f64();
        println!(
            "driver, concurrency {concurrency}: {n} calls in {secs:.2} s = {:.0} µs/call wall ({:.0} calls/s)",
            secs * 1e6 / n as f64,
            n as f64 / secs
        );
    }
    let _ = server.kill();
    let _ = server.wait();
}

//! Executes every example in `docs/calc.md`, so the documentation cannot drift from the code.
//! Each topic has a section headed ``## `topic` — ...``; an example is a fenced block tagged
//! `json input` followed by one tagged `json output`, and the output must equal the topic's result
//! exactly (an error as `{"error": {"field", "message"}}`). With `ANJIAN_REGENERATE_DOCS=1` the
//! output blocks are rewritten from the code instead (review the diff before committing).

use anjian_domain::standards::calc::{TOPICS, calc};
use serde_json::{Value, json};
use std::path::PathBuf;

fn doc_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/calc.md")
}

fn run(topic: &str, input: &Value) -> Value {
    match calc(topic, input) {
        Ok(v) => v,
        Err(e) => json!({"error": {"field": e.field, "message": e.message}}),
    }
}

#[test]
fn every_documented_example_is_the_real_output() {
    let text = std::fs::read_to_string(doc_path()).expect("docs/calc.md exists");
    let regenerate = std::env::var("ANJIAN_REGENERATE_DOCS").is_ok_and(|v| v == "1");
    let mut out: Vec<String> = Vec::new();
    let mut topic: Option<String> = None;
    let mut pending: Option<Value> = None;
    let mut per_topic: std::collections::BTreeMap<String, usize> =
        std::collections::BTreeMap::new();
    let mut failures = Vec::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        out.push(line.to_owned());
        if let Some(rest) = line.strip_prefix("## `") {
            let name = rest.split('`').next().unwrap_or_default().to_owned();
            assert!(
                TOPICS.iter().any(|t| t.0 == name),
                "docs/calc.md has a section for unknown topic {name}"
            );
            topic = Some(name);
            continue;
        }
        let tag = line.trim();
        if tag != "```json input" && tag != "```json output" {
            continue;
        }
        let body: Vec<&str> = lines.by_ref().take_while(|l| l.trim() != "```").collect();
        let body = body.join("\n");
        let t = topic.clone().expect("an example outside any topic section");
        if tag == "```json input" {
            pending = Some(
                serde_json::from_str(&body)
                    .unwrap_or_else(|e| panic!("{t}: bad input example: {e}")),
            );
            out.push(body);
        } else {
            let input = pending
                .take()
                .unwrap_or_else(|| panic!("{t}: an output block without an input block"));
            let got = run(&t, &input);
            let expected: Option<Value> = serde_json::from_str(&body).ok();
            if expected.as_ref() == Some(&got) {
                out.push(body);
            } else {
                failures.push(format!(
                    "{t}: example for input {input} differs; the code gives:\n{}",
                    serde_json::to_string_pretty(&got).unwrap()
                ));
                out.push(serde_json::to_string_pretty(&got).unwrap());
            }
            *per_topic.entry(t).or_default() += 1;
        }
        out.push("```".to_owned());
    }
    for (name, _) in TOPICS {
        assert!(
            per_topic.get(name).copied().unwrap_or(0) > 0,
            "topic {name} has no executed example in docs/calc.md"
        );
    }
    if regenerate {
        std::fs::write(doc_path(), out.join("\n") + "\n").unwrap();
        return;
    }
    assert!(
        failures.is_empty(),
        "{} documented examples differ from the code:\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

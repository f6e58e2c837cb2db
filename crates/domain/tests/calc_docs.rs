//! Executes every example in `docs/calc/<topic>.md`, so the documentation cannot drift from the
//! code. An example is a fenced block tagged `json input` followed by one tagged `json output`;
//! the output must equal the calculation's result exactly.

use anjian_domain::standards::calc::{TOPICS, calc};
use serde_json::Value;
use std::path::PathBuf;

fn docs_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/calc")
}

/// (input, output) pairs of one document, in order.
fn examples(text: &str) -> Vec<(String, String)> {
    let mut blocks: Vec<(String, String)> = Vec::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        let tag = line.trim();
        if let Some(info) = tag.strip_prefix("```json ") {
            let body: Vec<&str> = lines.by_ref().take_while(|l| l.trim() != "```").collect();
            blocks.push((info.trim().to_owned(), body.join("\n")));
        }
    }
    let mut pairs = Vec::new();
    let mut pending: Option<String> = None;
    for (info, body) in blocks {
        match info.as_str() {
            "input" => pending = Some(body),
            "output" => pairs.push((
                pending
                    .take()
                    .expect("an output block must follow an input block"),
                body,
            )),
            _ => {}
        }
    }
    pairs
}

#[test]
fn every_documented_example_is_the_real_output() {
    let mut checked = 0;
    for entry in std::fs::read_dir(docs_dir()).expect("docs/calc exists") {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("md") {
            continue;
        }
        let topic = path.file_stem().unwrap().to_str().unwrap().to_owned();
        assert!(
            TOPICS.iter().any(|t| t.0 == topic),
            "{} documents an unknown topic",
            path.display()
        );
        let text = std::fs::read_to_string(&path).unwrap();
        let pairs = examples(&text);
        assert!(
            !pairs.is_empty(),
            "{} has no `json input` / `json output` example",
            path.display()
        );
        for (i, (input, output)) in pairs.iter().enumerate() {
            let input: Value = serde_json::from_str(input)
                .unwrap_or_else(|e| panic!("{topic} example {i}: input: {e}"));
            let expected: Value = serde_json::from_str(output)
                .unwrap_or_else(|e| panic!("{topic} example {i}: output: {e}"));
            let got = match calc(&topic, &input) {
                Ok(v) => v,
                Err(e) => serde_json::json!({"error": {"field": e.field, "message": e.message}}),
            };
            assert_eq!(
                got,
                expected,
                "{topic} example {i} differs from the documentation:\n{}",
                serde_json::to_string_pretty(&got).unwrap()
            );
            checked += 1;
        }
    }
    assert!(checked > 0);
}

//! The rules file, reading file and output shown in docs/alarms.md are real: the example rules
//! parse, and replaying the example readings prints exactly the documented line.

use anjian_alarm::{Engine, RuleSet};
use anjian_ingest::replay::replay_csv;

/// The first fenced block of `lang` in the document.
fn block<'a>(doc: &'a str, lang: &str) -> &'a str {
    let open = format!("```{lang}\n");
    let start = doc.find(&open).expect("block present") + open.len();
    let end = doc[start..].find("```").expect("block closed") + start;
    &doc[start..end]
}

#[test]
fn the_documented_example_replays_as_documented() {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/alarms.md"))
        .expect("docs/alarms.md");
    let rules = RuleSet::from_toml(block(&doc, "toml")).expect("the example rules file is valid");
    assert_eq!(rules.sensors().len(), 4);
    let mut engine = Engine::new(rules).unwrap();
    let mut out = Vec::new();
    replay_csv(&mut engine, block(&doc, "csv").as_bytes(), None, &mut out).expect("replay");
    assert_eq!(String::from_utf8(out).unwrap(), block(&doc, "json"));
}

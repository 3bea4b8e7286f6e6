//! The layering check: every `crate::` path in `src/` must be one ARCHITECTURE.md's layer tables
//! allow, and the allowed imports must not form a cycle. The tables are the rule, so the document
//! cannot drift from the code (a new module or import fails here until its row says so).

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;

use crate::support::repo;

/// module → the modules it may import, from the `| module | job | may import |` rows.
fn allowed_imports() -> BTreeMap<String, BTreeSet<String>> {
    let text = fs::read_to_string(repo("ARCHITECTURE.md")).expect("ARCHITECTURE.md");
    let section = text
        .split("## Layers and what each module may import")
        .nth(1)
        .expect("ARCHITECTURE.md has the layers section")
        .split("\n## ")
        .next()
        .unwrap_or_default();
    let mut allowed = BTreeMap::new();
    for line in section.lines() {
        let cells: Vec<&str> = line.trim().trim_matches('|').split('|').collect();
        if cells.len() != 3 || !cells[0].trim().starts_with('`') {
            continue;
        }
        let names = |cell: &str| -> BTreeSet<String> {
            cell.split(',')
                .map(|n| n.trim().trim_matches('`').to_string())
                .filter(|n| !n.is_empty() && n != "—")
                .collect()
        };
        let module = cells[0].trim().trim_matches('`').to_string();
        allowed.insert(module, names(cells[2]));
    }
    allowed
}

/// The top-level modules a source file names through `crate::…`, comments left out.
fn crate_paths(source: &str) -> BTreeSet<String> {
    let code: String = source
        .lines()
        .map(|line| line.split("//").next().unwrap_or_default())
        .collect::<Vec<_>>()
        .join("\n");
    let mut found = BTreeSet::new();
    let mut rest = code.as_str();
    while let Some(at) = rest.find("crate::") {
        rest = &rest[at + "crate::".len()..];
        match rest.strip_prefix('{') {
            // `crate::{a, b::{c, d}}` (over several lines too): each top-level entry's first segment.
            Some(group) => {
                let mut depth = 0;
                let mut entry_start = true;
                for (i, c) in group.char_indices() {
                    match c {
                        '{' => depth += 1,
                        '}' if depth == 0 => break,
                        '}' => depth -= 1,
                        ',' if depth == 0 => entry_start = true,
                        c if entry_start && !c.is_whitespace() => {
                            entry_start = false;
                            let name = first_segment(&group[i..]);
                            if !name.is_empty() {
                                found.insert(name);
                            }
                        }
                        _ => {}
                    }
                }
            }
            None => {
                let name = first_segment(rest);
                if !name.is_empty() {
                    found.insert(name);
                }
            }
        }
    }
    found
}

fn first_segment(path: &str) -> String {
    path.chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect()
}

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in fs::read_dir(dir).expect("readable source folder") {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Each top-level module of src/ (folder or file) with the modules its files name.
fn imports_in_src() -> BTreeMap<String, BTreeMap<String, Vec<String>>> {
    let src = repo("src");
    let mut imports: BTreeMap<String, BTreeMap<String, Vec<String>>> = BTreeMap::new();
    for entry in fs::read_dir(&src).expect("src") {
        let path = entry.expect("entry").path();
        let name = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default()
            .to_string();
        if name == "lib" || name == "bin" {
            continue;
        }
        let mut files = Vec::new();
        if path.is_dir() {
            rust_files(&path, &mut files);
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path.clone());
        }
        let module = imports.entry(name.clone()).or_default();
        for file in files {
            let source = fs::read_to_string(&file).expect("readable source");
            for used in crate_paths(&source) {
                if used != name {
                    let shown = file
                        .strip_prefix(&src)
                        .unwrap_or(&file)
                        .display()
                        .to_string();
                    module.entry(used).or_default().push(shown);
                }
            }
        }
    }
    imports
}

#[test]
fn every_module_imports_only_what_its_layer_allows() {
    let allowed = allowed_imports();
    let imports = imports_in_src();
    let mut problems = Vec::new();
    for (module, uses) in &imports {
        let Some(may) = allowed.get(module) else {
            problems.push(format!(
                "src/{module} has no row in ARCHITECTURE.md's layer tables"
            ));
            continue;
        };
        for (used, files) in uses {
            if !allowed.contains_key(used) {
                continue; // `crate::` followed by something that is not a module (a macro's path)
            }
            if !may.contains(used) {
                problems.push(format!(
                    "{module} may not import {used} (in {})",
                    files.join(", ")
                ));
            }
        }
    }
    for module in allowed.keys() {
        if !imports.contains_key(module) {
            problems.push(format!(
                "ARCHITECTURE.md lists `{module}`, which src/ does not have"
            ));
        }
    }
    assert!(problems.is_empty(), "layering:\n{}", problems.join("\n"));
}

#[test]
fn the_allowed_imports_form_no_cycle() {
    let allowed = allowed_imports();
    assert!(
        allowed.len() >= 10,
        "the layer tables were read: {allowed:?}"
    );
    // Depth-first search for a back edge; the path is the cycle to report.
    fn visit<'a>(
        module: &'a str,
        allowed: &'a BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<&'a str>,
        done: &mut BTreeSet<&'a str>,
    ) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|m| *m == module) {
            let mut cycle: Vec<String> = path[at..].iter().map(|m| m.to_string()).collect();
            cycle.push(module.to_string());
            return Some(cycle);
        }
        if done.contains(module) {
            return None;
        }
        path.push(module);
        for next in allowed.get(module).into_iter().flatten() {
            if let Some(cycle) = visit(next, allowed, path, done) {
                return Some(cycle);
            }
        }
        path.pop();
        done.insert(module);
        None
    }
    let mut done = BTreeSet::new();
    for module in allowed.keys() {
        if let Some(cycle) = visit(module, &allowed, &mut Vec::new(), &mut done) {
            panic!("the layer tables allow a cycle: {}", cycle.join(" → "));
        }
    }
}

#[test]
fn the_scanner_reads_grouped_and_nested_paths_and_skips_comments() {
    let found = crate_paths(
        "use crate::{field::plan, study};\nuse crate::{\n    data::{a, b},\n    design,\n};\nlet x = crate::analysis::fit(); // crate::app\n/// see [`crate::jobs`]\n",
    );
    let expected: BTreeSet<String> = ["analysis", "data", "design", "field", "study"]
        .into_iter()
        .map(String::from)
        .collect();
    assert_eq!(found, expected);
}

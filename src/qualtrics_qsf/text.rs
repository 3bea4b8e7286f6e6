//! Question and choice texts: Qualtrics stores HTML; a respondent (and an LLM) reads the text. Piped
//! text `${q://QID5/ChoiceGroup/SelectedChoices}` becomes silico's `{{TAG}}`, `${e://Field/x}`
//! becomes `{{embedded.x}}`; piping silico cannot resolve is left as written and noted.

use std::collections::HashMap;

use super::error::Note;

/// Qualtrics question ids (`QID7`) → the study's question ids (export tags).
pub type Tags = HashMap<String, String>;

/// HTML → plain text: line breaks for `<br>`, `<p>`, `<div>` and list items, other tags dropped,
/// the common entities decoded, runs of blank lines and spaces collapsed.
pub fn html_to_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(start) = rest.find('<') {
        out.push_str(&rest[..start]);
        let Some(end) = rest[start..].find('>') else {
            // A lone "<" is text ("x < 3").
            out.push_str(&rest[start..]);
            rest = "";
            break;
        };
        let tag = rest[start + 1..start + end].trim().to_ascii_lowercase();
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        match name.as_str() {
            "br" | "p" | "div" | "tr" | "ul" | "ol" => out.push('\n'),
            "li" if !tag.starts_with('/') => out.push_str("\n- "),
            _ => {}
        }
        rest = &rest[start + end + 1..];
    }
    out.push_str(rest);
    let decoded = decode_entities(&out);
    tidy_lines(&decoded)
}

fn decode_entities(text: &str) -> String {
    text.replace("&nbsp;", " ")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&rsquo;", "’")
        .replace("&lsquo;", "‘")
        .replace("&ldquo;", "“")
        .replace("&rdquo;", "”")
        .replace("&amp;", "&")
}

/// Trims each line, keeps single blank lines between paragraphs.
fn tidy_lines(text: &str) -> String {
    let mut lines: Vec<String> = Vec::new();
    for line in text.lines() {
        let line = line.split_whitespace().collect::<Vec<_>>().join(" ");
        if line.is_empty() && lines.last().is_none_or(|l: &String| l.is_empty()) {
            continue;
        }
        lines.push(line);
    }
    while lines.last().is_some_and(|l| l.is_empty()) {
        lines.pop();
    }
    lines.join("\n")
}

/// Replaces Qualtrics piping with silico's placeholders; what it cannot resolve is noted.
pub fn convert_piping(text: &str, tags: &Tags, place: &str, notes: &mut Vec<Note>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let Some(end) = rest[start..].find('}') else {
            out.push_str(&rest[start..]);
            rest = "";
            break;
        };
        let inner = &rest[start + 2..start + end];
        match pipe_target(inner, tags) {
            Some(placeholder) => out.push_str(&placeholder),
            None => {
                notes.push(Note::new(
                    place,
                    format!("piped text ${{{inner}}} has no silico equivalent; left as written"),
                ));
                out.push_str(&rest[start..start + end + 1]);
            }
        }
        rest = &rest[start + end + 1..];
    }
    out.push_str(rest);
    out
}

fn pipe_target(inner: &str, tags: &Tags) -> Option<String> {
    if let Some(path) = inner.strip_prefix("q://") {
        // QID5/ChoiceGroup/SelectedChoices, QID5/ChoiceTextEntryValue, QID5/ChoiceNumericEntryValue/1, …
        let qid = path.split('/').next()?;
        let what = path.split('/').nth(1).unwrap_or_default();
        let answers = [
            "ChoiceGroup",
            "ChoiceTextEntryValue",
            "ChoiceNumericEntryValue",
            "SelectedChoicesRecode",
        ];
        if answers.contains(&what) {
            return tags.get(qid).map(|tag| format!("{{{{{tag}}}}}"));
        }
        return None;
    }
    if let Some(field) = inner.strip_prefix("e://Field/") {
        return Some(format!("{{{{embedded.{field}}}}}"));
    }
    None
}

/// silico's placeholders back to Qualtrics piping, for the export: `{{TAG}}` of a question becomes
/// its selected choices (or its text entry), `{{embedded.x}}` the embedded field. `{{persona.x}}`
/// has no Qualtrics meaning and is written as embedded data of that name.
pub fn to_qualtrics_piping(text: &str, qids: &HashMap<String, (String, bool)>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let Some(end) = rest[start..].find("}}") else {
            out.push_str(&rest[start..]);
            rest = "";
            break;
        };
        let name = rest[start + 2..start + end].trim();
        let piped = if let Some(field) = name.strip_prefix("embedded.") {
            Some(format!("${{e://Field/{field}}}"))
        } else if let Some(field) = name.strip_prefix("persona.") {
            Some(format!("${{e://Field/{field}}}"))
        } else {
            qids.get(name).map(|(qid, is_choice)| {
                if *is_choice {
                    format!("${{q://{qid}/ChoiceGroup/SelectedChoices}}")
                } else {
                    format!("${{q://{qid}/ChoiceTextEntryValue}}")
                }
            })
        };
        match piped {
            Some(p) => out.push_str(&p),
            None => out.push_str(&rest[start..start + end + 2]),
        }
        rest = &rest[start + end + 2..];
    }
    out.push_str(rest);
    out
}

/// Plain text → the HTML Qualtrics shows: escaped, line breaks as `<br>`.
pub fn text_to_html(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('\n', "<br>")
}

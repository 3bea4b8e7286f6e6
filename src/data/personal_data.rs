//! Columns that identify people: names, e-mail addresses, phone numbers, IP addresses, street
//! addresses and locations, found by the header and by sampling the cells. They must not reach an LLM
//! endpoint in a persona, so [`default_persona_columns`] leaves them out unless the researcher opts in.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::study::{ColumnValues, ResponseTable};

#[derive(Serialize, Deserialize, JsonSchema, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum PersonalKind {
    Name,
    Email,
    Phone,
    IpAddress,
    StreetAddress,
    Location,
    /// An identifier linking the response to a person outside the survey (panel or external id).
    ExternalId,
}

/// One flagged column and why.
#[derive(Serialize, Deserialize, JsonSchema, Clone, Debug, PartialEq)]
pub struct PersonalDataFlag {
    pub column: String,
    pub kind: PersonalKind,
    /// In words, e.g. `header "RecipientEmail" is Qualtrics' e-mail field` or
    /// `38 of 40 sampled cells look like e-mail addresses`.
    pub reason: String,
}

/// Qualtrics' own columns that hold personal data.
const QUALTRICS_PII: [(&str, PersonalKind); 8] = [
    ("IPAddress", PersonalKind::IpAddress),
    ("RecipientEmail", PersonalKind::Email),
    ("RecipientFirstName", PersonalKind::Name),
    ("RecipientLastName", PersonalKind::Name),
    ("LocationLatitude", PersonalKind::Location),
    ("LocationLongitude", PersonalKind::Location),
    ("ExternalReference", PersonalKind::ExternalId),
    ("ExternalDataReference", PersonalKind::ExternalId),
];

/// Qualtrics' bookkeeping columns: not personal, but no use in a persona either.
const QUALTRICS_HOUSEKEEPING: [&str; 12] = [
    "StartDate",
    "EndDate",
    "Status",
    "Progress",
    "Duration (in seconds)",
    "Finished",
    "RecordedDate",
    "ResponseId",
    "DistributionChannel",
    "UserLanguage",
    "Q_RecaptchaScore",
    "Q_RelevantIDDuplicate",
];

/// Header words (after lower-casing and dropping separators) that announce personal data.
const HEADER_HINTS: [(&str, PersonalKind); 22] = [
    ("email", PersonalKind::Email),
    ("emailaddress", PersonalKind::Email),
    ("mail", PersonalKind::Email),
    ("phone", PersonalKind::Phone),
    ("phonenumber", PersonalKind::Phone),
    ("telephone", PersonalKind::Phone),
    ("mobile", PersonalKind::Phone),
    ("ip", PersonalKind::IpAddress),
    ("ipaddress", PersonalKind::IpAddress),
    ("name", PersonalKind::Name),
    ("fullname", PersonalKind::Name),
    ("firstname", PersonalKind::Name),
    ("lastname", PersonalKind::Name),
    ("surname", PersonalKind::Name),
    ("address", PersonalKind::StreetAddress),
    ("streetaddress", PersonalKind::StreetAddress),
    ("street", PersonalKind::StreetAddress),
    ("postcode", PersonalKind::StreetAddress),
    ("zipcode", PersonalKind::StreetAddress),
    ("latitude", PersonalKind::Location),
    ("longitude", PersonalKind::Location),
    ("gps", PersonalKind::Location),
];

fn normalise(header: &str) -> String {
    header
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// Cells sampled per column: enough for a clear majority, cheap on a million rows.
const SAMPLE: usize = 200;

fn looks_like_email(cell: &str) -> bool {
    let Some((user, domain)) = cell.trim().split_once('@') else {
        return false;
    };
    !user.is_empty()
        && !user.contains(char::is_whitespace)
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains(char::is_whitespace)
}

fn looks_like_ip(cell: &str) -> bool {
    let cell = cell.trim();
    cell.parse::<std::net::Ipv4Addr>().is_ok()
        || (cell.contains(':') && cell.parse::<std::net::Ipv6Addr>().is_ok())
}

fn looks_like_phone(cell: &str) -> bool {
    let cell = cell.trim();
    let digits = cell.chars().filter(char::is_ascii_digit).count();
    let allowed = cell
        .chars()
        .all(|c| c.is_ascii_digit() || " +-().".contains(c));
    // A separator or a leading + / 0 tells a phone number from a plain number such as an id.
    let phone_like =
        cell.starts_with('+') || cell.starts_with('0') || cell.contains(['(', '-', ' ', '.']);
    allowed && phone_like && (7..=15).contains(&digits)
}

const STREET_WORDS: [&str; 20] = [
    "street",
    "st",
    "road",
    "rd",
    "avenue",
    "ave",
    "lane",
    "ln",
    "boulevard",
    "blvd",
    "drive",
    "dr",
    "way",
    "court",
    "ct",
    "place",
    "straße",
    "strasse",
    "weg",
    "rue",
];

fn looks_like_street_address(cell: &str) -> bool {
    let words: Vec<String> = cell
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|w| !w.is_empty())
        .map(|w| w.trim_end_matches('.').to_lowercase())
        .collect();
    let has_number = words
        .iter()
        .any(|w| w.chars().next().is_some_and(|c| c.is_ascii_digit()));
    let has_street = words.iter().any(|w| {
        STREET_WORDS.contains(&w.as_str())
            || STREET_WORDS.iter().any(|s| s.len() > 4 && w.ends_with(s))
    });
    has_number && has_street && words.len() >= 2
}

/// One to three capitalised words of letters: "Maria", "Jean-Luc Picard". On its own this also fits
/// levels like "Male", so a column counts only when most values are distinct (see below).
fn looks_like_name(cell: &str) -> bool {
    let words: Vec<&str> = cell.split_whitespace().collect();
    (1..=3).contains(&words.len())
        && words.iter().all(|w| {
            let mut chars = w.chars();
            chars.next().is_some_and(char::is_uppercase)
                && chars.all(|c| c.is_alphabetic() || c == '-' || c == '\'')
        })
}

fn flag(column: &str, kind: PersonalKind, reason: String) -> PersonalDataFlag {
    PersonalDataFlag {
        column: column.to_string(),
        kind,
        reason,
    }
}

/// A cell test, the kind it detects, and its plural for the reason.
type ContentCheck = (fn(&str) -> bool, PersonalKind, &'static str);

/// Flags the columns that look like personal data, each with its reason.
pub fn detect_personal_data(table: &ResponseTable) -> Vec<PersonalDataFlag> {
    let mut flags = Vec::new();
    for column in &table.columns {
        if let Some((_, kind)) = QUALTRICS_PII.iter().find(|(name, _)| *name == column.name) {
            flags.push(flag(
                &column.name,
                *kind,
                format!("header {:?} is Qualtrics' personal-data field", column.name),
            ));
            continue;
        }
        let header = normalise(&column.name);
        if let Some((_, kind)) = HEADER_HINTS.iter().find(|(hint, _)| *hint == header) {
            flags.push(flag(
                &column.name,
                *kind,
                format!("the header {:?} names personal data", column.name),
            ));
            continue;
        }
        let ColumnValues::Text(values) = &column.values else {
            continue;
        };
        let sample: Vec<&str> = values
            .iter()
            .flatten()
            .map(String::as_str)
            .filter(|s| !s.trim().is_empty())
            .take(SAMPLE)
            .collect();
        if sample.is_empty() {
            continue;
        }
        let count = |test: fn(&str) -> bool| sample.iter().filter(|c| test(c)).count();
        let majority = |n: usize| n * 2 > sample.len();
        let checks: [ContentCheck; 4] = [
            (looks_like_email, PersonalKind::Email, "e-mail addresses"),
            (looks_like_ip, PersonalKind::IpAddress, "IP addresses"),
            (looks_like_phone, PersonalKind::Phone, "phone numbers"),
            (
                looks_like_street_address,
                PersonalKind::StreetAddress,
                "street addresses",
            ),
        ];
        let found = checks.iter().find_map(|(test, kind, what)| {
            let n = count(*test);
            majority(n).then(|| {
                (
                    *kind,
                    format!("{n} of {} sampled cells look like {what}", sample.len()),
                )
            })
        });
        if let Some((kind, reason)) = found {
            flags.push(flag(&column.name, kind, reason));
            continue;
        }
        // Names: mostly name-shaped and mostly distinct (levels and categories repeat; names rarely do).
        let names = count(looks_like_name);
        let distinct: std::collections::HashSet<&&str> = sample.iter().collect();
        if sample.len() >= 10 && majority(names) && distinct.len() * 10 >= sample.len() * 8 {
            flags.push(flag(
                &column.name,
                PersonalKind::Name,
                format!(
                    "{names} of {} sampled cells look like people's names, {} distinct",
                    sample.len(),
                    distinct.len()
                ),
            ));
        }
    }
    flags
}

/// The columns a persona may draw on by default: everything except flagged personal data and
/// Qualtrics' bookkeeping (dates, progress, ids, the conjoint's `F-…` design fields).
pub fn default_persona_columns(table: &ResponseTable, flags: &[PersonalDataFlag]) -> Vec<String> {
    table
        .columns
        .iter()
        .map(|c| c.name.as_str())
        .filter(|name| !flags.iter().any(|f| f.column == *name))
        .filter(|name| !QUALTRICS_HOUSEKEEPING.contains(name))
        .filter(|name| !name.starts_with("F-"))
        .map(str::to_string)
        .collect()
}

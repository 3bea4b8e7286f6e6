//! Turns a file's bytes, arriving in slices of any size, into UTF-8: a UTF-8 byte-order mark is dropped
//! and UTF-16 (Excel's "Unicode text" export, with or without a BOM) is converted. UTF-8 itself is passed
//! through unchecked here: the table reader checks each field, so a stray Latin-1 byte is reported with
//! its row and column instead of as "somewhere in the file".

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The text encoding a file was read in.
#[derive(Serialize, Deserialize, JsonSchema, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum TextEncoding {
    Utf8,
    /// UTF-8 starting with a byte-order mark (Excel's "CSV UTF-8").
    Utf8Bom,
    Utf16Le,
    Utf16Be,
}

/// Until enough bytes arrived to see a byte-order mark, they wait here.
enum State {
    Detecting(Vec<u8>),
    PassThrough,
    Utf16(Box<encoding_rs::Decoder>),
}

pub(crate) struct Utf8Stream {
    state: State,
    encoding: TextEncoding,
}

impl Utf8Stream {
    pub(crate) fn new() -> Self {
        Self {
            state: State::Detecting(Vec::new()),
            encoding: TextEncoding::Utf8,
        }
    }

    /// UTF-8 text after the first bytes: slices can be used as they are, without a copy.
    pub(crate) fn passes_through(&self) -> bool {
        matches!(self.state, State::PassThrough)
    }

    pub(crate) fn encoding(&self) -> TextEncoding {
        self.encoding
    }

    /// Appends the UTF-8 form of `chunk` to `out`.
    pub(crate) fn push(&mut self, chunk: &[u8], out: &mut Vec<u8>) {
        self.convert(chunk, false, out);
    }

    /// Flushes what is held back (a short file, an odd trailing byte).
    pub(crate) fn finish(&mut self, out: &mut Vec<u8>) {
        self.convert(&[], true, out);
    }

    fn convert(&mut self, chunk: &[u8], last: bool, out: &mut Vec<u8>) {
        if let State::Detecting(held) = &mut self.state {
            held.extend_from_slice(chunk);
            // Four bytes tell a BOM, and a BOM-less UTF-16 file by its zero bytes.
            if held.len() < 4 && !last {
                return;
            }
            let held = std::mem::take(held);
            let (encoding, skip) = detect(&held);
            self.encoding = encoding;
            self.state = match encoding {
                TextEncoding::Utf8 | TextEncoding::Utf8Bom => State::PassThrough,
                TextEncoding::Utf16Le => State::Utf16(Box::new(
                    encoding_rs::UTF_16LE.new_decoder_without_bom_handling(),
                )),
                TextEncoding::Utf16Be => State::Utf16(Box::new(
                    encoding_rs::UTF_16BE.new_decoder_without_bom_handling(),
                )),
            };
            return self.convert_known(&held[skip..], last, out);
        }
        self.convert_known(chunk, last, out);
    }

    fn convert_known(&mut self, chunk: &[u8], last: bool, out: &mut Vec<u8>) {
        match &mut self.state {
            State::Detecting(_) => {}
            State::PassThrough => out.extend_from_slice(chunk),
            State::Utf16(decoder) => {
                let mut text = String::new();
                let mut rest = chunk;
                loop {
                    let room = decoder
                        .max_utf8_buffer_length(rest.len())
                        .unwrap_or(rest.len() * 3 + 16);
                    text.reserve(room);
                    let (result, read, _) = decoder.decode_to_string(rest, &mut text, last);
                    rest = &rest[read..];
                    out.extend_from_slice(text.as_bytes());
                    text.clear();
                    if result == encoding_rs::CoderResult::InputEmpty {
                        break;
                    }
                }
            }
        }
    }
}

/// The encoding and the length of its byte-order mark.
fn detect(start: &[u8]) -> (TextEncoding, usize) {
    if start.starts_with(b"\xEF\xBB\xBF") {
        (TextEncoding::Utf8Bom, 3)
    } else if start.starts_with(b"\xFF\xFE") {
        (TextEncoding::Utf16Le, 2)
    } else if start.starts_with(b"\xFE\xFF") {
        (TextEncoding::Utf16Be, 2)
    } else if start.len() >= 4 && start[0] != 0 && start[1] == 0 && start[2] != 0 && start[3] == 0 {
        // "a\0b\0": ASCII header text in UTF-16LE without a BOM.
        (TextEncoding::Utf16Le, 0)
    } else if start.len() >= 4 && start[0] == 0 && start[1] != 0 && start[2] == 0 && start[3] != 0 {
        (TextEncoding::Utf16Be, 0)
    } else {
        (TextEncoding::Utf8, 0)
    }
}

/// Why a field is not UTF-8, in words that tell the researcher what to do.
pub(crate) fn encoding_hint(bytes: &[u8]) -> &'static str {
    let Err(error) = std::str::from_utf8(bytes) else {
        return "";
    };
    // In Latin-1/Windows-1252 an accented letter is one high byte between ASCII ones; in UTF-8 a high
    // byte always comes with continuation bytes (0x80–0xBF) after it. So a high byte followed by ASCII,
    // the end, or another lead byte is the Windows-1252 signature.
    let at = error.valid_up_to();
    let next = bytes.get(at + 1).copied();
    if next.is_none_or(|b| !(0x80..0xC0).contains(&b)) {
        " (looks like Latin-1/Windows-1252; re-save the file as UTF-8)"
    } else {
        " (re-save the file as UTF-8)"
    }
}

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
    Utf16(Utf16Decoder),
}

/// UTF-16 to UTF-8 across slice boundaries: a slice may end inside a code unit (odd byte) or between
/// the two halves of a surrogate pair; both are held for the next slice. Hand-written rather than
/// encoding_rs, whose decoder links every legacy encoding's tables into the page's worker.
struct Utf16Decoder {
    big_endian: bool,
    odd_byte: Option<u8>,
    high_surrogate: Option<u16>,
}

impl Utf16Decoder {
    fn new(big_endian: bool) -> Self {
        Self {
            big_endian,
            odd_byte: None,
            high_surrogate: None,
        }
    }

    fn decode(&mut self, chunk: &[u8], last: bool, out: &mut Vec<u8>) {
        let mut units: Vec<u16> = Vec::with_capacity(chunk.len() / 2 + 2);
        units.extend(self.high_surrogate.take());
        let mut pending = self.odd_byte.take();
        for &byte in chunk {
            match pending.take() {
                None => pending = Some(byte),
                Some(first) => units.push(if self.big_endian {
                    u16::from_be_bytes([first, byte])
                } else {
                    u16::from_le_bytes([first, byte])
                }),
            }
        }
        self.odd_byte = pending;
        if !last && units.last().is_some_and(|u| (0xD800..0xDC00).contains(u)) {
            self.high_surrogate = units.pop();
        }
        let mut buffer = [0u8; 4];
        for decoded in char::decode_utf16(units) {
            let c = decoded.unwrap_or(char::REPLACEMENT_CHARACTER);
            out.extend_from_slice(c.encode_utf8(&mut buffer).as_bytes());
        }
        if last && self.odd_byte.take().is_some() {
            out.extend_from_slice(
                char::REPLACEMENT_CHARACTER
                    .encode_utf8(&mut buffer)
                    .as_bytes(),
            );
        }
    }
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
                TextEncoding::Utf16Le => State::Utf16(Utf16Decoder::new(false)),
                TextEncoding::Utf16Be => State::Utf16(Utf16Decoder::new(true)),
            };
            return self.convert_known(&held[skip..], last, out);
        }
        self.convert_known(chunk, last, out);
    }

    fn convert_known(&mut self, chunk: &[u8], last: bool, out: &mut Vec<u8>) {
        match &mut self.state {
            State::Detecting(_) => {}
            State::PassThrough => out.extend_from_slice(chunk),
            State::Utf16(decoder) => decoder.decode(chunk, last, out),
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

//! Pretty JSON that stays small: objects are indented one field per line (diff-friendly for designs),
//! but the long arrays of numbers and labels in response tables and designs are written on one line.
//! Pretty-printing every cell of a 14,000-row table would triple the file.

use std::io::{self, Write};

use serde_json::ser::{CompactFormatter, Formatter, PrettyFormatter};

/// Keys whose array values are written compactly.
const INLINE_KEYS: &[&str] = &[
    "number",
    "text",
    "profiles",
    "attribute_order",
    "prior_means",
    "prior_sds",
    "weights",
];

pub struct StudyFormatter<'a> {
    pretty: PrettyFormatter<'a>,
    compact: CompactFormatter,
    /// Array depth inside an inlined value; 0 means pretty mode.
    inline_depth: usize,
    in_key: bool,
    last_key: String,
}

impl StudyFormatter<'_> {
    pub fn new() -> Self {
        Self {
            pretty: PrettyFormatter::with_indent(b"  "),
            compact: CompactFormatter,
            inline_depth: 0,
            in_key: false,
            last_key: String::new(),
        }
    }

    fn inline(&self) -> bool {
        self.inline_depth > 0
    }
}

macro_rules! delegate {
    ($($name:ident($($arg:ident: $ty:ty),*);)*) => {
        $(fn $name<W: ?Sized + Write>(&mut self, writer: &mut W $(, $arg: $ty)*) -> io::Result<()> {
            if self.inline() {
                self.compact.$name(writer $(, $arg)*)
            } else {
                self.pretty.$name(writer $(, $arg)*)
            }
        })*
    };
}

impl Formatter for StudyFormatter<'_> {
    fn begin_array<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        if self.inline() || INLINE_KEYS.contains(&self.last_key.as_str()) {
            self.inline_depth += 1;
            self.last_key.clear();
            return self.compact.begin_array(writer);
        }
        self.pretty.begin_array(writer)
    }

    fn end_array<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        if self.inline() {
            self.inline_depth -= 1;
            return self.compact.end_array(writer);
        }
        self.pretty.end_array(writer)
    }

    fn begin_object_key<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.in_key = true;
        self.last_key.clear();
        if self.inline() {
            self.compact.begin_object_key(writer, first)
        } else {
            self.pretty.begin_object_key(writer, first)
        }
    }

    fn end_object_key<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.in_key = false;
        if self.inline() {
            self.compact.end_object_key(writer)
        } else {
            self.pretty.end_object_key(writer)
        }
    }

    fn write_string_fragment<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        if self.in_key {
            self.last_key.push_str(fragment);
        }
        writer.write_all(fragment.as_bytes())
    }

    delegate! {
        begin_array_value(first: bool);
        end_array_value();
        begin_object();
        end_object();
        begin_object_value();
        end_object_value();
    }
}

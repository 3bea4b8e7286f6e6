//! A small reader for Python pickle streams (protocols 2–4), enough for the Conjoint Survey Design
//! Tool's `.sdt` files: strings, numbers, lists, tuples and dicts, several pickles in a row sharing
//! one memo. It builds data only; it never imports or calls anything, so it is safe on untrusted files.
//!
//! Lists and dicts live in an arena and values refer to them by index, so a memo reference to a
//! list sees the items appended after it was memoised, exactly as in Python.

use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PickleError {
    #[error("the file is not a Python pickle (it does not start with a protocol marker)")]
    NotPickle,
    #[error("the file ends in the middle of an object (byte {offset})")]
    Truncated { offset: usize },
    #[error("byte {offset}: pickle instruction 0x{opcode:02x} is not supported by this reader (is this a Conjoint Survey Design Tool file?)")]
    Unsupported { opcode: u8, offset: usize },
    #[error("byte {offset}: the file refers to object {index}, which it never stored")]
    MissingMemo { index: u64, offset: usize },
    #[error("byte {offset}: malformed pickle ({why})")]
    Malformed { offset: usize, why: &'static str },
    #[error("byte {offset}: a string is not valid UTF-8")]
    BadText { offset: usize },
}

/// A decoded value; lists and dicts are indices into the [`Heap`].
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    None,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Bytes(Vec<u8>),
    Tuple(Vec<Value>),
    List(usize),
    Dict(usize),
}

#[derive(Debug, Default, Clone, PartialEq)]
pub struct Heap {
    pub lists: Vec<Vec<Value>>,
    /// Items in insertion order, as Python dicts keep them.
    pub dicts: Vec<Vec<(Value, Value)>>,
}

impl Heap {
    /// The items of a list or tuple.
    pub fn items<'a>(&'a self, value: &'a Value) -> Option<&'a [Value]> {
        match value {
            Value::List(i) => self.lists.get(*i).map(Vec::as_slice),
            Value::Tuple(items) => Some(items),
            _ => None,
        }
    }

    pub fn entries(&self, value: &Value) -> Option<&[(Value, Value)]> {
        match value {
            Value::Dict(i) => self.dicts.get(*i).map(Vec::as_slice),
            _ => None,
        }
    }
}

/// Reads every pickle in `bytes`, one after another, with a shared memo.
pub fn read_all(bytes: &[u8]) -> Result<(Vec<Value>, Heap), PickleError> {
    if bytes.first() != Some(&0x80) {
        return Err(PickleError::NotPickle);
    }
    let mut reader = Reader {
        data: bytes,
        pos: 0,
        memo: BTreeMap::new(),
        heap: Heap::default(),
        stack: Vec::new(),
        marks: Vec::new(),
    };
    let mut objects = Vec::new();
    while reader.pos < bytes.len() {
        objects.push(reader.one()?);
    }
    Ok((objects, reader.heap))
}

struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
    memo: BTreeMap<u64, Value>,
    heap: Heap,
    stack: Vec<Value>,
    marks: Vec<usize>,
}

impl Reader<'_> {
    fn take(&mut self, n: usize) -> Result<&[u8], PickleError> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|&e| e <= self.data.len())
            .ok_or(PickleError::Truncated { offset: self.pos })?;
        let slice = &self.data[self.pos..end];
        self.pos = end;
        Ok(slice)
    }

    fn uint(&mut self, n: usize) -> Result<u64, PickleError> {
        let bytes = self.take(n)?;
        Ok(bytes
            .iter()
            .rev()
            .fold(0u64, |acc, &b| (acc << 8) | u64::from(b)))
    }

    fn text(&mut self, len: u64) -> Result<Value, PickleError> {
        let offset = self.pos;
        let len = usize::try_from(len).map_err(|_| PickleError::Truncated { offset })?;
        let bytes = self.take(len)?;
        let text = std::str::from_utf8(bytes).map_err(|_| PickleError::BadText { offset })?;
        Ok(Value::Str(text.to_string()))
    }

    fn pop(&mut self, at: usize) -> Result<Value, PickleError> {
        if self.marks.last().is_some_and(|&m| self.stack.len() <= m) {
            return Err(PickleError::Malformed {
                offset: at,
                why: "stack underflow at a mark",
            });
        }
        self.stack.pop().ok_or(PickleError::Malformed {
            offset: at,
            why: "stack underflow",
        })
    }

    fn pop_mark(&mut self, at: usize) -> Result<Vec<Value>, PickleError> {
        let mark = self.marks.pop().ok_or(PickleError::Malformed {
            offset: at,
            why: "no mark",
        })?;
        Ok(self.stack.split_off(mark))
    }

    fn top(&self, at: usize) -> Result<&Value, PickleError> {
        self.stack.last().ok_or(PickleError::Malformed {
            offset: at,
            why: "stack underflow",
        })
    }

    fn extend_list(&mut self, items: Vec<Value>, at: usize) -> Result<(), PickleError> {
        match self.top(at)? {
            Value::List(i) => {
                let i = *i;
                self.heap.lists[i].extend(items);
                Ok(())
            }
            _ => Err(PickleError::Malformed {
                offset: at,
                why: "append to a non-list",
            }),
        }
    }

    fn set_items(&mut self, items: Vec<Value>, at: usize) -> Result<(), PickleError> {
        if !items.len().is_multiple_of(2) {
            return Err(PickleError::Malformed {
                offset: at,
                why: "odd number of dict items",
            });
        }
        let Value::Dict(d) = *self.top(at)? else {
            return Err(PickleError::Malformed {
                offset: at,
                why: "set item on a non-dict",
            });
        };
        let mut items = items.into_iter();
        while let (Some(key), Some(value)) = (items.next(), items.next()) {
            let dict = &mut self.heap.dicts[d];
            match dict.iter_mut().find(|(k, _)| *k == key) {
                Some(entry) => entry.1 = value,
                None => dict.push((key, value)),
            }
        }
        Ok(())
    }

    /// Runs one pickle up to its STOP and returns its object.
    fn one(&mut self) -> Result<Value, PickleError> {
        self.stack.clear();
        self.marks.clear();
        loop {
            let at = self.pos;
            let opcode = self.take(1)?[0];
            match opcode {
                0x80 => {
                    let protocol = self.take(1)?[0];
                    if protocol > 5 {
                        return Err(PickleError::Unsupported { opcode, offset: at });
                    }
                }
                0x95 => {
                    self.take(8)?; // FRAME: a length hint only
                }
                b'.' => return self.pop(at),
                b'(' => self.marks.push(self.stack.len()),
                b']' => {
                    self.heap.lists.push(Vec::new());
                    self.stack.push(Value::List(self.heap.lists.len() - 1));
                }
                b'l' => {
                    let items = self.pop_mark(at)?;
                    self.heap.lists.push(items);
                    self.stack.push(Value::List(self.heap.lists.len() - 1));
                }
                b'}' => {
                    self.heap.dicts.push(Vec::new());
                    self.stack.push(Value::Dict(self.heap.dicts.len() - 1));
                }
                b'd' => {
                    let items = self.pop_mark(at)?;
                    self.heap.dicts.push(Vec::new());
                    self.stack.push(Value::Dict(self.heap.dicts.len() - 1));
                    self.set_items(items, at)?;
                }
                b')' => self.stack.push(Value::Tuple(Vec::new())),
                b't' => {
                    let items = self.pop_mark(at)?;
                    self.stack.push(Value::Tuple(items));
                }
                0x85..=0x87 => {
                    let n = usize::from(opcode - 0x84);
                    if self.stack.len() < n + self.marks.last().copied().unwrap_or(0) {
                        return Err(PickleError::Malformed {
                            offset: at,
                            why: "stack underflow",
                        });
                    }
                    let items = self.stack.split_off(self.stack.len() - n);
                    self.stack.push(Value::Tuple(items));
                }
                b'a' => {
                    let item = self.pop(at)?;
                    self.extend_list(vec![item], at)?;
                }
                b'e' => {
                    let items = self.pop_mark(at)?;
                    self.extend_list(items, at)?;
                }
                b's' => {
                    let value = self.pop(at)?;
                    let key = self.pop(at)?;
                    self.set_items(vec![key, value], at)?;
                }
                b'u' => {
                    let items = self.pop_mark(at)?;
                    self.set_items(items, at)?;
                }
                b'X' => {
                    let len = self.uint(4)?;
                    let value = self.text(len)?;
                    self.stack.push(value);
                }
                0x8c => {
                    let len = self.uint(1)?;
                    let value = self.text(len)?;
                    self.stack.push(value);
                }
                0x8d => {
                    let len = self.uint(8)?;
                    let value = self.text(len)?;
                    self.stack.push(value);
                }
                b'C' | b'B' => {
                    let len = self.uint(if opcode == b'C' { 1 } else { 4 })?;
                    let len =
                        usize::try_from(len).map_err(|_| PickleError::Truncated { offset: at })?;
                    let bytes = self.take(len)?.to_vec();
                    self.stack.push(Value::Bytes(bytes));
                }
                b'G' => {
                    let bytes = self.take(8)?;
                    let mut raw = [0u8; 8];
                    raw.copy_from_slice(bytes);
                    self.stack.push(Value::Float(f64::from_be_bytes(raw)));
                }
                b'J' => {
                    let raw = self.uint(4)? as u32 as i32;
                    self.stack.push(Value::Int(i64::from(raw)));
                }
                b'K' => {
                    let raw = self.uint(1)?;
                    self.stack.push(Value::Int(raw as i64));
                }
                b'M' => {
                    let raw = self.uint(2)?;
                    self.stack.push(Value::Int(raw as i64));
                }
                b'N' => self.stack.push(Value::None),
                0x88 => self.stack.push(Value::Bool(true)),
                0x89 => self.stack.push(Value::Bool(false)),
                b'q' | b'r' => {
                    let index = self.uint(if opcode == b'q' { 1 } else { 4 })?;
                    let value = self.top(at)?.clone();
                    self.memo.insert(index, value);
                }
                0x94 => {
                    let value = self.top(at)?.clone();
                    self.memo.insert(self.memo.len() as u64, value);
                }
                b'h' | b'j' => {
                    let index = self.uint(if opcode == b'h' { 1 } else { 4 })?;
                    let value = self
                        .memo
                        .get(&index)
                        .cloned()
                        .ok_or(PickleError::MissingMemo { index, offset: at })?;
                    self.stack.push(value);
                }
                _ => return Err(PickleError::Unsupported { opcode, offset: at }),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_two_pickles_sharing_a_memo() {
        // pickle.Pickler(f, 3) dumping ["a", "b"] then {"a": [0.5]} with one memo.
        let mut bytes = vec![
            0x80, 3, b']', b'q', 0, b'(', b'X', 1, 0, 0, 0, b'a', b'q', 1,
        ];
        bytes.extend([b'X', 1, 0, 0, 0, b'b', b'q', 2, b'e', b'.']);
        bytes.extend([0x80, 3, b'}', b'q', 3, b'h', 1, b']', b'q', 4, b'G']);
        bytes.extend(0.5f64.to_be_bytes());
        bytes.extend([b'a', b's', b'.']);
        let (objects, heap) = read_all(&bytes).unwrap();
        assert_eq!(objects.len(), 2);
        let list = heap.items(&objects[0]).unwrap();
        assert_eq!(list, &[Value::Str("a".into()), Value::Str("b".into())]);
        let entries = heap.entries(&objects[1]).unwrap();
        assert_eq!(entries[0].0, Value::Str("a".into()));
        assert_eq!(heap.items(&entries[0].1).unwrap(), &[Value::Float(0.5)]);
    }

    #[test]
    fn refuses_code_and_truncation() {
        assert_eq!(read_all(b"hello"), Err(PickleError::NotPickle));
        let global = [0x80, 3, b'c', b'o', b's', b'\n'];
        assert!(matches!(
            read_all(&global),
            Err(PickleError::Unsupported { opcode: b'c', .. })
        ));
        assert!(matches!(
            read_all(&[0x80, 3, b'X', 9, 0]),
            Err(PickleError::Truncated { .. })
        ));
    }
}

//! The response cache: successful replies keyed by a hash of the exact request plus the sample
//! index, so a rerun (or a resumed run) never pays for a call twice. The page stores entries in
//! IndexedDB; natively [`FileCache`] appends them to a JSON-lines file.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::providers::http::{is_secret_header, HttpRequest};

/// SHA-256 (hex) of the URL, the non-secret headers, the body and the sample index. The key is
/// left out so changing keys keeps the cache, and the cache never holds anything derived from it.
pub fn cache_key(request: &HttpRequest, sample: u32) -> String {
    let mut hasher = Sha256::new();
    hasher.update(request.url.as_bytes());
    hasher.update([0]);
    let mut headers: Vec<(String, &str)> = request
        .headers
        .iter()
        .filter(|(n, _)| !is_secret_header(n))
        .map(|(n, v)| (n.to_ascii_lowercase(), v.as_str()))
        .collect();
    headers.sort();
    for (name, value) in headers {
        hasher.update(name.as_bytes());
        hasher.update(b":");
        hasher.update(value.as_bytes());
        hasher.update([0]);
    }
    hasher.update(request.body.as_bytes());
    hasher.update([0]);
    hasher.update(sample.to_le_bytes());
    hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A successful reply as stored.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CachedReply {
    pub body: String,
    pub latency_ms: f64,
}

/// Where replies are kept between runs.
pub trait ResponseCache {
    fn get(&self, key: &str) -> Option<CachedReply>;
    /// Stores a reply; a failure to store is reported but does not lose the record.
    fn put(&mut self, key: &str, reply: &CachedReply) -> Result<(), String>;
}

/// An in-memory cache (tests, benchmarks, and the page before IndexedDB is written).
#[derive(Default, Debug)]
pub struct MemoryCache {
    entries: HashMap<String, CachedReply>,
}

impl MemoryCache {
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

impl ResponseCache for MemoryCache {
    fn get(&self, key: &str) -> Option<CachedReply> {
        self.entries.get(key).cloned()
    }

    fn put(&mut self, key: &str, reply: &CachedReply) -> Result<(), String> {
        self.entries.insert(key.to_string(), reply.clone());
        Ok(())
    }
}

/// Caching nothing.
#[derive(Default, Debug)]
pub struct NoCache;

impl ResponseCache for NoCache {
    fn get(&self, _key: &str) -> Option<CachedReply> {
        None
    }

    fn put(&mut self, _key: &str, _reply: &CachedReply) -> Result<(), String> {
        Ok(())
    }
}

#[cfg(not(target_arch = "wasm32"))]
pub use file::FileCache;

#[cfg(not(target_arch = "wasm32"))]
mod file {
    use std::collections::HashMap;
    use std::fs::{File, OpenOptions};
    use std::io::{BufRead, BufReader, Write};
    use std::path::{Path, PathBuf};

    use serde::{Deserialize, Serialize};

    use super::{CachedReply, ResponseCache};

    #[derive(Serialize, Deserialize)]
    struct Line {
        key: String,
        #[serde(flatten)]
        reply: CachedReply,
    }

    /// A JSON-lines file, one entry per line, appended and flushed after every reply so a run
    /// killed at any moment loses at most the line being written (which is skipped on reading).
    #[derive(Debug)]
    pub struct FileCache {
        path: PathBuf,
        entries: HashMap<String, CachedReply>,
        file: File,
    }

    impl FileCache {
        pub fn open(path: &Path) -> Result<Self, String> {
            let shown = path.display();
            let mut entries = HashMap::new();
            if path.exists() {
                let file = File::open(path).map_err(|e| format!("cannot read {shown}: {e}"))?;
                for line in BufReader::new(file).lines() {
                    let Ok(line) = line else { break };
                    if let Ok(entry) = serde_json::from_str::<Line>(&line) {
                        entries.insert(entry.key, entry.reply);
                    }
                }
            }
            let mut file = OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)
                .map_err(|e| format!("cannot write {shown}: {e}"))?;
            // A line cut off by a crash would glue onto the next entry: start on a fresh line.
            if std::fs::metadata(path).map(|m| m.len()).unwrap_or(0) > 0 {
                let ends_with_newline = std::fs::read(path)
                    .ok()
                    .and_then(|b| b.last().copied())
                    .is_some_and(|b| b == b'\n');
                if !ends_with_newline {
                    let _ = file.write_all(b"\n");
                }
            }
            Ok(Self {
                path: path.to_path_buf(),
                entries,
                file,
            })
        }

        pub fn len(&self) -> usize {
            self.entries.len()
        }

        pub fn is_empty(&self) -> bool {
            self.entries.is_empty()
        }

        pub fn path(&self) -> &Path {
            &self.path
        }
    }

    impl ResponseCache for FileCache {
        fn get(&self, key: &str) -> Option<CachedReply> {
            self.entries.get(key).cloned()
        }

        fn put(&mut self, key: &str, reply: &CachedReply) -> Result<(), String> {
            let line = serde_json::to_string(&Line {
                key: key.to_string(),
                reply: reply.clone(),
            })
            .map_err(|e| e.to_string())?;
            self.file
                .write_all(format!("{line}\n").as_bytes())
                .and_then(|()| self.file.flush())
                .map_err(|e| format!("cannot write {}: {e}", self.path.display()))?;
            self.entries.insert(key.to_string(), reply.clone());
            Ok(())
        }
    }
}

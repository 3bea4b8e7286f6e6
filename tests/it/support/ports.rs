//! Ports for the servers tests start. Every test module runs in one process now, many at once, so
//! ports are handed out from one counter (no two tests of this process get the same one) and
//! checked free (another process may hold it); the start depends on the process id so two test
//! runs on one machine search different ranges first.

use std::net::TcpListener;
use std::sync::atomic::{AtomicU16, Ordering};

static NEXT: AtomicU16 = AtomicU16::new(0);

/// A port nothing listened on when asked, never handed out before in this process.
pub fn free_port() -> u16 {
    let base = 18_000 + (std::process::id() % 200) as u16 * 20;
    loop {
        let offset = NEXT.fetch_add(1, Ordering::Relaxed);
        assert!(offset < 8_000, "no free port found in 8,000 tries");
        let port = base + offset;
        if TcpListener::bind(("127.0.0.1", port)).is_ok() {
            return port;
        }
    }
}

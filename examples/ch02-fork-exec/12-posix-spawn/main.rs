// Rust's standard library has no fork() at all. Command is its combined
// "start this program" call (underneath it uses posix_spawn when it can).
use std::process::{self, Command};

fn main() {
    println!("parent pid={}", process::id());
    // ANCHOR: spawn
    let me = process::id().to_string();
    let status = Command::new("ps")
        .args(["--ppid", &me, "-o", "pid= ppid= command="])
        .status()
        .expect("failed to run ps");
    // ANCHOR_END: spawn
    println!("parent: ps exited with {status}");
}

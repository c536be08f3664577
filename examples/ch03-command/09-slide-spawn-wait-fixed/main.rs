// The slide's spawn()/wait() code, corrected: the Child must be mutable,
// and wait() returns a Result that we have to unpack.
use std::process::Command;

fn main() {
    let pid = std::process::id();

    // ANCHOR: fixed
    let mut child = Command::new("ps")
        .args(&["--pid", &pid.to_string(), "-o", "pid= ppid= command="])
        .spawn()
        .expect("Failed to execute subprocess");
    let status = child.wait().expect("Failed to wait for subprocess");
    // ANCHOR_END: fixed
    println!("{}", status);
}

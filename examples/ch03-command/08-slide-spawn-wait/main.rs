// BROKEN ON PURPOSE: the slide's spawn()/wait() code, copied as written
// (only the missing semicolons added). It does not compile: see the page.
use std::process::Command;

fn main() {
    let pid = std::process::id();

    // ANCHOR: slide
    // BROKEN ON PURPOSE: the slide's code as written; it does not compile.
    let child = Command::new("ps")
        .args(&["--pid", &pid.to_string(), "-o", "pid= ppid= command="])
        .spawn()
        .expect("Failed to execute subprocess");
    let status = child.wait();
    // ANCHOR_END: slide
}

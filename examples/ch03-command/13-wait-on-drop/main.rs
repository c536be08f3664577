// Avoiding zombies with a type whose destructor waits.
// std's Child has no such Drop: dropping it neither waits nor kills.
use std::process::{Child, Command};
use std::thread::sleep;
use std::time::Duration;

// ANCHOR: guard
/// Owns a child process and waits for it when dropped.
struct WaitOnDrop(Child);

impl Drop for WaitOnDrop {
    fn drop(&mut self) {
        match self.0.wait() {
            Ok(status) => println!("drop: reaped pid={}: {}", self.0.id(), status),
            Err(e) => println!("drop: wait failed: {}", e),
        }
    }
}
// ANCHOR_END: guard

fn show_children() {
    // Our children, including this ps itself.
    let me = std::process::id().to_string();
    Command::new("ps")
        .args(&["--ppid", &me, "-o", "pid= ppid= stat= command="])
        .status()
        .expect("Failed to execute subprocess");
}

fn main() {
    // ANCHOR: plain
    println!("1. a plain Child, dropped without wait():");
    {
        let child = Command::new("true").spawn().expect("spawn failed");
        println!("spawned pid={}", child.id());
    } // child dropped here: nothing happens
    sleep(Duration::from_millis(300));
    show_children();
    // ANCHOR_END: plain

    // ANCHOR: wrapped
    println!("2. the same child inside WaitOnDrop:");
    {
        let guard = WaitOnDrop(Command::new("true").spawn().expect("spawn failed"));
        println!("spawned pid={}", guard.0.id());
        sleep(Duration::from_millis(300));
    } // guard dropped here: wait() runs
    show_children();
    // ANCHOR_END: wrapped

    // ANCHOR: underscore
    println!("3. `let _ = ...` drops at once, so it waits at once:");
    let _ = WaitOnDrop(Command::new("sleep").arg("0.2").spawn().expect("spawn failed"));
    println!("after the let _ line");
    let _sleeper = WaitOnDrop(Command::new("sleep").arg("0.2").spawn().expect("spawn failed"));
    println!("after the let _sleeper line; main returns next");
    // ANCHOR_END: underscore
}

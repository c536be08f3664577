// spawn(): start the command and return at once with a Child handle.
// The child runs alongside us; we must wait() on it at some point.
use std::process::Command;
use std::thread::sleep;
use std::time::Duration;

fn show_children(parent: u32) {
    // --ppid lists our children (ps itself will be one of them).
    Command::new("ps")
        .args(&["--ppid", &parent.to_string(), "-o", "pid= ppid= stat= command="])
        .status()
        .expect("Failed to execute subprocess");
}

fn main() {
    let pid = std::process::id();

    // ANCHOR: spawn
    let mut child = Command::new("ps")
        .args(&["--pid", &pid.to_string(), "-o", "pid= ppid= command="])
        .spawn()
        .expect("Failed to execute subprocess");
    println!("parent: spawned ps as pid={}, not waiting yet", child.id());
    let status = child.wait().expect("wait failed");
    println!("parent: ps is done: {}", status);
    // ANCHOR_END: spawn

    // ANCHOR: zombie
    // Forget to wait: the child exits, but stays in the process table.
    let mut child = Command::new("true").spawn().expect("Failed to execute subprocess");
    sleep(Duration::from_millis(300)); // plenty of time for `true` to exit
    println!("parent: true (pid={}) has exited, but nobody waited:", child.id());
    show_children(pid);

    child.wait().expect("wait failed");
    println!("parent: after wait():");
    show_children(pid);
    // ANCHOR_END: zombie
}

// Building a Command: the program name plus a list of arguments.
// Nothing runs until we call output(), status() or spawn().
use std::process::Command;

fn main() {
    let pid = std::process::id();

    // ANCHOR: build
    let mut cmd = Command::new("ps");
    cmd.args(&["--pid", &pid.to_string(), "-o", "pid= ppid= command="]);
    // ANCHOR_END: build

    // The builder only records what to run; no process exists yet.
    println!("program: {:?}", cmd.get_program());
    for (i, arg) in cmd.get_args().enumerate() {
        println!("arg {}: {:?}", i + 1, arg);
    }
    println!("debug:   {:?}", cmd);

    // Now run it (the next sections look at the ways of running).
    let status = cmd.status().expect("Failed to execute subprocess");
    println!("ps finished: {}", status);
}

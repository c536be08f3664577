// One high-level call to run another program. Which system calls does it make
// underneath? Nothing here says: the trace of the run below does.
use std::process::Command;

fn main() {
    let status = Command::new("echo")
        .arg("hello from echo")
        .status()
        .expect("failed to run echo");
    println!("Command::status: echo exited with {status}");
}

// BROKEN ON PURPOSE: pre_exec called outside an `unsafe` block.
// See the page for what rustc says.
use std::os::unix::process::CommandExt;
use std::process::Command;

fn main() {
    let mut cmd = Command::new("true");
    cmd.pre_exec(|| Ok(()));
    cmd.status().expect("Failed to execute subprocess");
}

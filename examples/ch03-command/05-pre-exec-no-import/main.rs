// BROKEN ON PURPOSE: pre_exec without `use std::os::unix::process::CommandExt`.
// pre_exec is not a method of Command itself but of a Unix-only extension
// trait, which has to be in scope. See the page for what rustc says.
use std::process::Command;

fn main() {
    let mut cmd = Command::new("true");
    unsafe {
        cmd.pre_exec(|| Ok(()));
    }
    cmd.status().expect("Failed to execute subprocess");
}

// BROKEN ON PURPOSE: `mut` is fixed, but the hook has the signature a
// reader might guess from the slide: a function returning nothing.
// pre_exec wants FnMut() -> io::Result<()>. See the page.
use std::os::unix::process::CommandExt;
use std::process::Command;

// ANCHOR: slide
// BROKEN ON PURPOSE: does not compile; pre_exec's hook must return io::Result<()>.
fn function_to_run() {}

fn main() {
    let mut cmd = Command::new("ls");
    unsafe {
        cmd.pre_exec(function_to_run);
    }
    let mut child = cmd.spawn().expect("Failed to execute subprocess");
    child.wait().expect("Failed to wait for subprocess");
}
// ANCHOR_END: slide

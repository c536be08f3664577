// The slide's pre_exec code, corrected: `mut`, a hook that returns
// io::Result<()>, and a wait() at the end so the child is reaped.
use std::io;
use std::os::unix::process::CommandExt;
use std::process::Command;

// write(2) is async-signal-safe, so the hook may call it (println! may not:
// it takes a lock and can allocate). std links the C library already.
extern "C" {
    fn write(fd: i32, buf: *const u8, count: usize) -> isize;
}

// ANCHOR: fixed
fn function_to_run() -> io::Result<()> {
    let msg = b"hook: running in the child, before exec\n";
    unsafe { write(1, msg.as_ptr(), msg.len()) };
    Ok(())
}

fn main() {
    let mut cmd = Command::new("ls");
    unsafe {
        cmd.pre_exec(function_to_run);
    }
    let mut child = cmd.spawn().expect("Failed to execute subprocess");
    let status = child.wait().expect("Failed to wait for subprocess");
    println!("parent: ls finished: {}", status);
}
// ANCHOR_END: fixed

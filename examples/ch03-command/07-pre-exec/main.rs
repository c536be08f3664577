// pre_exec: run our own code in the child, after fork and before exec.
// It lives in the Unix-only extension trait CommandExt and is unsafe.
use std::io;
use std::os::unix::process::CommandExt;
use std::process::Command;

// std already links the C library; we declare the one function we need
// ourselves so that the example needs no crates.
extern "C" {
    fn setpgid(pid: i32, pgid: i32) -> i32;
}

// ps lists us (the parent) and all our children, ps itself included,
// with their process group ids (pgid).
fn ps_command(parent: u32) -> Command {
    let mut cmd = Command::new("ps");
    cmd.args(&["--pid", &parent.to_string(), "--ppid", &parent.to_string()])
        .args(&["-o", "pid= ppid= pgid= command="]);
    cmd
}

fn main() {
    let pid = std::process::id();

    println!("1. plain spawn: ps stays in our process group");
    ps_command(pid).status().expect("Failed to execute subprocess");

    // ANCHOR: pre_exec
    println!("2. pre_exec calling setpgid(0, 0) in the child");
    let mut cmd = ps_command(pid);
    unsafe {
        // Runs in the forked child. Only async-signal-safe calls belong
        // here: no allocation, no locks, no println!.
        cmd.pre_exec(|| {
            if setpgid(0, 0) == -1 {
                return Err(io::Error::last_os_error());
            }
            Ok(())
        });
    }
    cmd.status().expect("Failed to execute subprocess");
    // ANCHOR_END: pre_exec

    // ANCHOR: process_group
    println!("3. the safe way: CommandExt::process_group(0)");
    ps_command(pid)
        .process_group(0)
        .status()
        .expect("Failed to execute subprocess");
    // ANCHOR_END: process_group

    // ANCHOR: error
    println!("4. an Err from the hook makes spawn fail in the parent");
    let mut cmd = Command::new("true");
    unsafe {
        cmd.pre_exec(|| Err(io::Error::from_raw_os_error(1)));
    }
    match cmd.status() {
        Ok(status) => println!("   unexpectedly ran: {}", status),
        Err(e) => println!("   spawn failed: {}", e),
    }
    // ANCHOR_END: error
}

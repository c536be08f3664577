// BROKEN ON PURPOSE: the slide's pre_exec code, copied as written. The
// slide does not show function_to_run; we give it the signature pre_exec
// asks for, so the only mistake left is the slide's own. See the page.
use std::os::unix::process::CommandExt;
use std::process::Command;

fn function_to_run() -> std::io::Result<()> {
    Ok(())
}

fn main() {
    // ANCHOR: slide
    // BROKEN ON PURPOSE: the slide's code as written; it does not compile.
    let cmd = Command::new("ls");
    unsafe {
        cmd.pre_exec(function_to_run);
    }
    let child = cmd.spawn();
    // ANCHOR_END: slide
}

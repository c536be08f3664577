// The slides' abstraction: let Command make the pipes for a child's stdin and stdout.
use std::io::Write;
use std::process::{Command, Stdio};

fn main() -> std::io::Result<()> {
    let mut child = Command::new("cat")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()?;

    child.stdin.as_mut().unwrap().write_all(b"Hello, world!\n")?;

    // wait_with_output() first drops (closes) our end of the child's stdin,
    // so cat sees EOF; then it reads all of stdout and waits for the exit.
    let output = child.wait_with_output()?;
    println!("status: {}", output.status);
    print!("cat sent back: {}", String::from_utf8_lossy(&output.stdout));
    Ok(())
}

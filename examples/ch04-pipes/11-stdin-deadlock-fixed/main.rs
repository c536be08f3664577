// The deadlock fixed: write stdin on another thread while this one reads stdout.
use std::io::Write;
use std::process::{Command, Stdio};
use std::thread;

fn main() -> std::io::Result<()> {
    let mut child = Command::new("cat")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()?;

    // take() moves the pipe out of `child`; the thread drops it when done,
    // which closes it, which is cat's EOF.
    let mut stdin = child.stdin.take().unwrap();
    let writer = thread::spawn(move || stdin.write_all(&vec![b'x'; 1024 * 1024]));

    let output = child.wait_with_output()?; // reads stdout while the thread writes
    writer.join().unwrap()?;
    println!("status: {}", output.status);
    println!("cat sent back {} bytes", output.stdout.len());
    Ok(())
}

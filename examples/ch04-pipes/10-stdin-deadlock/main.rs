// BROKEN ON PURPOSE: the abstraction still lets you deadlock.
//
// We write 1 MiB to cat's stdin before reading any of its stdout. cat copies
// what it reads to its stdout pipe; once that pipe is full, cat blocks in
// write(), stops reading its stdin, our stdin pipe fills up too, and our
// write_all() blocks forever. Each side waits for the other.
use std::io::Write;
use std::process::{Command, Stdio};

fn main() -> std::io::Result<()> {
    let mut child = Command::new("cat")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()?;

    let data = vec![b'x'; 1024 * 1024];
    println!("writing 1 MiB to cat's stdin...");
    child.stdin.as_mut().unwrap().write_all(&data)?; // blocks for good
    println!("written"); // never reached

    let output = child.wait_with_output()?; // never reached
    println!("cat sent back {} bytes", output.stdout.len());
    Ok(())
}

// BROKEN ON PURPOSE: drop only closes what nobody owns any more.
//
// The Command keeps its Stdio values (our pipe's write ends) until the
// Command itself is dropped. Here it lives to the end of main, so the reader
// waits for an EOF that never comes: the program hangs.
use std::io::{pipe, BufRead, BufReader, Read};
use std::process::Command;

fn main() -> std::io::Result<()> {
    let (reader, writer) = pipe()?;
    let mut command = Command::new("sh");
    command
        .args(["-c", "echo to stdout; echo to stderr >&2"])
        .stdout(writer.try_clone()?)
        .stderr(writer);
    let mut child = command.spawn()?;
    child.wait()?;
    println!("child has exited");

    let mut reader = BufReader::new(reader);
    let mut line = String::new();
    reader.read_line(&mut line)?;
    print!("first line: {line}");
    println!("reading the rest until EOF...");
    let mut rest = String::new();
    reader.read_to_string(&mut rest)?; // hangs: `command` still holds the write ends
    print!("rest: {rest}"); // never reached
    Ok(())
}

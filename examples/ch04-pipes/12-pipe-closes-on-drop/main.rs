// Arbitrary pipes whose ends close themselves: std::io::pipe() (Rust 1.87+),
// the standard library's successor to the os_pipe crate on the slides.
use std::io::{pipe, Read, Write};
use std::process::Command;

/// This process's open descriptors above 2 (stdio) that are pipes.
fn my_pipe_fds() -> Vec<u32> {
    let mut fds: Vec<u32> = std::fs::read_dir("/proc/self/fd")
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| std::fs::read_link(path).is_ok_and(|t| t.to_string_lossy().starts_with("pipe:")))
        .map(|path| path.file_name().unwrap().to_str().unwrap().parse().unwrap())
        .filter(|&fd| fd > 2)
        .collect();
    fds.sort();
    fds
}

fn main() -> std::io::Result<()> {
    // 1. A pipe within this process: the ends are values, closed when dropped.
    {
        let (mut reader, mut writer) = pipe()?;
        println!("inside the block, pipe fds: {:?}", my_pipe_fds());
        writer.write_all(b"hello through the pipe\n")?;
        drop(writer); // closes the write end: the reader will see EOF
        let mut text = String::new();
        reader.read_to_string(&mut text)?;
        print!("read: {text}");
    } // reader dropped here
    println!("after the block, pipe fds: {:?}", my_pipe_fds());

    // 2. One pipe as both stdout and stderr of a child (the os_pipe docs' example).
    let (mut reader, writer) = pipe()?;
    let mut command = Command::new("sh");
    command
        .args(["-c", "echo to stdout; echo to stderr >&2"])
        .stdout(writer.try_clone()?)
        .stderr(writer);
    let mut child = command.spawn()?;
    // `command` still owns both write ends: drop it, or read_to_string never sees EOF.
    drop(command);
    let mut text = String::new();
    reader.read_to_string(&mut text)?;
    child.wait()?;
    print!("child wrote:\n{text}");
    Ok(())
}

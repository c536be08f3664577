// output(): run the command to completion and capture everything it says.
use std::process::Command;

fn main() {
    let pid = std::process::id();

    // ANCHOR: output
    let output = Command::new("ps")
        .args(&["--pid", &pid.to_string(), "-o", "pid= ppid= command="])
        .output()
        .expect("Failed to execute subprocess");
    // ANCHOR_END: output

    // output.stdout and output.stderr are Vec<u8>: raw bytes, not text.
    println!("status: {}", output.status);
    println!("stdout: {:?}", String::from_utf8_lossy(&output.stdout));
    println!("stderr: {:?}", String::from_utf8_lossy(&output.stderr));

    // A failing command is not an Err: the Err case is only for "could not
    // start it at all". A bad option makes ps complain on stderr and exit 1.
    let output = Command::new("ps")
        .args(&["--no-such-option"])
        .output()
        .expect("Failed to execute subprocess");
    println!("status: {}", output.status);
    println!("stdout: {:?}", String::from_utf8_lossy(&output.stdout));
    let stderr = String::from_utf8_lossy(&output.stderr);
    println!("stderr, first line: {:?}", stderr.lines().next().unwrap_or(""));

    // A program that does not exist: now we do get an Err.
    match Command::new("no-such-program").output() {
        Ok(output) => println!("unexpectedly ran: {}", output.status),
        Err(e) => println!("error: {}", e),
    }
}

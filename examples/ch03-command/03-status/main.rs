// status(): run the command, let it write straight to our own stdout and
// stderr (nothing is captured), and get back only its exit status.
use std::process::Command;

fn main() {
    let pid = std::process::id();
    println!("parent: running ps on pid={}", pid);

    // ANCHOR: status
    let status = Command::new("ps")
        .args(&["--pid", &pid.to_string(), "-o", "pid= ppid= command="])
        .status()
        .expect("Failed to execute subprocess");
    // ANCHOR_END: status
    println!("parent: {} (success: {})", status, status.success());

    // The child's complaints reach our stderr too; we only see the number.
    let status = Command::new("ps")
        .arg("--no-such-option")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .expect("Failed to execute subprocess");
    println!("parent: {} (code: {:?})", status, status.code());
}

// Which system call creates the child when Command starts a program?
// Nothing in the API says, so this program asks strace: it runs itself under
// `strace -f` once per way of starting `true`, keeps only the calls that
// create a process, and prints each one's name and flags.
use std::env;
use std::os::unix::process::CommandExt;
use std::process::Command;

const WAYS: [&str; 3] = ["Command::status()", ".current_dir(\"/\")", ".pre_exec(f)"];

fn start(way: &str) {
    let mut cmd = Command::new("true");
    match way {
        ".current_dir(\"/\")" => {
            cmd.current_dir("/");
        }
        ".pre_exec(f)" => unsafe {
            cmd.pre_exec(|| Ok(()));
        },
        _ => {}
    }
    cmd.status().expect("failed to run true");
}

fn main() {
    let args: Vec<String> = env::args().collect();
    if args.len() == 2 {
        return start(&args[1]); // we are the traced run: start a program one way
    }
    let me = env::current_exe().expect("no path to this program");
    for way in WAYS {
        let out = Command::new("strace")
            .args(["-f", "-qq", "-e", "trace=fork,vfork,clone,clone3"])
            .arg(&me)
            .arg(way)
            .output()
            .expect("failed to run strace");
        let log = String::from_utf8_lossy(&out.stderr);
        let mut seen = false;
        for line in log.lines() {
            // strace prefixes calls made by a child with "[pid N] "
            let call = match line.find("] ") {
                Some(i) if line.starts_with("[pid") => &line[i + 2..],
                _ => line,
            };
            let name = call.split('(').next().unwrap_or("");
            if ["fork", "vfork", "clone", "clone3"].contains(&name) {
                seen = true;
                let flags = match call.split("flags=").nth(1) {
                    Some(rest) => rest.split([',', ')', '}']).next().unwrap_or(""),
                    None => "",
                };
                let shown = if flags.is_empty() { String::new() } else { format!(" flags={flags}") };
                println!("{way:22} -> {name}{shown}");
            }
        }
        if !seen {
            println!("{way:22} -> nothing seen; strace said: {}", log.trim());
        }
    }
}

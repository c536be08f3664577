// Rust has no multiprocessing module. Its equivalent of the "spawn" start
// method is the slides' advice: run your own executable again, as a child,
// and tell it through its arguments what to do.
use std::env;
use std::process::Command;

// ANCHOR: worker
fn worker(task: &str) {
    let ppid = std::os::unix::process::parent_id();
    println!("worker: pid={} ppid={} got task {:?}", std::process::id(), ppid, task);
}
// ANCHOR_END: worker

fn main() {
    // ANCHOR: dispatch
    let args: Vec<String> = env::args().collect();
    if args.len() == 3 && args[1] == "--worker" {
        worker(&args[2]);
        return;
    }

    println!("parent: pid={}", std::process::id());
    let me = env::current_exe().expect("no current_exe");
    for task in ["first", "second"] {
        let status = Command::new(&me)
            .args(&["--worker", task])
            .status()
            .expect("Failed to execute subprocess");
        println!("parent: worker for {:?} finished: {}", task, status);
    }
    // ANCHOR_END: dispatch
}

// Rust's stdout is line-buffered even when it is a pipe: println! writes each
// complete line at once, so nothing is waiting in a buffer when we fork.
// The standard library has no fork(); we declare the C library's one.
use std::process;

extern "C" {
    fn fork() -> i32;
    fn waitpid(pid: i32, status: *mut i32, options: i32) -> i32;
}

fn main() {
    println!("before fork: pid={}", process::id());
    let pid = unsafe { fork() };
    let role = if pid == 0 { "0, I am the child" } else { "the child's pid, I am the parent" };
    println!("after fork: pid={} (fork returned {})", process::id(), role);
    if pid > 0 {
        unsafe { waitpid(pid, std::ptr::null_mut(), 0) };
    }
}

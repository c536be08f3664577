fn main() {
    println!("Rust says hello as pid={}", std::process::id());
}

"""Which tools notice the slides' `close(fds[1] == -1)` bug?

Runs the compilers and analysers installed on the build machine over the
broken example (../04-close-bad-value/main.c) and prints what each one said.
Then runs the compiled program under strace, which shows the bad call itself."""
import os
import signal
import subprocess
import time
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parents[2]
SOURCE = "ch04-pipes/04-close-bad-value/main.c"  # relative, so messages stay short

CHECKS = [
    ["gcc", "-Wall", "-Wextra", "-fsyntax-only", SOURCE],
    ["gcc", "-Wall", "-Wextra", "-fanalyzer", "-c", "-o", "/dev/null", SOURCE],
    ["clang", "-Wall", "-Wextra", "-fsyntax-only", SOURCE],
    ["clang", "-Weverything", "-fsyntax-only", SOURCE],
    ["clang", "--analyze", "-o", "/dev/null", SOURCE],
]

for tool in ["gcc", "clang"]:
    version = subprocess.run([tool, "--version"], capture_output=True, text=True)
    print(version.stdout.splitlines()[0])
print()

for command in CHECKS:
    print("$", " ".join(command))
    done = subprocess.run(command, cwd=EXAMPLES, capture_output=True, text=True)
    print(done.stdout + done.stderr or "(no diagnostics)\n")

# At run time the mistake is plain to see: trace the close() calls.
subprocess.run(["cc", "-o", "broken", EXAMPLES / SOURCE], check=True)
print("$ strace -e trace=close ./broken   (killed after 1 second: it hangs)")
tracer = subprocess.Popen(
    ["strace", "-e", "trace=close", "-o", "trace.txt", "./broken"],
    stdout=subprocess.DEVNULL,
    start_new_session=True,  # its own process group, so one killpg stops it all
)
time.sleep(1)
os.killpg(tracer.pid, signal.SIGKILL)
tracer.wait()
for line in Path("trace.txt").read_text().splitlines():
    if line.startswith("close("):
        print(line)

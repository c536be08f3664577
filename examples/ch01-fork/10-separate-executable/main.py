# Instead of forking a copy of ourselves, start a fresh program for the
# concurrent work. Here the "separate executable" is this same file run with
# the argument "worker" (Chrome starts its renderers the same way). The worker
# inherits nothing from our memory: it gets its input as an argument and
# through its stdin pipe, and answers through its stdout pipe.
import subprocess
import sys


def worker(label):
    numbers = [int(line) for line in sys.stdin]
    print(f"{label}: sum of {len(numbers)} numbers is {sum(numbers)}")


def main():
    jobs = {"first": range(1, 101), "second": range(1, 1001)}
    workers = []
    for label, numbers in jobs.items():  # start them all: they run concurrently
        child = subprocess.Popen(
            [sys.executable, __file__, "worker", label],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        workers.append((child, "\n".join(map(str, numbers))))
    for child, data in workers:  # then feed each one and collect its answer
        out, _ = child.communicate(data)
        print(f"worker pid={child.pid} exited with {child.returncode}: {out}", end="")


if __name__ == "__main__":
    if sys.argv[1:2] == ["worker"]:
        worker(sys.argv[2])
    else:
        main()

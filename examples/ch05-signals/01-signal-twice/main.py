"""Install a handler with signal.signal() and raise the signal twice.

Python's signal.signal() is built on sigaction() and keeps the handler
installed, on every platform and whatever mode the interpreter was built in."""
import signal


def handler(signum, frame):
    print("  handler ran")


signal.signal(signal.SIGUSR1, handler)
for i in (1, 2):
    print(f"raise #{i}")
    signal.raise_signal(signal.SIGUSR1)
print("survived both")

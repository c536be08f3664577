"""Where and when does a Python signal handler run?

CPython's real (C-level) handler only records that the signal arrived. The
Python function you registered runs later, in the main thread, when the
interpreter next checks: between bytecodes (and at a few explicit checks
inside C code, such as in blocking calls that return EINTR)."""
import os
import signal
import threading
import time

log = []


def handler(signum, frame):
    log.append((time.monotonic(), threading.current_thread().name))


signal.signal(signal.SIGUSR1, handler)
signal.signal(signal.SIGALRM, handler)

# 1. A signal sent from another thread is handled by the main thread.
worker = threading.Thread(target=lambda: os.kill(os.getpid(), signal.SIGUSR1), name="worker")
worker.start()
worker.join()
print(f"1. signal sent from thread 'worker', handler ran in: {log[-1][1]}")

# 2. A signal that arrives during one long C call waits for the call to end.
start = time.monotonic()
signal.setitimer(signal.ITIMER_REAL, 0.05)  # SIGALRM 0.05 s from now
total = sum(range(30_000_000))  # one call, no bytecodes run inside it
returned = time.monotonic() - start
handled = log[-1][0] - start
print(f"2. signal at 0.05s, during sum(); handler ran at {handled:.2f}s,")
print(f"   sum() returned at {returned:.2f}s; handler waited for sum(): {handled >= 0.9 * returned}")

# 3. A blocking call is different: sleep() is woken up, the handler runs at
#    once, and then the sleep carries on for its remaining time (PEP 475).
start = time.monotonic()
signal.setitimer(signal.ITIMER_REAL, 0.05)
time.sleep(0.5)
handled = log[-1][0] - start
print(f"3. sleep(0.5) with the signal at 0.05s: handler ran at {handled:.2f}s,")
print(f"   sleep returned at {time.monotonic() - start:.2f}s")

# BROKEN ON PURPOSE: this program hangs forever.
# fork() copies the whole memory, including a lock that another thread holds,
# but only the thread that called fork() exists in the child. Nobody in the
# child will ever release that lock.
import os
import threading
import time

lock = threading.Lock()
locked = threading.Event()


def worker():
    with lock:
        locked.set()  # tell main: "I hold the lock now"
        time.sleep(0.5)  # work for 0.5 s with the lock held
    print("parent's worker thread: released", flush=True)


thread = threading.Thread(target=worker)
thread.start()
locked.wait()  # fork exactly while the worker holds the lock

# ANCHOR: fork
pid = os.fork()
if pid == 0:
    print(f"child pid={os.getpid()}: taking the lock...", flush=True)
    lock.acquire()  # held in our copy, and no thread to release it
    print(f"child pid={os.getpid()}: got the lock (never printed)", flush=True)
    os._exit(0)
# ANCHOR_END: fork
thread.join()
with lock:  # the parent's own copy of the lock is free again
    print(f"parent pid={os.getpid()}: got the lock, now waiting for the child...", flush=True)
os.waitpid(pid, 0)  # waits forever: the child is stuck

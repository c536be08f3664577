# HOSTILE ON PURPOSE: tries to write outside its working directory, into the source
# tree, and to undo the sandbox's read-only mounts. Usage: write_outside.py TOKEN DIR...
# Every file it manages to create is called hostile-TOKEN; it prints what happened.
import ctypes
import os
import sys

token, targets = sys.argv[1], sys.argv[2:]
libc = ctypes.CDLL(None, use_errno=True)


def attempt(label, action):
    try:
        result = action()
        print(f"{label}: ok{'' if result in (None, 0) else f' ({result})'}")
    except OSError as err:
        print(f"{label}: {err.strerror}")


def write(directory):
    with open(os.path.join(directory, f"hostile-{token}"), "w") as f:
        f.write(token)


def syscall(name, *args):
    if getattr(libc, name)(*args) != 0:
        err = ctypes.get_errno()
        raise OSError(err, os.strerror(err))


for target in [*targets, os.path.expanduser("~"), "/tmp", "/var/tmp", "/dev/shm", "/etc", "/root", "/usr/local"]:
    attempt(f"write {target}", lambda t=target: write(t))
for target in targets:
    attempt(f"umount {target}", lambda t=target: syscall("umount2", t.encode(), 2))
attempt("remount / read-write", lambda: syscall("mount", None, b"/", None, 0x20 | 0x1000, None))
attempt("mount a tmpfs", lambda: syscall("mount", b"x", b"/mnt", b"tmpfs", 0, None))
attempt("chroot /", lambda: syscall("chroot", b"/"))
attempt("mknod /dev/sda", lambda: os.mknod("/dev/hostile-disk", 0o600 | 0o060000, os.makedev(8, 0)))

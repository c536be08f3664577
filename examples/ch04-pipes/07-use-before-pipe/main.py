"""BROKEN ON PURPOSE: use-before-pipe, in Python.

Python has no uninitialised variables: a name that was never assigned does
not hold leftover garbage, so using it raises an exception instead of
writing somewhere random."""
import os


def send_secret(make_pipe: bool) -> None:
    if make_pipe:
        r, w = os.pipe()
    print(f"send_secret(make_pipe={make_pipe}): writing", flush=True)
    os.write(w, b"the secret, meant for a pipe\n")


send_secret(make_pipe=True)
send_secret(make_pipe=False)  # <- the forgotten pipe: w was never assigned

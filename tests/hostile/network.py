# HOSTILE ON PURPOSE: connects to a listener on the host's loopback, and to the outside.
# Usage: network.py PORT
import socket
import sys

port = int(sys.argv[1])
for host, p in (("127.0.0.1", port), ("10.0.0.1", 80), ("1.1.1.1", 53)):
    try:
        with socket.create_connection((host, p), timeout=1) as s:
            s.sendall(b"hostile says hello\n")
            print(f"{host}:{p}: connected")
    except OSError as err:
        print(f"{host}:{p}: {err.strerror or err}")
try:
    print("dns:", socket.gethostbyname("example.com"))
except OSError as err:
    print("dns:", err)

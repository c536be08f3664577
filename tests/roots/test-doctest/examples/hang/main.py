import os

r, w = os.pipe()
print("reading until EOF", flush=True)
os.read(r, 1)  # the write end is still open in this very process: waits forever

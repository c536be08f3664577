import time

print("\x1b[1m<b>&", time.time_ns())

import time

print("<b>&", time.time_ns())

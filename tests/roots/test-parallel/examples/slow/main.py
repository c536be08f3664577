import sys
import time

start = time.time()
time.sleep(0.5)
print(f"{sys.argv[1]} start={start:.3f} end={time.time():.3f}")

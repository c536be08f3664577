import time

print(f"hang start={time.time():.3f}", flush=True)
time.sleep(60)

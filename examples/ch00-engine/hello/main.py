import os
print("hello from python", os.getpid())

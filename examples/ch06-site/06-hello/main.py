import os
import sys

print(f"Python {sys.version_info.major}.{sys.version_info.minor} says hello as pid={os.getpid()}")

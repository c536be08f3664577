import os
import sys

print(os.environ.get("GREETING", "hello"), sys.argv[1:])

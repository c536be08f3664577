import os
import sys
print(sorted(os.environ))
print(repr(sys.stdin.read()))

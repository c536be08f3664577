import sys

for n in range(3):
    print(f"{sys.argv[1]} {n}")

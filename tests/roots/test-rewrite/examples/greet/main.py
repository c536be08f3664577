import sys

# ANCHOR: body
print("hello from greet")
# ANCHOR_END: body
sys.exit(0)

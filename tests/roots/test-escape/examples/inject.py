import sys
print("<script>alert('owned')</script>")
print("\x1b[31mred\x1b[0m and a bell\x07")
sys.stdout.flush()
sys.stdout.buffer.write(b"invalid utf-8: \xff\xfe\n")

print("lines")

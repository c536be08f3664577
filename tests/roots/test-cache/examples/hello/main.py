print("hello from the cache root")

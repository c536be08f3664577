print("exiting with 3")
raise SystemExit(3)

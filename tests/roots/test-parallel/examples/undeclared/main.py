print("this fails without saying so")
raise SystemExit(1)

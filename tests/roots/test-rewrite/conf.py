extensions = ["myst_parser", "snippets"]
snippets_timeout = 5

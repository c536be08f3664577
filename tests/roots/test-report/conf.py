extensions = ["myst_parser", "snippets"]

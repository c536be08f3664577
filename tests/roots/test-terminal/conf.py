extensions = ["myst_parser", "snippets"]
today = "1 January 2000"  # man, LaTeX and Texinfo print the date: two builds must write the same bytes

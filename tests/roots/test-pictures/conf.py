extensions = ["myst_parser", "snippets"]
snippets_timeout = 2
graphviz_output_format = "svg"

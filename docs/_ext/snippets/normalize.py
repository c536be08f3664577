"""Readable placeholders for what changes from run to run (PIDs, addresses, timings, temp paths)."""

from __future__ import annotations

import re

#: name -> (pattern, replacement). Applied in this order, only when an example asks for them
#: (`:normalize: pids`) or always (`tmp`, see ALWAYS).
BUILTIN: dict[str, tuple[str, str]] = {
    "tmp": (r"/tmp/snippets-[A-Za-z0-9_]+", "<tmp>"),
    "addresses": (r"\b0x[0-9a-fA-F]{6,16}\b", "<addr>"),
    "pids": (r"(?i)(\bp?pid\b[=: ]\s*|\bpid\s+|\bprocess\s+)\d+", r"\1<pid>"),
    "timings": (r"\b\d+(?:\.\d+)?\s?(?:ns|us|µs|ms|s)\b", "<time>"),
}
ALWAYS = ("tmp",)


class NormalizerError(ValueError):
    """An unknown normaliser name; the message lists the known ones."""


def known(extra: tuple[tuple[str, str, str], ...] = ()) -> list[str]:
    """All normaliser names, built-in and from conf.py."""
    return sorted(set(BUILTIN) | {name for name, _, _ in extra})


def check_names(names: tuple[str, ...], extra: tuple[tuple[str, str, str], ...] = ()) -> None:
    """Raise NormalizerError for a name nobody defined."""
    unknown = [n for n in names if n not in known(extra)]
    if unknown:
        raise NormalizerError(f"unknown normaliser {', '.join(unknown)}; known: {', '.join(known(extra))} "
                              "(add your own in conf.py: snippets_normalizers = {'name': [regex, replacement]})")


def normalize(text: str, names: tuple[str, ...], extra: tuple[tuple[str, str, str], ...] = ()) -> str:
    """Apply the always-on normalisers and the named ones, in a fixed order."""
    table = dict(BUILTIN)
    table.update({name: (pattern, repl) for name, pattern, repl in extra})
    for name in (*ALWAYS, *sorted(set(names) - set(ALWAYS))):
        pattern, repl = table[name]
        text = re.sub(pattern, repl, text)
    return text

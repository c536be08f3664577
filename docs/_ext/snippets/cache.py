"""Execution results on disk, one JSON file per key, written atomically (no Sphinx)."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from .outcome import Execution

#: Bump when the stored layout changes; entries with another stamp are misses.
FORMAT = 1


class CorruptEntry(Exception):
    """An entry exists but cannot be read; the caller warns and treats it as a miss."""


def make_key(parts: dict[str, Any]) -> str:
    """Hash everything that can change an output (and nothing else), after normalising it."""
    blob = json.dumps(parts, sort_keys=True, ensure_ascii=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()


def normalise_code(code: str) -> str:
    """Line endings and trailing blanks do not change what a program does."""
    lines = [line.rstrip() for line in code.replace("\r\n", "\n").split("\n")]
    return "\n".join(lines).strip("\n") + "\n"


class Cache:
    """A folder of `<key[:2]>/<key>.json` files."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, key: str) -> Path:
        """Where an entry lives."""
        return self.root / key[:2] / f"{key}.json"

    def get(self, key: str) -> Execution | None:
        """The stored execution, None on a miss; raises CorruptEntry for a damaged file."""
        path = self.path(key)
        try:
            raw = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        except OSError as err:
            raise CorruptEntry(f"{path}: {err}") from err
        try:
            data = json.loads(raw)
            if data.get("format") != FORMAT:
                return None
            if data.get("key") != key:
                raise CorruptEntry(f"{path}: entry is for another key")
            return Execution.from_json(data["execution"])
        except (ValueError, KeyError, TypeError, AttributeError) as err:
            raise CorruptEntry(f"{path}: {err.__class__.__name__}: {err}") from err

    def put(self, key: str, execution: Execution) -> None:
        """Store an entry; readers never see half a file (write_atomically)."""
        data = {"format": FORMAT, "key": key, "execution": execution.to_json()}
        # dumps, not dump: only the one-shot encoder is the C one (dump to a file runs the
        # pure-Python encoder, about 1 ms per entry, in the pool's threads).
        write_atomically(self.path(key), json.dumps(data, ensure_ascii=False))


def write_atomically(path: Path, text: str) -> None:
    """Write to a temporary file beside path, then rename it into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem[:8]}-", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise

"""Warning subtypes of the `snippets` extension and one helper that logs them with a location."""

from __future__ import annotations

from enum import Enum
from typing import TYPE_CHECKING, Any

from sphinx.util import logging

if TYPE_CHECKING:
    from docutils import nodes

logger = logging.getLogger("snippets")


class Subtype(str, Enum):
    """`suppress_warnings = ['snippets.<value>']` silences one kind."""

    TIMEOUT = "timeout"
    EXIT_STATUS = "exit-status"
    COMPILE = "compile"
    MISMATCH = "mismatch"
    CACHE = "cache"
    CONFIG = "config"
    OPTION = "option"
    MISSING_FILE = "missing-file"
    TOOLCHAIN = "toolchain"
    ISOLATION = "isolation"
    LEFTOVER = "leftover"
    RACE = "race"


def warn(message: str, subtype: Subtype, location: nodes.Node | tuple[str, int | None] | str | None,
         **kwargs: Any) -> None:
    """Log one warning of type `snippets.<subtype>` pointing at the page line."""
    logger.warning(message, type="snippets", subtype=subtype.value, location=location, **kwargs)

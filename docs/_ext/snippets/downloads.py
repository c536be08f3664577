"""Download links: one under every example taken from a file, and one zip archive of all examples."""

from __future__ import annotations

import os
import stat
import tempfile
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING

from docutils import nodes
from sphinx import addnodes
from sphinx.util import logging

from .nodes import snippet_result

if TYPE_CHECKING:
    from sphinx.application import Sphinx

logger = logging.getLogger(__name__)

#: Where the archive lands, relative to the HTML output folder (next to Sphinx's own downloads).
ARCHIVE = "_downloads/examples.zip"
#: The folder every path inside the archive starts with, so unzipping makes one folder.
ARCHIVE_ROOT = "examples"
#: Sphinx's DownloadFileCollector reads download_reference nodes at doctree-read, priority 500;
#: ours must be in the doctree before it looks.
BEFORE_DOWNLOAD_COLLECTOR = 400
_SKIP_PARTS = {"__pycache__", "target"}


def add_download_links(app: Sphinx, doctree: nodes.document) -> None:
    """doctree-read: a 'Download examples/…/main.c' link under each listing that comes from a file.

    The link is an ordinary download_reference, so Sphinx records the file in env.dlfiles (merged
    from parallel readers by its own collector) and copies it to _downloads/ at write time.
    """
    root = Path(app.confdir).resolve()
    doc_dir = Path(app.env.doc2path(app.env.docname)).parent
    for node in doctree.findall(snippet_result):
        file = node.get("report", {}).get("file")
        if not file:
            continue
        target = Path(os.path.relpath(root / file, doc_dir)).as_posix()
        link = addnodes.download_reference("", "", reftarget=target, refdoc=app.env.docname,
                                           refexplicit=True, refwarn=True)
        link += nodes.Text("Download ")
        link += nodes.literal(file, file)
        para = nodes.paragraph("", "", link, classes=["snippet-download"])
        code = [i for i, child in enumerate(node.children)
                if isinstance(child, nodes.container) and "snippet-code" in child["classes"]]
        node.insert(code[0] + 1 if code else 0, para)


def archive_members(examples: Path) -> list[Path]:
    """Every file a student needs from the examples folder, in a stable order."""
    members = []
    for path in sorted(examples.rglob("*")):
        rel = path.relative_to(examples)
        if any(part.startswith(".") or part in _SKIP_PARTS for part in rel.parts):
            continue
        if path.is_file() and not path.is_symlink() and path.suffix != ".pyc":
            members.append(path)
    return members


def write_archive(examples: Path, dest: Path) -> int:
    """Zip the examples folder into dest, atomically and byte-for-byte reproducibly; returns the file count."""
    members = archive_members(examples)
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=".examples-", suffix=".zip")
    try:
        with os.fdopen(fd, "wb") as raw, zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in members:
                info = zipfile.ZipInfo(f"{ARCHIVE_ROOT}/{path.relative_to(examples).as_posix()}",
                                       date_time=(1980, 1, 1, 0, 0, 0))
                info.external_attr = (stat.S_IFREG | 0o644) << 16
                info.compress_type = zipfile.ZIP_DEFLATED
                archive.writestr(info, path.read_bytes())
        os.replace(tmp, dest)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return len(members)


def write_examples_archive(app: Sphinx, exception: Exception | None) -> None:
    """build-finished: zip every example into the HTML output (once, in the main process)."""
    if exception is not None or app.builder.format != "html":
        return
    examples = Path(app.confdir, app.config.snippets_examples_dir).resolve()
    count = write_archive(examples, Path(app.outdir) / ARCHIVE)
    logger.info("snippets: %d example files zipped into %s", count, ARCHIVE)


def register(app: Sphinx) -> None:
    """Connect the handlers, in the order Sphinx fires them."""
    app.connect("doctree-read", add_download_links, priority=BEFORE_DOWNLOAD_COLLECTOR)
    app.connect("build-finished", write_examples_archive)

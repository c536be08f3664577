"""Download links: one under every example taken from a file, and one zip archive of all examples.

The files are published by this module, not by Sphinx's own download mechanism: Sphinx compares
every download file with its copy on every build, even one that rebuilt nothing (about 50 ms
for this site's listings, most of a no-op build's extra time). Here the examples folder is
mirrored into `_downloads/examples/` by size and modification time, and the archive is rewritten
only when the contents it records in its comment changed. What the mirror holds is remembered in
a hidden file inside it (MANIFEST), so a build reads one small file instead of walking the
mirror too.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import posixpath
import shutil
import stat
import tempfile
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from docutils import nodes
from sphinx import addnodes
from sphinx.util import logging

from .cache import write_atomically
from .nodes import snippet_result

if TYPE_CHECKING:
    from collections.abc import Collection, Iterable
    from concurrent.futures import Executor, Future

    from sphinx.application import Sphinx

logger = logging.getLogger(__name__)

#: Where the archive lands, relative to the HTML output folder (next to Sphinx's own downloads).
ARCHIVE = "_downloads/examples.zip"
#: The name of the publishing job among the pool's background work (Engine.background).
PUBLISHING = "publish examples"
#: The folder every path inside the archive starts with, so unzipping makes one folder.
ARCHIVE_ROOT = "examples"
#: How the archive's comment (its fingerprint, see _fingerprint) begins.
FINGERPRINT_PREFIX = b"snippets-examples "
#: Where each example file is published, relative to the HTML output folder.
MIRROR = "_downloads/examples"
#: Inside the mirror: what publish() copied there, relative path -> [size, mtime in ns]. Hidden
#: (example_files() skips it), and deleted with the mirror, which is then walked instead.
MANIFEST = ".published.json"
#: Sphinx's DownloadFileCollector copies every download_reference it sees at doctree-read,
#: priority 500; ours come after it, with their URI already set, so it leaves them to us.
AFTER_DOWNLOAD_COLLECTOR = 600
_SKIP_PARTS = {"__pycache__", "target"}


def add_download_links(app: Sphinx, doctree: nodes.document) -> None:
    """doctree-read: a 'Download examples/…/main.c' link under each listing that comes from a file.

    The link is a download_reference (rendered like Sphinx's own: `<a class="reference download"
    download>`) whose URI points into the mirror that publish_examples() keeps.
    """
    if app.builder.format != "html":
        return
    page_dir = posixpath.dirname(app.builder.get_target_uri(app.env.docname))
    for node in doctree.findall(snippet_result):
        file = node.get("report", {}).get("file")
        if not file:
            continue
        # `file` starts with the examples folder's own name; the mirror holds what is inside it.
        inside = "/".join(Path(file).parts[1:])
        target = posixpath.relpath(f"{MIRROR}/{inside}", page_dir or ".")
        link = addnodes.download_reference("", "", reftarget=target, refuri=target, refdoc=app.env.docname,
                                           refexplicit=True)
        link += nodes.Text("Download ")
        link += nodes.literal(file, file)
        para = nodes.paragraph("", "", link, classes=["snippet-download"])
        code = [i for i, child in enumerate(node.children)
                if isinstance(child, nodes.container) and "snippet-code" in child["classes"]]
        node.insert(code[0] + 1 if code else 0, para)


def example_files(root: Path) -> dict[str, os.stat_result]:
    """Relative POSIX path -> stat of every file a student needs under root, sorted.

    Hidden files, build leftovers (__pycache__, target/, *.pyc) and symlinks are left out.
    One scandir walk on plain strings: this runs on every build, including those that change
    nothing (120 example files: 0.8 ms, against 1.4 ms when it joined pathlib paths).
    """
    found: dict[str, os.stat_result] = {}
    pending = [(os.fspath(root), "")]
    while pending:
        folder, prefix = pending.pop()
        try:
            entries = os.scandir(folder)
        except (FileNotFoundError, NotADirectoryError):
            continue
        with entries:
            for entry in entries:
                if entry.name.startswith(".") or entry.name in _SKIP_PARTS:
                    continue
                rel = prefix + entry.name
                if entry.is_dir(follow_symlinks=False):
                    pending.append((entry.path, rel + "/"))
                elif entry.is_file(follow_symlinks=False) and not entry.name.endswith(".pyc"):
                    found[rel] = entry.stat(follow_symlinks=False)
    return dict(sorted(found.items()))


def _contents(examples: Path, members: Iterable[str], known: dict[str, bytes]) -> dict[str, bytes]:
    """Every member's bytes, read once for both the fingerprint and the archive; those in
    `known` (taken from the previous archive) are not read from disk again."""
    base = str(examples)
    contents = {}
    for rel in members:
        data = known.get(rel)
        if data is None:
            with open(os.path.join(base, rel), "rb") as file:
                data = file.read()
        contents[rel] = data
    return contents


def _archived_members(dest: Path, wanted: Collection[str]) -> dict[str, bytes]:
    """These members' bytes as the archive at dest holds them, from one read of that file.

    publish() asks for the members the mirror's manifest says are unchanged: on an edit that is
    every file but one, and opening each again cost about seven system calls per file, in a
    pool thread that has to win the GIL back from Sphinx after each one. An archive that is
    missing, not written by write_archive() or damaged (zipfile checks each member's CRC) gives
    nothing, and the files are read instead.
    """
    if not wanted:
        return {}
    try:
        with zipfile.ZipFile(io.BytesIO(dest.read_bytes())) as archive:
            if not archive.comment.startswith(FINGERPRINT_PREFIX):
                return {}
            names = set(archive.namelist())
            return {rel: archive.read(f"{ARCHIVE_ROOT}/{rel}") for rel in wanted if f"{ARCHIVE_ROOT}/{rel}" in names}
    except (OSError, ValueError, zipfile.BadZipFile):
        return {}


def _fingerprint(contents: dict[str, bytes]) -> bytes:
    """A hash of every member's name and bytes: the archive's comment, so an unchanged one is kept."""
    digest = hashlib.sha256()
    for rel, data in contents.items():
        digest.update(rel.encode() + b"\0")
        digest.update(hashlib.sha256(data).digest())
    return FINGERPRINT_PREFIX + digest.hexdigest().encode()


def _archived(dest: Path, fingerprint: bytes) -> bool:
    """Does dest already hold exactly these contents?

    The archive is written only here, with its fingerprint as the zip comment, which is the
    file's last bytes; reading them is enough (0.01 ms, against 0.4 ms for opening the archive
    with zipfile, which parses its whole central directory).
    """
    try:
        with open(dest, "rb") as file:
            file.seek(-len(fingerprint), os.SEEK_END)
            return file.read() == fingerprint
    except OSError:  # missing, or shorter than a fingerprint
        return False


def write_archive(examples: Path, dest: Path, members: Iterable[str] | None = None,
                  unchanged: Collection[str] = ()) -> bool:
    """Zip the examples folder into dest, atomically and byte-for-byte reproducibly.

    Returns whether the file was written: an archive whose comment already names these exact
    contents is left alone. `unchanged`: members whose bytes the current archive may supply
    (see _archived_members). Members are stored, not deflated: every edit rewrites the archive
    in a pool thread beside Sphinx's writing, and deflating was most of that work (this site's
    216 files: 7.9 ms deflated, 2.0 ms stored, medians of 30; the archive grows from 109 to
    181 KB). The archive is put together in memory and written with one call: written member
    by member, zipfile made about ten system calls per member (seeks, headers, data).
    """
    names = example_files(examples) if members is None else members
    contents = _contents(examples, names, _archived_members(dest, unchanged))
    fingerprint = _fingerprint(contents)
    if _archived(dest, fingerprint):
        return False
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        archive.comment = fingerprint
        for rel, data in contents.items():
            info = zipfile.ZipInfo(f"{ARCHIVE_ROOT}/{rel}", date_time=(1980, 1, 1, 0, 0, 0))
            info.external_attr = (stat.S_IFREG | 0o644) << 16
            info.compress_type = zipfile.ZIP_STORED
            archive.writestr(info, data)
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=".examples-", suffix=".zip")
    try:
        with os.fdopen(fd, "wb") as raw:
            raw.write(buffer.getbuffer())
        os.replace(tmp, dest)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return True


def publish(examples: Path, outdir: Path, members: dict[str, os.stat_result] | None = None) -> tuple[int, int, bool]:
    """Mirror the examples into outdir/MIRROR and zip them into outdir/ARCHIVE.

    A file is copied when its size or modification time differs from what the mirror's manifest
    records (copy2 keeps both); the archive is looked at only when the mirror was out of date
    (or the archive is missing), and rewritten only when its contents changed. The archive goes
    first and the manifest last: a build stopped half-way leaves the manifest out of date, so
    the next build looks again. `members`: example_files(examples), walked by the caller in
    this build. Returns (copied, removed, zipped).
    """
    if members is None:
        members = example_files(examples)
    mirror = outdir / MIRROR
    published, recorded = _published(mirror)
    wanted = {rel: (stat.st_size, stat.st_mtime_ns) for rel, stat in members.items()}
    copy = [rel for rel, want in wanted.items() if published.get(rel) != want]
    stale = [rel for rel in published if rel not in wanted]
    archive = outdir / ARCHIVE
    unchanged = [rel for rel, want in wanted.items() if published.get(rel) == want] if recorded else []
    zipped = (write_archive(examples, archive, members, unchanged)
              if copy or stale or not archive.exists() else False)
    for rel in copy:
        (mirror / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(examples / rel, mirror / rel)
    for rel in stale:
        (mirror / rel).unlink(missing_ok=True)
        with contextlib.suppress(OSError):  # the folder, if that was its last file
            (mirror / rel).parent.rmdir()
    if copy or stale or not recorded:
        write_atomically(mirror / MANIFEST, json.dumps(wanted, separators=(",", ":")))
    return len(copy), len(stale), zipped


def _published(mirror: Path) -> tuple[dict[str, tuple[int, int]], bool]:
    """What the mirror holds, relative path -> (size, mtime in ns), and whether its manifest said
    so (0.1 ms for 120 files); without a readable manifest, the mirror is walked (1-2 ms)."""
    try:
        recorded = json.loads((mirror / MANIFEST).read_text(encoding="utf-8"))
        return {str(rel): (int(size), int(mtime)) for rel, (size, mtime) in recorded.items()}, True
    except (OSError, ValueError, TypeError, AttributeError):
        return {rel: (stat.st_size, stat.st_mtime_ns) for rel, stat in example_files(mirror).items()}, False


def _sources_and_output(app: Sphinx) -> tuple[Path, Path] | None:
    """(examples folder, HTML output folder), or None when this builder publishes no HTML."""
    if app.builder.format != "html":
        return None
    return Path(app.confdir, app.config.snippets_examples_dir).resolve(), Path(app.outdir)


def publish_later(app: Sphinx, background: dict[str, Future[Any]], pool: Executor) -> None:
    """Start publish() in the pool's thread; publish_examples() takes its result at build-finished.

    Called only while the pages are read and written in this process (examples are running),
    so no reader or writer is forked while the thread copies files.
    """
    where = _sources_and_output(app)
    if where is not None:
        # Walked here, in the main thread (1-2 ms): in the pool's thread each of the walk's
        # several hundred system calls would first have to win the GIL back from Sphinx.
        background[PUBLISHING] = pool.submit(publish, *where, example_files(where[0]))


def publish_examples(app: Sphinx, exception: Exception | None) -> None:
    """build-finished: the example files and their zip into the HTML output, once per build.

    Published here, or taken from the pool's thread that publish_later() started.
    """
    engine = getattr(app.env, "snippets_engine", None)
    started = engine.background.pop(PUBLISHING, None) if engine is not None else None
    where = _sources_and_output(app)
    if exception is not None or where is None:
        if started is not None:  # the build failed: wait for the thread, keep nothing of it
            with contextlib.suppress(Exception):
                started.result()
        return
    copied, removed, zipped = started.result() if started is not None else publish(*where)
    if copied or removed or zipped:
        logger.info("snippets: examples published in %s (%d copied, %d removed)%s", MIRROR, copied, removed,
                    f" and zipped into {ARCHIVE}" if zipped else "")


def register(app: Sphinx) -> None:
    """Connect the handlers, in the order Sphinx fires them."""
    app.connect("doctree-read", add_download_links, priority=AFTER_DOWNLOAD_COLLECTOR)
    app.connect("build-finished", publish_examples)

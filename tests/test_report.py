"""The execution report page and the download links, serially and with parallel readers."""

from __future__ import annotations

import re
import zipfile
from html import unescape
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from conftest import need

if TYPE_CHECKING:
    import os

    from sphinx.testing.util import SphinxTestApp


def rows(app: SphinxTestApp) -> list[str]:
    html = (app.outdir / "index.html").read_text(encoding="utf-8")
    body = html[html.index("<tbody"):html.index("</tbody>")]
    return [re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", row))).strip()
            for row in re.findall(r"<tr.*?</tr>", body, re.S)]


@pytest.mark.parametrize("parallel", [0, 2])
@pytest.mark.sphinx("html", testroot="report")
def test_report_lists_every_example_in_reading_order(app: SphinxTestApp, parallel: int) -> None:
    need("cc")
    app.parallel = parallel
    app.build(force_all=True)
    table = rows(app)
    assert len(table) == 3, table
    assert table[0].startswith("First one/main.py Python exit 0 exit 0")
    assert table[1].startswith("Second two/main.c C exit 2 exit 2")
    assert table[2].startswith("Second one/main.py Python exit 1 exit 0")


@pytest.mark.sphinx("html", testroot="report")
def test_download_links_and_archive(app: SphinxTestApp) -> None:
    need("cc")
    app.build(force_all=True)
    page = (app.outdir / "second.html").read_text(encoding="utf-8")
    links = re.findall(r'href="(_downloads/[^"]+)"', page)
    assert any(link.endswith("/main.c") for link in links), links
    for link in links:
        assert (app.outdir / link).is_file()
    with zipfile.ZipFile(app.outdir / "_downloads" / "examples.zip") as archive:
        names = archive.namelist()
    assert any(n.endswith("one/main.py") for n in names) and any(n.endswith("two/main.c") for n in names)


@pytest.mark.sphinx("html", testroot="report")
def test_downloads_follow_the_examples_folder_and_are_not_rewritten_needlessly(app: SphinxTestApp) -> None:
    need("cc")
    notes = app.srcdir / "examples" / "one" / "notes.txt"
    notes.write_text("a file beside the listing\n", encoding="utf-8")
    app.build(force_all=True)
    downloads = app.outdir / "_downloads"
    # Only our mirror and the archive: Sphinx's own download copies are not used.
    assert sorted(p.name for p in downloads.iterdir()) == ["examples", "examples.zip"]
    source = app.srcdir / "examples" / "two" / "main.c"
    published = downloads / "examples" / "two" / "main.c"
    assert published.read_bytes() == source.read_bytes()
    assert (downloads / "examples" / "one" / "notes.txt").is_file()
    archive = downloads / "examples.zip"
    written = archive.stat().st_mtime_ns

    app.build()
    assert archive.stat().st_mtime_ns == written, "an unchanged archive was rewritten"

    source.write_text(source.read_text(encoding="utf-8") + "// edited\n", encoding="utf-8")
    notes.unlink()
    app.build()
    assert published.read_bytes() == source.read_bytes()
    assert not (downloads / "examples" / "one" / "notes.txt").exists()
    with zipfile.ZipFile(archive) as zipped:
        assert zipped.read("examples/two/main.c") == source.read_bytes()
        assert "examples/one/notes.txt" not in zipped.namelist()


def test_the_archive_is_rewritten_unless_it_records_exactly_these_contents(tmp_path: Path) -> None:
    """write_archive() keeps an archive whose last bytes are its own fingerprint of the very
    same files, and rewrites anything else: another zip of the same files, a file too short to
    hold a fingerprint, or its own archive once a file changed."""
    from snippets.downloads import write_archive

    examples = tmp_path / "examples"
    (examples / "one").mkdir(parents=True)
    (examples / "one" / "main.c").write_text("int main(void) { return 0; }\n", encoding="utf-8")
    dest = tmp_path / "out" / "examples.zip"
    assert write_archive(examples, dest)
    assert not write_archive(examples, dest)  # unchanged: left alone

    with zipfile.ZipFile(dest, "w") as foreign:  # the same member, but not written by us
        foreign.writestr("examples/one/main.c", (examples / "one" / "main.c").read_bytes())
    assert write_archive(examples, dest)
    dest.write_bytes(b"PK")  # shorter than any fingerprint
    assert write_archive(examples, dest)

    (examples / "one" / "main.c").write_text("int main(void) { return 1; }\n", encoding="utf-8")
    assert write_archive(examples, dest)
    with zipfile.ZipFile(dest) as archive:
        assert archive.read("examples/one/main.c") == b"int main(void) { return 1; }\n"
        assert archive.testzip() is None


def test_the_mirror_is_known_from_its_manifest_and_walked_only_without_one(tmp_path: Path,
                                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """publish() compares the examples with the manifest it left in the mirror instead of walking
    the mirror; a missing or unreadable manifest makes it walk the mirror, as before, and write
    a new one. Either way the mirror ends up equal to the examples folder."""
    from snippets import downloads

    examples, out = tmp_path / "examples", tmp_path / "out"
    for name in ("one", "two"):
        (examples / name).mkdir(parents=True)
        (examples / name / "main.c").write_text(f"/* {name} */\n", encoding="utf-8")
    mirror = out / downloads.MIRROR
    walked: list[Path] = []
    original = downloads.example_files

    def example_files(root: Path) -> dict[str, os.stat_result]:
        walked.append(Path(root))
        return original(root)

    monkeypatch.setattr(downloads, "example_files", example_files)

    def mirrored() -> dict[str, bytes]:
        return {rel: (mirror / rel).read_bytes() for rel in original(mirror)}

    assert downloads.publish(examples, out) == (2, 0, True)
    assert (mirror / downloads.MANIFEST).is_file()
    assert mirrored() == {"one/main.c": b"/* one */\n", "two/main.c": b"/* two */\n"}  # the manifest is hidden

    walked.clear()
    (examples / "two" / "main.c").write_text("/* two, edited */\n", encoding="utf-8")
    (examples / "one" / "main.c").unlink()
    assert downloads.publish(examples, out) == (1, 1, True)
    assert walked == [examples]  # the mirror was not walked: its manifest said what it holds
    assert mirrored() == {"two/main.c": b"/* two, edited */\n"}

    for damage in ("", "{not json", '{"two/main.c": 3}', "[]"):
        (mirror / downloads.MANIFEST).write_text(damage, encoding="utf-8")
        (examples / "three").mkdir(exist_ok=True)
        (examples / "three" / "main.c").write_text(f"/* {damage!r} */\n", encoding="utf-8")
        walked.clear()
        copied, removed, _ = downloads.publish(examples, out)
        assert walked == [examples, mirror], damage  # unreadable: the mirror was walked instead
        assert (copied, removed) == (1, 0), damage
        assert mirrored() == {rel: (examples / rel).read_bytes() for rel in original(examples)}, damage
        assert downloads._published(mirror)[1], damage  # and a readable manifest written again


def test_an_edit_rebuilds_the_archive_from_the_old_one_and_the_changed_file(tmp_path: Path,
                                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """publish() takes the unchanged members' bytes from the previous archive and reads only the
    edited file; the result is byte for byte the archive made from the files. A damaged archive
    (a member whose CRC no longer matches) is not trusted: every file is read again."""
    from snippets import downloads

    examples, out = tmp_path / "examples", tmp_path / "out"
    for name in ("one", "two", "three"):
        (examples / name).mkdir(parents=True)
        (examples / name / "main.py").write_text(f"print({name!r})\n", encoding="utf-8")
    downloads.publish(examples, out)
    archive = out / downloads.ARCHIVE
    opened: list[str] = []

    def tracked_open(file: str, *args: object, **kwargs: object) -> object:
        if Path(file).is_relative_to(examples):
            opened.append(Path(file).relative_to(examples).as_posix())
        return open(file, *args, **kwargs)  # noqa: SIM115 - the caller closes it

    monkeypatch.setattr(downloads, "open", tracked_open, raising=False)

    def from_the_files() -> bytes:
        fresh = tmp_path / "fresh.zip"
        fresh.unlink(missing_ok=True)
        with monkeypatch.context() as m:
            m.delattr(downloads, "open")
            downloads.write_archive(examples, fresh)
        return fresh.read_bytes()

    (examples / "two" / "main.py").write_text("print('two, edited')\n", encoding="utf-8")
    assert downloads.publish(examples, out) == (1, 0, True)
    assert opened == ["two/main.py"]
    assert archive.read_bytes() == from_the_files()

    data = bytearray(archive.read_bytes())
    at = data.index(b"print('one')")
    data[at:at + 5] = b"PRINT"  # same size, so only the CRC can tell
    archive.write_bytes(bytes(data))
    opened.clear()
    (examples / "three" / "main.py").write_text("print('three, edited')\n", encoding="utf-8")
    assert downloads.publish(examples, out) == (1, 0, True)
    assert sorted(opened) == ["one/main.py", "three/main.py", "two/main.py"]
    assert archive.read_bytes() == from_the_files()

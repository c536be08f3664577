"""Sphinx extension `snippets`: run every example at build time in a sandbox and publish what happened."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from sphinx.application import ENV_PICKLE_FILENAME
from sphinx.errors import ConfigError
from sphinx.util import logging

from . import config, downloads, nodes, prefetch, report, rewrite
from .check import SnippetsCheckBuilder
from .directive import ExecCodeDirective
from .execute import PROBING, Engine, explain_hang
from .sandbox import Isolation, prepare_launcher, probe
from .warnings import Subtype, warn

if TYPE_CHECKING:
    from collections.abc import Callable
    from concurrent.futures import Future

    from sphinx.application import Sphinx
    from sphinx.config import Config
    from sphinx.util.typing import ExtensionMetadata

logger = logging.getLogger(__name__)

__version__ = "0.1.0"
STATIC = Path(__file__).with_name("static")


#: Probes start_launcher() began, by cache folder, until create_engine() hands them to the engine.
_EARLY_PROBES: dict[Path, Future[Isolation]] = {}


def create_engine(app: Sphinx) -> None:
    """builder-inited: freeze the settings; the protections are probed when an example first
    needs them, unless start_launcher() already began."""
    settings = config.settings(app)
    checking = app.builder.name == SnippetsCheckBuilder.name
    if checking:
        settings = settings._replace(use_cache=False)
    # On env, not on a module global: parallel readers are forked with it.
    engine = app.env.snippets_engine = Engine(  # type: ignore[attr-defined]
        settings=settings, probe=_prober(app, settings), checking=checking, on_timeout=explain_hang)
    early = _EARLY_PROBES.pop(settings.cache_dir, None)
    if early is not None:
        engine.background[PROBING] = early


def _prober(app: Sphinx, settings: config.Settings) -> Callable[[], Isolation]:
    hidden = tuple(dict.fromkeys(
        str(p) for p in (Path(app.confdir).resolve(), Path(app.srcdir).resolve(), Path.home(), "/root", "/home")
    ))
    return partial(probe_isolation, settings.cache_dir / "bin", hidden, settings.strict_isolation)


def probe_isolation(state_dir: Path, hidden: tuple[str, ...], strict: bool) -> Isolation:
    """Find out, once per build, which protections work here; say which are missing (or refuse, if strict)."""
    isolation = probe(state_dir, hidden)
    if isolation.box_note:
        logger.info("snippets: %s", isolation.box_note)
    if isolation.missing:
        message = "protections off on this machine: " + "; ".join(isolation.missing)
        if strict:
            raise ConfigError(f"{message} (snippets_strict_isolation is on) [snippets.isolation]")
        warn(message, Subtype.ISOLATION, None)
    return isolation


def start_launcher(app: Sphinx, _config: Config) -> None:
    """config-inited: on a first build, compile the sandbox's launcher while Sphinx sets up; and
    when an example is likely to run, probe the protections meanwhile too.

    Probed later, the build waited for the probe (about 10 ms) before reading the page of an
    edited example. Here it has the 20-25 ms in which Sphinx loads its environment and sets up
    the builder. A guess that turns out wrong costs a probe beside the build, no more; prefetch
    waits for it before Sphinx forks readers or writers.
    """
    settings = config.settings(app)
    prepare_launcher(settings.cache_dir / "bin")
    _EARLY_PROBES.pop(settings.cache_dir, None)  # left by a Sphinx that stopped before builder-inited
    if _examples_changed_since_last_read(app, settings.examples_dir):
        pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="snippets-probe")
        _EARLY_PROBES[settings.cache_dir] = pool.submit(_prober(app, settings))
        pool.shutdown(wait=False)  # the thread ends with the probe


def _examples_changed_since_last_read(app: Sphinx, examples: Path) -> bool:
    """Is an example file newer than the saved environment (or is there none)? Then some example
    probably runs: an author edited it, or nothing was built yet. One walk of the folder, as
    downloads.publish() makes on every build (0.8-1.3 ms for 120 files)."""
    try:
        saved = os.stat(Path(app.doctreedir) / ENV_PICKLE_FILENAME).st_mtime_ns
    except OSError:
        return True
    return any(stat.st_mtime_ns > saved for stat in downloads.example_files(examples).values())


def add_static_path(app: Sphinx, config: Config) -> None:
    """config-inited: ship the badge and output styles."""
    config.html_static_path.append(str(STATIC))


def setup(app: Sphinx) -> ExtensionMetadata:
    """The manifest: config values, nodes, the directive, the checker, and the handlers in firing order."""
    app.setup_extension("sphinx.ext.graphviz")
    config.register(app)
    passthrough = (nodes.visit_passthrough, nodes.depart_passthrough)
    app.add_node(nodes.snippet_result, html=(nodes.visit_result_html, nodes.depart_result_html),
                 latex=passthrough, text=passthrough, man=passthrough, texinfo=passthrough)
    app.add_node(nodes.snippet_badge, html=(nodes.visit_badge_html, nodes.depart_badge_html),
                 latex=passthrough, text=passthrough, man=passthrough, texinfo=passthrough)
    # HTML only: every other builder writes it with its own visit_literal_block (see its docstring).
    app.add_node(nodes.snippet_terminal, html=(nodes.visit_terminal_html, nodes.depart_terminal_html))
    app.add_directive("exec_code", ExecCodeDirective, override=True)
    app.add_builder(SnippetsCheckBuilder)
    app.add_css_file("snippets.css")
    # Repairs for markup that Sphinx and its extensions write (see the file's comments). Added
    # here rather than by html_js_files in conf.py: Sphinx writes a priority into that setting's
    # dictionary, so every build then logged "The configuration has changed".
    app.add_js_file("snippets-a11y.js", loading_method="defer")
    app.connect("config-inited", config.validate)
    app.connect("config-inited", add_static_path)
    app.connect("config-inited", start_launcher)
    app.connect("builder-inited", create_engine)
    app.connect("env-before-read-docs", prefetch.start)
    report.register(app)
    rewrite.register(app)
    downloads.register(app)
    return {
        "version": __version__,
        # 2: sandbox and result records are NamedTuples; 3: outcome records; 4: Settings; 5: recipes
        "env_version": 5,
        "parallel_read_safe": True,
        "parallel_write_safe": True,
    }

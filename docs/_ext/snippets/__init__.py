"""Sphinx extension `snippets`: run every example at build time in a sandbox and publish what happened."""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from sphinx.errors import ConfigError

from . import config, downloads, nodes, prefetch, report
from .check import SnippetsCheckBuilder
from .directive import ExecCodeDirective
from .execute import Engine, explain_hang
from .sandbox import Isolation, prepare_launcher, probe
from .warnings import Subtype, warn

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.config import Config
    from sphinx.util.typing import ExtensionMetadata

__version__ = "0.1.0"
STATIC = Path(__file__).with_name("static")


def create_engine(app: Sphinx) -> None:
    """builder-inited: freeze the settings; the protections are probed when an example first needs them."""
    settings = config.settings(app)
    checking = app.builder.name == SnippetsCheckBuilder.name
    if checking:
        settings = settings._replace(use_cache=False)
    hidden = tuple(dict.fromkeys(
        str(p) for p in (Path(app.confdir).resolve(), Path(app.srcdir).resolve(), Path.home(), "/root", "/home")
    ))
    # On env, not on a module global: parallel readers are forked with it.
    app.env.snippets_engine = Engine(  # type: ignore[attr-defined]
        settings=settings, probe=partial(probe_isolation, settings.cache_dir / "bin", hidden, settings.strict_isolation),
        checking=checking, on_timeout=explain_hang)


def probe_isolation(state_dir: Path, hidden: tuple[str, ...], strict: bool) -> Isolation:
    """Find out, once per build, which protections work here; say which are missing (or refuse, if strict)."""
    isolation = probe(state_dir, hidden)
    if isolation.missing:
        message = "protections off on this machine: " + "; ".join(isolation.missing)
        if strict:
            raise ConfigError(f"{message} (snippets_strict_isolation is on) [snippets.isolation]")
        warn(message, Subtype.ISOLATION, None)
    return isolation


def start_launcher(app: Sphinx, _config: Config) -> None:
    """config-inited: on a first build, compile the sandbox's launcher while Sphinx sets up."""
    prepare_launcher(config.settings(app).cache_dir / "bin")


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
    app.add_directive("exec_code", ExecCodeDirective, override=True)
    app.add_builder(SnippetsCheckBuilder)
    app.add_css_file("snippets.css")
    app.connect("config-inited", config.validate)
    app.connect("config-inited", add_static_path)
    app.connect("config-inited", start_launcher)
    app.connect("builder-inited", create_engine)
    app.connect("env-before-read-docs", prefetch.start)
    report.register(app)
    downloads.register(app)
    return {
        "version": __version__,
        "env_version": 4,  # 2: sandbox and result records are NamedTuples; 3: outcome records; 4: Settings
        "parallel_read_safe": True,
        "parallel_write_safe": True,
    }

"""The extension's settings: registered, validated once at config-inited, then frozen."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from sphinx.errors import ConfigError

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.config import Config

#: name -> (default, rebuild, types); every name starts with `snippets_`.
CONFIG_VALUES: dict[str, tuple[Any, str, tuple[type, ...]]] = {
    "snippets_examples_dir": ("examples", "env", (str,)),
    "snippets_timeout": (5.0, "env", (int, float)),
    "snippets_python": ("/usr/bin/python3", "env", (str,)),
    "snippets_c_compiler": ("cc", "env", (str,)),
    "snippets_c_flags": (["-Wall", "-Wextra", "-pthread"], "env", (list, tuple)),
    "snippets_rust_compiler": ("rustc", "env", (str,)),
    "snippets_rust_flags": (["--edition", "2021"], "env", (list, tuple)),
    "snippets_env": ({}, "env", (dict,)),
    "snippets_output_limit": (64 * 1024, "env", (int,)),
    "snippets_memory_limit": (2 * 1024**3, "env", (int,)),
    "snippets_process_limit": (64, "env", (int,)),
    "snippets_cache": (True, "", (bool,)),
    "snippets_cache_dir": ("", "", (str,)),
    "snippets_strict_isolation": (False, "", (bool,)),
    "snippets_normalizers": ({}, "env", (dict,)),
    "snippets_update_outputs": (False, "", (bool,)),
    "snippets_check_runs": (2, "", (int,)),
    "snippets_strace": ("strace", "env", (str,)),
}


# A NamedTuple, not a frozen dataclass: cheaper to define on every build (see sandbox.Limits);
# change a copy with settings._replace(...).
class Settings(NamedTuple):
    """Everything the engine reads from conf.py, validated."""

    examples_dir: Path
    """Absolute folder that `:filename:` paths are relative to."""
    timeout: float
    """Default wall-clock seconds per example."""
    python: str
    """Interpreter for Python examples."""
    c_compiler: str
    """C compiler command."""
    c_flags: tuple[str, ...]
    """Flags passed to the C compiler."""
    rust_compiler: str
    """rustc command."""
    rust_flags: tuple[str, ...]
    """Flags passed to rustc."""
    env: tuple[tuple[str, str], ...]
    """Environment variables every example gets, beyond the minimal one."""
    output_limit: int
    """Bytes of output kept per run."""
    memory_limit: int
    """RLIMIT_AS in bytes."""
    process_limit: int
    """Processes alive at once per example."""
    use_cache: bool
    """Reuse earlier results (off for `make doctest`)."""
    cache_dir: Path
    """Where results are stored."""
    strict_isolation: bool
    """Fail the build when a protection is unavailable."""
    normalizers: tuple[tuple[str, str, str], ...]
    """Extra (name, regex, replacement) normalisers from conf.py."""
    update_outputs: bool
    """Write `*.out` expectation files instead of comparing (`make outputs`)."""
    check_runs: int
    """How often the checker runs each example to detect undeclared races."""
    strace: str = "strace"
    """The tracer behind `:trace:` process trees."""


def register(app: Sphinx) -> None:
    """Declare every config value with its type."""
    for name, (default, rebuild, types) in CONFIG_VALUES.items():
        app.add_config_value(name, default, rebuild, types=types)


def _fail(name: str, problem: str) -> None:
    raise ConfigError(f"{name}: {problem} [snippets.config]")


def validate(app: Sphinx, config: Config) -> None:
    """config-inited handler: check every value once, raising ConfigError by name."""
    examples = Path(app.confdir, config.snippets_examples_dir).resolve()
    if not examples.is_dir():
        _fail("snippets_examples_dir", f"folder {examples} does not exist; create it or fix the path in conf.py")
    if config.snippets_timeout <= 0:
        _fail("snippets_timeout", f"must be a positive number of seconds, not {config.snippets_timeout!r}")
    for name in ("snippets_output_limit", "snippets_memory_limit", "snippets_process_limit", "snippets_check_runs"):
        if getattr(config, name) <= 0:
            _fail(name, f"must be a positive integer, not {getattr(config, name)!r}")
    for name in ("snippets_c_flags", "snippets_rust_flags"):
        if not all(isinstance(flag, str) for flag in getattr(config, name)):
            _fail(name, "must be a list of strings")
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in config.snippets_env.items()):
        _fail("snippets_env", "must map variable names to string values")
    for key, value in config.snippets_normalizers.items():
        if not (isinstance(value, (list, tuple)) and len(value) == 2 and all(isinstance(v, str) for v in value)):
            _fail("snippets_normalizers", f"{key!r} must be a [regex, replacement] pair of strings")
        try:
            re.compile(value[0])
        except re.error as err:
            _fail("snippets_normalizers", f"{key!r}: invalid regex: {err}")


def settings(app: Sphinx) -> Settings:
    """Read the validated config into a frozen Settings."""
    config = app.config
    if config.snippets_cache_dir:
        cache_dir = Path(app.confdir, config.snippets_cache_dir).resolve()
    else:
        cache_dir = Path(app.outdir).parent / ".snippets-cache"
    return Settings(
        examples_dir=Path(app.confdir, config.snippets_examples_dir).resolve(),
        timeout=float(config.snippets_timeout),
        python=config.snippets_python,
        c_compiler=config.snippets_c_compiler,
        c_flags=tuple(config.snippets_c_flags),
        rust_compiler=config.snippets_rust_compiler,
        rust_flags=tuple(config.snippets_rust_flags),
        env=tuple(sorted(config.snippets_env.items())),
        output_limit=config.snippets_output_limit,
        memory_limit=config.snippets_memory_limit,
        process_limit=config.snippets_process_limit,
        use_cache=config.snippets_cache,
        cache_dir=cache_dir,
        strict_isolation=config.snippets_strict_isolation,
        normalizers=tuple((k, v[0], v[1]) for k, v in sorted(config.snippets_normalizers.items())),
        update_outputs=config.snippets_update_outputs,
        check_runs=config.snippets_check_runs,
        strace=config.snippets_strace,
    )

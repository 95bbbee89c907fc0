"""Pinned Kafka broker jars: parse deploy/kafka/jars.lock, download and verify them into a cache."""

from __future__ import annotations

import contextlib
import hashlib
import os
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

LOCK_FILE = Path(__file__).resolve().parent / "kafka" / "jars.lock"
DEFAULT_MAVEN_URL = "https://repo1.maven.org/maven2"
KAFKA_ARTIFACT = "org/apache/kafka/kafka_2.13/"
CHUNK = 1 << 16
ATTEMPTS = 3

# progress(done_bytes, total_bytes, jar_name); called as bytes arrive and once per finished jar
Progress = Callable[[int, int, str], None]


class JarError(RuntimeError):
    """A jar could not be fetched or does not match its pinned SHA-256."""


class JarDownloadError(JarError):
    """The repository could not be reached or does not serve the jar."""


class JarChecksumError(JarError):
    """A downloaded jar differs from the lock: refuse it."""


@dataclass(frozen=True)
class Jar:
    """One pinned artifact: its checksum, size and path below the Maven repository root."""

    sha256: str
    size: int
    path: str

    @property
    def name(self) -> str:
        """File name of the jar (what lands in the lib dir)."""
        return self.path.rsplit("/", 1)[-1]


def read_lock(lock_file: Path = LOCK_FILE) -> list[Jar]:
    """Parse a jars.lock file (TSV: sha256, size, path; '#' lines are comments).

    Args:
        lock_file: path of the lock file.
    """
    jars = []
    for number, line in enumerate(lock_file.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.split("\t")
        if len(fields) != 3 or len(fields[0]) != 64 or not fields[1].isdigit():
            raise JarError(f"{lock_file}:{number}: expected 'sha256<TAB>size<TAB>path'")
        jars.append(Jar(sha256=fields[0].lower(), size=int(fields[1]), path=fields[2]))
    return jars


def kafka_version(jars: Sequence[Jar]) -> str:
    """Version of the kafka_2.13 artifact in a jar list.

    Args:
        jars: the parsed lock.
    """
    for jar in jars:
        if jar.path.startswith(KAFKA_ARTIFACT):
            return jar.path[len(KAFKA_ARTIFACT) :].split("/", 1)[0]
    raise JarError("the lock has no org.apache.kafka:kafka_2.13 jar")


def default_cache_dir(version: str) -> Path:
    """Where the jars of one Kafka version are cached: $WIRESTREAM_CACHE_DIR or ~/.cache/wirestream.

    Args:
        version: Kafka version, one cache folder per version.
    """
    root = os.environ.get("WIRESTREAM_CACHE_DIR")
    if not root:
        xdg = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
        root = str(Path(xdg) / "wirestream")
    return Path(root).expanduser() / f"kafka-{version}"


def sha256_of(path: Path) -> str:
    """Hex SHA-256 of a file.

    Args:
        path: the file.
    """
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def is_valid(path: Path, jar: Jar) -> bool:
    """True when the file exists with the pinned size and SHA-256.

    Args:
        path: the cached file.
        jar: what it must be.
    """
    try:
        if path.stat().st_size != jar.size:
            return False
    except FileNotFoundError:
        return False
    return sha256_of(path) == jar.sha256


def ensure_jars(
    cache_dir: Path | None = None,
    *,
    progress: Progress | None = None,
    base_url: str | None = None,
    lock_file: Path = LOCK_FILE,
) -> Path:
    """Make sure every pinned jar sits verified in cache_dir/lib; return that lib dir.

    A warm cache touches no network. Corrupt cached jars are replaced; a download
    whose SHA-256 differs from the lock raises JarError and leaves nothing behind.

    Args:
        cache_dir: cache folder (default: default_cache_dir of the locked Kafka version).
        progress: callback (done, total, name); default reports on stderr.
        base_url: Maven repository root (default: $WIRESTREAM_MAVEN_URL or Maven Central).
        lock_file: the jar lock to satisfy.
    """
    jars = read_lock(lock_file)
    lib_dir = (cache_dir or default_cache_dir(kafka_version(jars))) / "lib"
    lib_dir.mkdir(parents=True, exist_ok=True)
    _remove_strays(lib_dir, jars)
    missing = [jar for jar in jars if not is_valid(lib_dir / jar.name, jar)]
    if not missing:
        return lib_dir
    root = (base_url or os.environ.get("WIRESTREAM_MAVEN_URL") or DEFAULT_MAVEN_URL).rstrip("/")
    interactive = sys.stderr.isatty()
    report = progress or _stderr_bar(interactive)
    total = sum(jar.size for jar in missing)
    done = 0
    for jar in missing:
        _download(f"{root}/{jar.path}", lib_dir / jar.name, jar, report, done, total)
        done += jar.size
        report(done, total, jar.name)
    if progress is None and interactive:
        sys.stderr.write("\n")
    return lib_dir


def _remove_strays(lib_dir: Path, jars: Sequence[Jar]) -> None:
    # two versions of one library on the classpath break the broker, so only locked jars stay
    wanted = {jar.name for jar in jars}
    for path in lib_dir.glob("*.jar"):
        if path.name not in wanted:
            path.unlink()


def _download(url: str, target: Path, jar: Jar, report: Progress, done: int, total: int) -> None:
    partial = target.with_name(f".{target.name}.{os.getpid()}.part")
    for attempt in range(1, ATTEMPTS + 1):
        try:
            _fetch(url, partial, lambda got: report(done + got, total, jar.name))
            break
        except (urllib.error.URLError, OSError) as error:
            partial.unlink(missing_ok=True)
            if isinstance(error, urllib.error.HTTPError) and error.code == 404:
                raise JarDownloadError(f"{url}: not found (404)") from error
            if attempt == ATTEMPTS:
                raise JarDownloadError(f"{url}: download failed: {error}") from error
            time.sleep(0.5 * attempt)
    if not is_valid(partial, jar):
        got = sha256_of(partial)
        partial.unlink(missing_ok=True)
        raise JarChecksumError(f"{url}: checksum mismatch: sha256 {got}, lock says {jar.sha256}")
    os.replace(partial, target)


def _fetch(url: str, partial: Path, on_bytes: Callable[[int], object]) -> None:
    with urllib.request.urlopen(url, timeout=60) as response, partial.open("wb") as out:
        got = 0
        for chunk in iter(lambda: response.read(CHUNK), b""):
            out.write(chunk)
            got += len(chunk)
            on_bytes(got)


def _stderr_bar(interactive: bool) -> Progress:
    # a tty gets one redrawn line; logs get a line per tenth of the download
    last = [0.0, -1.0]

    def draw(done: int, total: int, name: str) -> None:
        line = f"kafka jars: {done / 2**20:6.1f} / {total / 2**20:.1f} MiB  {name}"
        if interactive:
            now = time.monotonic()
            if done < total and now - last[0] < 0.1:
                return
            last[0] = now
            text = f"\r{line[:100]:<100}"
        else:
            tenth = done * 10 // max(total, 1)
            if tenth == last[1]:
                return
            last[1] = tenth
            text = line + "\n"
        with contextlib.suppress(OSError):
            sys.stderr.write(text)
            sys.stderr.flush()

    return draw

"""A tiny static file server for local feed testing, with ETag and Last-Modified."""

from __future__ import annotations

import os
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

TYPES = {".xml": "application/xml", ".jsonl": "application/x-ndjson", ".toml": "text/plain"}


class StaticHandler(SimpleHTTPRequestHandler):
    """Serves a folder; answers 304 to a matching If-None-Match (and If-Modified-Since)."""

    etag: str | None = None

    def guess_type(self, path: str | os.PathLike[str]) -> str:
        """Feed types first, then the stdlib's guess."""
        return TYPES.get(Path(path).suffix) or super().guess_type(path)

    def send_head(self) -> Any:
        """Answer 304 when the client's ETag is current, else serve as usual."""
        path = self.translate_path(self.path)
        self.etag = _etag(path) if os.path.isfile(path) else None
        if self.etag and self.headers.get("If-None-Match") == self.etag:
            self.send_response(304)
            self.end_headers()
            return None
        return super().send_head()

    def end_headers(self) -> None:
        """Add the ETag of the file being served."""
        if self.etag:
            self.send_header("ETag", self.etag)
        super().end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        """Log requests unless the server was made quiet."""
        if not getattr(self.server, "quiet", False):
            super().log_message(format, *args)


def _etag(path: str) -> str:
    status = os.stat(path)
    return f'"{status.st_mtime_ns:x}-{status.st_size:x}"'


def make_server(
    folder: Path, *, host: str = "127.0.0.1", port: int = 8765, quiet: bool = False
) -> ThreadingHTTPServer:
    """A server for ``folder`` (call ``serve_forever``; port 0 picks a free one).

    Args:
        folder: the folder to serve.
        host: the address to bind.
        port: the TCP port.
        quiet: do not log requests.
    """
    handler = partial(StaticHandler, directory=str(folder))
    server = ThreadingHTTPServer((host, port), handler)
    server.quiet = quiet  # type: ignore[attr-defined]
    return server

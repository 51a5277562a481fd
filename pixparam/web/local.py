"""An exported folder on localhost, and the flags that give headless Chromium WebGL2 without a GPU.

A viewer folder works from ``file://``, but a page fetching ``models.json``
(and a browser test) wants it served; :func:`serve` does that on a free
port for as long as its ``with`` block runs.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import threading
from collections.abc import Iterator

__all__ = ["HEADLESS_WEBGL_ARGS", "serve"]

#: Chromium flags for WebGL2 headless on a machine without a GPU (ANGLE on SwiftShader) and without a network.
HEADLESS_WEBGL_ARGS = (
    "--headless",
    "--no-sandbox",
    "--use-gl=angle",
    "--use-angle=swiftshader",
    "--enable-unsafe-swiftshader",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:  # no line per request
        pass


@contextlib.contextmanager
def serve(folder: str | os.PathLike) -> Iterator[str]:
    """Serve ``folder`` over HTTP on ``127.0.0.1`` (a free port) while the ``with`` block runs.

    Parameters
    ----------
    folder : str or path
        The folder to serve, e.g. what :func:`pixparam.export_web` wrote.

    Yields
    ------
    str
        The base URL, ``http://127.0.0.1:PORT``.

    Examples
    --------
    >>> import tempfile, urllib.request
    >>> from pixparam.web import serve
    >>> d = tempfile.mkdtemp()
    >>> _ = open(f"{d}/hello.txt", "w").write("hi")
    >>> with serve(d) as url:
    ...     urllib.request.urlopen(url + "/hello.txt").read()
    b'hi'
    """
    handler = functools.partial(_QuietHandler, directory=os.fspath(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()

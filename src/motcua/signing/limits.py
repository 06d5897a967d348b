"""Bounds on the public signature check: one upload must not hold a CPU for long.

Verifying an uploaded PDF parses an untrusted file and validates its signature (hashing, the
difference analysis of incremental updates, certificate paths). A crafted file — thousands of
pages, hundreds of revisions, deeply nested objects — kept a worker busy for 13 s (issue 9).
On a two-core commune server a few such requests stop every officer's page. So:

1. cheap checks first, in the web process (size, the PDF header, a rate limit per address);
2. then the parse and the validation run in a forked child with a wall-clock deadline and a CPU
   limit: when the deadline passes, the child is killed, so the work really stops (a thread
   could only stop waiting for it);
3. in the child, before validating, the declared page count and the number of revisions are
   checked against limits far above any result signed here.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import resource
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

logger = logging.getLogger(__name__)

T = TypeVar("T")

MAX_PAGES = 100
MAX_REVISIONS = 20
TIME_BUDGET_SECONDS = 5.0


class TooComplex(Exception):
    """The file needs more work than one public request is allowed."""


@dataclass(frozen=True)
class Shape:
    pages: int
    revisions: int


def pdf_shape(data: bytes) -> Shape | None:
    """Declared page count and number of revisions, or None if the file cannot be parsed.

    Read with pyHanko's reader (the one the validation itself uses): only the trailer, the
    cross-reference sections and the page tree's root are read, never the pages themselves.
    """
    import io

    from pyhanko.pdf_utils.reader import PdfFileReader

    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        count = reader.root["/Pages"].get("/Count", 0)
        return Shape(pages=int(count), revisions=int(reader.xrefs.total_revisions))
    except Exception:  # untrusted upload: unparseable is the validator's message to give
        return None


def _child(connection, func: Callable[..., Any], args: tuple, cpu_seconds: int) -> None:
    # A second guard if the parent cannot kill the child in time: the kernel stops it.
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))
    try:
        connection.send((True, func(*args)))
    except Exception as exc:  # sent back, raised in the parent
        connection.send((False, exc))
    finally:
        connection.close()


def run_with_deadline(func: Callable[..., T], *args: Any, seconds: float) -> T:
    """``func(*args)`` in a forked child; TooComplex if it has not answered within ``seconds``.

    ``func`` must not use the database or shared connections: it runs in a copy of the process.
    Its result (or exception) comes back pickled. Without ``fork`` (not Linux), it runs inline.
    """
    try:
        context = multiprocessing.get_context("fork")
    except ValueError:  # pragma: no cover - platforms without fork
        return func(*args)
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_child, args=(sender, func, args, int(seconds) + 1), daemon=True)
    child.start()
    sender.close()
    try:
        if not receiver.poll(seconds):
            raise TooComplex
        ok, value = receiver.recv()
    except EOFError:  # the child died (CPU limit, memory) without answering
        raise TooComplex from None
    finally:
        if child.is_alive():
            child.kill()
        child.join(1)
        receiver.close()
    if not ok:
        raise value
    return value

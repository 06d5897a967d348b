"""The base of the domain errors that carry their HTTP status and a Vietnamese message."""

from __future__ import annotations


class DomainError(Exception):
    """A refused action: ``message`` is for the person who asked, ``status_code`` for the edge
    (409 when the state of things forbids it, 400/422 for bad input, 404 when it is not
    there). Subclasses set their usual status; a raise may give another."""

    status_code = 409

    def __init__(self, message: str, status_code: int | None = None):
        super().__init__(message)
        self.message = message
        if status_code is not None:
            self.status_code = status_code

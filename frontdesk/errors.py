"""What can go wrong when the desk talks to the database, by kind.

Three kinds a host can act on, and everything else:

- ``Refused``: the engine said no (the table is taken, outside hours...).  The
  message is written for a host to read aloud; ``code`` is stable.
- ``InvalidInput``: something typed is not usable (a phone number with too few
  digits); caught before the database, with the field to point at.
- ``ServerUnavailable``: the server cannot be reached right now; try again
  later, nothing was lost.

Anything else is a bug in our code or the SQL: it is logged loudly and
re-raised as it is (see ``frontdesk.database``).
"""

from __future__ import annotations


class Refused(Exception):
    """A business refusal from the engine: nothing was written."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


class InvalidInput(Exception):
    """Bad typing caught before the database (phone, email, name...)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


class ServerUnavailable(Exception):
    """The connection was lost or the server is down: retry later."""

    def __init__(self, message: str = "The database server cannot be reached.") -> None:
        super().__init__(message)
        self.message = message

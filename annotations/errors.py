"""The one error type a user can cause: its message is a sentence meant for them."""

from annotations.clean import one_line


class UserError(Exception):
    """Something the user asked for cannot be done; the message says what and what to do.

    The message is made safe for a terminal here, once: it often quotes a file name, a
    title or a system error, none of which we chose.
    """

    def __init__(self, message: object) -> None:
        super().__init__(one_line(message))


class IngestError(UserError):
    """A file could not be read as a report."""


class StoreError(UserError):
    """The annotation database cannot be used as it is (newer, corrupt, or locked)."""

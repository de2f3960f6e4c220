"""The one error type a user can cause: its message is a sentence meant for them."""


class UserError(Exception):
    """Something the user asked for cannot be done; the message says what and what to do."""


class IngestError(UserError):
    """A file could not be read as a report."""


class StoreError(UserError):
    """The annotation database cannot be used as it is (newer, corrupt, or locked)."""

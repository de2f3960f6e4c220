"""The one error type a user can cause: it carries a message meant for them."""

from typing import Any, Self

from annotations.messages import Message, Param


class UserError(Exception):
    """Something the user asked for cannot be done; the message says what and what to do.

    It is a `Message` (a code and its parameters: `message`), so that each interface words it
    in its own language; `str()` of the error is the English sentence. The parameters are
    made safe for a terminal by the message: they often quote a file name, a title or a
    system error, none of which we chose.
    """

    def __init__(self, code: str, /, **params: Param) -> None:
        self.message = Message(code, params)
        super().__init__(str(self.message))

    @classmethod
    def of(cls, message: Message) -> Self:
        """The error that says `message`."""
        return cls(message.code, **message.params)

    def __reduce__(self) -> tuple[Any, ...]:
        return type(self).of, (self.message,)


class IngestError(UserError):
    """A file could not be read as a report."""


class StoreError(UserError):
    """The annotation database cannot be used as it is (newer, corrupt, or locked)."""

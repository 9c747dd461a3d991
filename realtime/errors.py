"""The one error type services raise: a stable code for machines, a sentence for people."""


class ServiceError(Exception):
    """A refused command. Nothing was written when this is raised.

    ``code`` is stable (clients and tests match on it; docs/protocol.md lists them);
    ``message`` is for the person in front of the screen, in their language.
    """

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = str(message)


class AccessRevoked(ServiceError):
    """The credential a socket was opened with no longer holds: answer, then close it."""

    def __init__(self, code: str, message: str, close_code: int) -> None:
        super().__init__(code, message)
        self.close_code = close_code

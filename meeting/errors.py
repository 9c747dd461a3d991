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

"""The parser's two failures: the whole file (public, with a Japanese message) and one cell (internal)."""


class DirectoryFileError(ValueError):
    """The whole file cannot be read; ``message`` (Japanese) says why."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class _CellError(Exception):
    pass

"""The parser's two failures: the whole file (public, with a Japanese message) and one cell (internal)."""


class DirectoryFileError(ValueError):
    """The whole file cannot be read; ``message`` (Japanese) says why."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class UnknownLayout(DirectoryFileError):
    """No known layout and no saved mapping fits: the likeliest header row (as written, with its line) and
    the first rows under it, for the coordinator to map the columns."""

    def __init__(self, message: str, line: int, headers: list[str], samples: list[list[str]]):
        super().__init__(message)
        self.line, self.headers, self.samples = line, headers, samples


class _CellError(Exception):
    pass

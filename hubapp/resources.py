"""Where templates/, static/ and migrations/ are: beside the package in a checkout, inside it in a wheel."""

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def resource_dir(name: str) -> Path:
    """The folder ``name`` (templates, static, migrations) for this installation.

    A built wheel carries the folders inside the package (pyproject's force-include); an editable
    install or a plain checkout finds them at the repository root, as the design card lays out.
    """
    inside = _PACKAGE / name
    if inside.is_dir():
        return inside
    beside = _PACKAGE.parent / name
    if beside.is_dir():
        return beside
    raise RuntimeError(f"hubapp: the {name}/ folder was found neither in {inside} nor in {beside}")

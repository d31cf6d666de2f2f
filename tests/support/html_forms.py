"""Read the forms of a page as a browser would: each control's current value, and whether an error is
shown beside it (the control, or a group around it, is marked ``aria-invalid`` or described by a
``field__error`` element with text)."""

from dataclasses import dataclass, field
from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


@dataclass
class Control:
    name: str
    kind: str  # input type, "select" or "textarea"
    value: str = ""
    checked: bool = False
    described_by: set[str] = field(default_factory=set)
    invalid: bool = False
    options: list[tuple[str, bool]] = field(default_factory=list)  # a select's (value, selected)


@dataclass
class Form:
    action: str
    controls: list[Control] = field(default_factory=list)

    def named(self, name: str) -> list[Control]:
        return [c for c in self.controls if c.name == name]

    def values(self, name: str) -> list[str]:
        """What the browser would send for ``name``."""
        found = []
        for c in self.named(name):
            if c.kind in ("checkbox", "radio"):
                found += [c.value] if c.checked else []
            elif c.kind == "select":
                chosen = [v for v, selected in c.options if selected]
                found += chosen or [v for v, _s in c.options[:1]]
            elif c.kind == "textarea":  # as HTML parses it: one line break after the tag is not content
                found.append(c.value.removeprefix("\r\n") if c.value.startswith("\r\n") else c.value.removeprefix("\n"))
            elif c.kind not in ("submit", "button", "file"):
                found.append(c.value)
        return found


class _Reader(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self.stack: list[dict] = []  # open elements' attributes
        self.errors: dict[str, str] = {}  # id of a field__error element → its text
        self._error_id: str | None = None
        self._text: Control | None = None
        self._select: Control | None = None
        self._option: list | None = None

    def _context(self):
        described, invalid = set(), False
        for attrs in self.stack:
            described |= set((attrs.get("aria-describedby") or "").split())
            invalid |= attrs.get("aria-invalid") == "true"
        return described, invalid

    def handle_starttag(self, tag, attrs):
        attrs = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append(Form(attrs.get("action", "")))
        if "field__error" in attrs.get("class", "").split() and attrs.get("id"):
            self._error_id = attrs["id"]
            self.errors[self._error_id] = ""
        if tag in ("input", "select", "textarea") and attrs.get("name") and self.forms:
            described, invalid = self._context()
            described |= set(attrs.get("aria-describedby", "").split())
            control = Control(
                attrs["name"],
                attrs.get("type", "text") if tag == "input" else tag,
                attrs.get("value", "on" if attrs.get("type") in ("checkbox", "radio") else ""),
                "checked" in attrs,
                described,
                invalid or attrs.get("aria-invalid") == "true",
            )
            self.forms[-1].controls.append(control)
            if tag == "textarea":
                self._text = control
            if tag == "select":
                self._select = control
        if tag == "option" and self._select is not None:
            self._option = [attrs.get("value"), "selected" in attrs, ""]
        if tag not in VOID:
            self.stack.append(attrs | {"<tag>": tag})

    def handle_endtag(self, tag):
        if tag == "option" and self._option is not None:
            value, selected, text = self._option
            self._select.options.append((text.strip() if value is None else value, selected))
            self._option = None
        if tag == "select":
            self._select = None
        if tag == "textarea":
            self._text = None
        while self.stack:
            if self.stack.pop().get("<tag>") == tag:
                break
        if self._error_id and not any(a.get("id") == self._error_id for a in self.stack):
            self._error_id = None

    def handle_data(self, data):
        if self._text is not None:
            self._text.value += data
        if self._option is not None:
            self._option[2] += data
        if self._error_id:
            self.errors[self._error_id] += data


def read_forms(html: str) -> tuple[list[Form], dict[str, str]]:
    reader = _Reader()
    reader.feed(html)
    reader.close()
    return reader.forms, reader.errors


def error_beside(html: str, name: str) -> str:
    """The error text shown beside the control ``name`` ('' when none is)."""
    forms, errors = read_forms(html)
    for form in forms:
        for control in form.named(name):
            texts = [errors[i].strip() for i in control.described_by if errors.get(i, "").strip()]
            if texts:
                return " ".join(texts)
    return ""


def form_with(html: str, name: str) -> Form:
    """The form with the control ``name``; of several (a page of small forms), the one with an error
    beside that control."""
    forms, errors = read_forms(html)
    found = [f for f in forms if f.named(name)]
    assert found, f"no form on the page has {name!r}"
    marked = [f for f in found if any(errors.get(i, "").strip() for c in f.named(name) for i in c.described_by)]
    return (marked or found)[0]

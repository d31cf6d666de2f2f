"""What every domain's forms share: fields whose refusals speak Japanese, and :func:`commit_change`, the
one way a view applies a form's change (all or nothing; a rule's refusal shown beside its field)."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Generic, TypeVar

from flask import flash
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms import DateField, FormField, IntegerField, SelectMultipleField, StringField, TimeField
from wtforms.validators import ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from hubapp.common.errors import DomainError
from hubapp.database import change_refused
from hubapp.extensions import db

_INVALID = _l("選択肢が正しくありません。")

T = TypeVar("T")


class MultiSelectField(SelectMultipleField):
    """Several choices; anything not offered gets one Japanese message (WTForms' own is English).

    No ``Optional()`` on these fields: choosing nothing is already valid, and ``Optional()`` would clear
    the error of a value that is not offered when the first value sent is blank."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = []
            raise ValueError(_INVALID) from None

    def pre_validate(self, form):
        try:
            super().pre_validate(form)
        except ValidationError:
            raise ValidationError(_INVALID) from None


class MultiCheckboxField(MultiSelectField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ReadOrNone:
    """A typed field where blank means no value (whether one is needed is a validator's or a service's
    rule) and anything unreadable gets the field's own message instead of WTForms' generic one."""

    default_invalid = _l("正しく入力してください。")
    #: What a blank field reads as.
    blank_value = None

    def __init__(self, *args, invalid=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.invalid = invalid or self.default_invalid

    def process_formdata(self, valuelist):
        if not valuelist or not "".join(valuelist).strip():
            self.data = self.blank_value
            return
        try:
            self.data = self.read(valuelist[0].strip())
        except (ValueError, OverflowError):
            self.data = None
            raise ValueError(self.invalid) from None


class NumberField(ReadOrNone, IntegerField):
    """A whole number; full-width digits are read as typed (「１２」), anything else refused."""

    default_invalid = _l("数字で入力してください。")

    @staticmethod
    def read(text: str) -> int:
        if not (text.isdecimal() and len(text) <= 12):  # what int() reads ("１２" yes, "²" no), and short
            raise ValueError(text)
        return int(text)


#: The days a form takes: nothing this app records is before 1900 or after 2100 (and 和暦 starts in 明治).
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(2100, 12, 31)


class DayField(ReadOrNone, DateField):
    default_invalid = _l("日付を正しく入力してください。")

    @staticmethod
    def read(text: str) -> date:
        day = date.fromisoformat(text)
        if not FIRST_DAY <= day <= LAST_DAY:
            raise ValueError(text)
        return day


class ClockField(ReadOrNone, TimeField):
    default_invalid = _l("時刻を「17:00」の形で入力してください。")

    @staticmethod
    def read(text: str) -> time:
        return datetime.strptime(text, "%H:%M").time() if len(text) <= 5 else time.fromisoformat(text)


class Refused:
    """A post refused on a page of many small forms (a member's row, a shift, the holiday form…): which
    form it was (``key``) and the form as sent, so that the page shows that form with what was typed and
    its errors beside their fields, and every other form as stored. ``Refused()`` is "nothing refused"."""

    def __init__(self, key: str | None = None, form=None):
        self.key, self.form = key, form

    def __bool__(self) -> bool:
        return self.form is not None

    def of(self, key: str):
        return self.form if self.form is not None and key == self.key else None

    @property
    def messages(self) -> list[str]:
        """Every message of the refused form (the page's summary at the top)."""
        return [str(m) for errors in (self.form.errors.values() if self.form else ()) for m in errors]

    def value(self, key: str, name: str, stored=""):
        """What the field shows: as typed when this form was refused, else the stored value."""
        form = self.of(key)
        if form is None:
            return "" if stored is None else stored
        field = _named(form, name)
        if field is None:
            return stored
        if field.raw_data:
            return field.raw_data[0]
        return field._value() if hasattr(field, "_value") else ("" if field.data is None else field.data)

    def checked(self, key: str, name: str, stored: bool) -> bool:
        form = self.of(key)
        field = _named(form, name) if form is not None else None
        return bool(field.data) if field is not None else bool(stored)

    def errors(self, key: str, name: str) -> list[str]:
        form = self.of(key)
        field = _named(form, name) if form is not None else None
        return [str(e) for e in field.errors] if field is not None else []

    def attrs(self, key: str, name: str, id: str) -> Markup:
        """``aria-invalid`` and the link to the message, on the control of a refused field."""
        if not self.errors(key, name):
            return Markup("")
        return Markup(' aria-invalid="true" aria-describedby="%s-error"') % id

    def message(self, key: str, name: str, id: str) -> Markup:
        """The field's message, beside it."""
        errors = self.errors(key, name)
        if not errors:
            return Markup("")
        return Markup('<p class="field__error" id="%s-error">%s</p>') % (id, " ".join(errors))


def id_or_none(value) -> int | None:
    """A select's ``coerce`` for an optional record: blank is none, a number its id, anything else refused."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return int(value)


class BackForm(FlaskForm):
    """A button's post that says which page of this app to go back to (``next``)."""

    next = StringField()

    def back_to(self, default: str) -> str:
        """``next`` when it is a path of this app (never another site: "//x", "\\x" or a full URL)."""
        target = (self.next.data or "").strip()
        if target.startswith("/") and not target.startswith("//") and "\\" not in target:
            return target
        return default


#: Nothing refused: every form of the page shows what is stored.
NOTHING_REFUSED = Refused()


@dataclass(frozen=True, slots=True)
class Applied(Generic[T]):
    """A change that was committed, with what it returned (always true, so ``if commit_change(...)``)."""

    value: T


def _named(form, name: str):
    """The field whose posted name is ``name``, also inside a group (``FormField``: "D-M1-start")."""
    for field in form:
        if field.name == name:
            return field
        if isinstance(field, FormField) and name.startswith(field.name):
            found = _named(field.form, name)
            if found is not None:
                return found
    return None


def put_error(form, error: DomainError, fields: dict[str, str] | None = None) -> None:
    """A rule's refusal shown where the user will look: beside its field, else at the top of the form.
    ``fields`` names the form's field for a rule's field when they differ (``ends_at`` → ``end_time``)."""
    name = (fields or {}).get(error.field or "", error.field)
    field = _named(form, name) if name else None
    if field is not None:
        field.errors = [*field.errors, str(error)]
    else:
        form.form_errors.append(str(error))
    form._errors = None  # WTForms caches ``form.errors``: let it be read again with this one


def commit_change(
    change: Callable[[], T],
    done: str | Callable[[T], str] | None = None,
    form=None,
    fields: dict[str, str] | None = None,
) -> Applied[T] | None:
    """Run ``change``; commit and flash ``done`` (a message, or one made from the change's result). When a
    rule refuses it (:class:`DomainError`), roll back so that nothing of it is kept, and put the rule's
    message on its field of ``form`` (or flash it when the post has no form to show again). Returns the
    applied change, or None when it was refused."""
    try:
        value = change()
    except DomainError as error:
        db.session.rollback()
        change_refused()
        if form is None:
            flash(str(error), "error")
        else:
            put_error(form, error, fields)
        return None
    db.session.commit()
    if done is not None:
        flash(done(value) if callable(done) else done, "success")
    return Applied(value)

"""What every domain's forms share: fields whose refusals speak Japanese, and :func:`commit_change`, the
one way a view applies a form's change (all or nothing; a rule's refusal shown beside its field)."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Generic, TypeVar

from flask import flash
from flask_babel import lazy_gettext as _l
from wtforms import DateField, FormField, IntegerField, SelectMultipleField, TimeField
from wtforms.validators import ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from hubapp.common.errors import DomainError
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


class _BlankIsNone:
    """A typed field where blank means no value (whether one is needed is a validator's or a service's
    rule) and anything unreadable gets the field's own message instead of WTForms' generic one."""

    default_invalid = _l("正しく入力してください。")

    def __init__(self, *args, invalid=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.invalid = invalid or self.default_invalid

    def process_formdata(self, valuelist):
        if not valuelist or not "".join(valuelist).strip():
            self.data = None
            return
        try:
            self.data = self.read(valuelist[0].strip())
        except (ValueError, OverflowError):
            self.data = None
            raise ValueError(self.invalid) from None


class NumberField(_BlankIsNone, IntegerField):
    """A whole number; full-width digits are read as typed (「１２」), anything else refused."""

    default_invalid = _l("数字で入力してください。")

    @staticmethod
    def read(text: str) -> int:
        if not (text.isdecimal() and len(text) <= 12):  # what int() reads ("１２" yes, "²" no), and short
            raise ValueError(text)
        return int(text)


class DayField(_BlankIsNone, DateField):
    default_invalid = _l("日付を正しく入力してください。")

    @staticmethod
    def read(text: str) -> date:
        return date.fromisoformat(text)


class ClockField(_BlankIsNone, TimeField):
    default_invalid = _l("時刻を「17:00」の形で入力してください。")

    @staticmethod
    def read(text: str) -> time:
        return datetime.strptime(text, "%H:%M").time() if len(text) <= 5 else time.fromisoformat(text)


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


def put_error(form, error: DomainError) -> None:
    """A rule's refusal shown where the user will look: beside its field, else at the top of the form."""
    field = _named(form, error.field) if error.field else None
    if field is not None:
        field.errors = [*field.errors, str(error)]
    else:
        form.form_errors.append(str(error))
    form._errors = None  # WTForms caches ``form.errors``: let it be read again with this one


def commit_change(
    change: Callable[[], T], done: str | Callable[[T], str] | None = None, form=None
) -> Applied[T] | None:
    """Run ``change``; commit and flash ``done`` (a message, or one made from the change's result). When a
    rule refuses it (:class:`DomainError`), roll back so that nothing of it is kept, and put the rule's
    message on its field of ``form`` (or flash it when the post has no form to show again). Returns the
    applied change, or None when it was refused."""
    try:
        value = change()
    except DomainError as error:
        db.session.rollback()
        if form is None:
            flash(str(error), "error")
        else:
            put_error(form, error)
        return None
    db.session.commit()
    if done is not None:
        flash(done(value) if callable(done) else done, "success")
    return Applied(value)

"""Japan time, one place: the zone, today's date in Japan, a Japanese wall-clock time as an aware
datetime, and the Japanese day of a stored (UTC) moment. The server may run in UTC: at 08:00 JST it is
still yesterday there, so no code asks the server's clock for a date."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

JST = ZoneInfo("Asia/Tokyo")


def today() -> date:
    """Today in Japan."""
    return datetime.now(JST).date()


def jst_datetime(day: date, at: time) -> datetime:
    """A date and wall-clock time in Japan as an aware datetime (stored in UTC)."""
    return datetime.combine(day, at, tzinfo=JST)


def jst_day(moment: datetime) -> date:
    """The day in Japan of an aware moment."""
    return moment.astimezone(JST).date()

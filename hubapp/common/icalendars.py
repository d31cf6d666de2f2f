"""What every calendar file hubapp writes says about itself (meetings' invitations and feeds, the rota's
feeds): its producer, its time zone and how often a subscribed calendar should fetch it again."""

from datetime import timedelta

PRODID = "-//hubapp//在宅医療連携//JA"
TZID = "Asia/Tokyo"
#: How often subscribed calendars should fetch the feed again (Google decides for itself, Apple and
#: Outlook honour these).
FEED_REFRESH = timedelta(hours=1)

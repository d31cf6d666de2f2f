"""会議・研修: meetings, trainings and public events, their attendance, minutes, issues and calendars."""

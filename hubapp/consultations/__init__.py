"""相談支援: the hub's consultation log, its follow-ups, and the monthly and 年度 statistics."""

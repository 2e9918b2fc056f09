"""Card layouts as plain data: Adaptive Cards for Teams (`adaptive`), Block Kit for Slack (`blocks`)."""

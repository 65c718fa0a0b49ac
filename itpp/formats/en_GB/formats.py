"""British English dates as the pages have always written them (Django's en_GB, with a 24-hour
clock). The LONG_ names are this project's own; every language here defines them."""

DATE_FORMAT = "j M Y"  # 30 Nov 2026
DATETIME_FORMAT = "j M Y H:i"  # 30 Nov 2026 14:05
LONG_DATE_FORMAT = "j F Y"  # 30 November 2026
LONG_DATETIME_FORMAT = "j F Y, H:i"  # 30 November 2026, 14:05
WEEKDAY_DATE_FORMAT = "D j M Y"  # Mon 30 Nov 2026

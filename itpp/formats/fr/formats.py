"""French dates; the LONG_ names are this project's own (see itpp/formats/en_GB)."""

DATE_FORMAT = "j N Y"  # 30 nov. 2026
DATETIME_FORMAT = "j N Y H:i"  # 30 nov. 2026 14:05
LONG_DATE_FORMAT = "j F Y"  # 30 novembre 2026
LONG_DATETIME_FORMAT = "j F Y, H:i"  # 30 novembre 2026, 14:05
WEEKDAY_DATE_FORMAT = "D j N Y"  # lun 30 nov. 2026

"""Japanese dates (年月日); the LONG_ names are this project's own (see itpp/formats/en_GB)."""

DATE_FORMAT = "Y年n月j日"  # 2026年11月30日
DATETIME_FORMAT = "Y年n月j日 H:i"  # 2026年11月30日 14:05
LONG_DATE_FORMAT = "Y年n月j日"
LONG_DATETIME_FORMAT = "Y年n月j日 H:i"
WEEKDAY_DATE_FORMAT = "Y年n月j日（D）"  # 2026年11月30日（月）

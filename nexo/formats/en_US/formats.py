"""English as it is written in the United States: month first (12/06/2026 is December 6).

Chosen only for a reader whose browser asks for American English (Accept-Language en-US); every other
English reader gets `nexo.formats.en`, day first. ISO dates (2026-12-06) are accepted as well. The clock
stays 24-hour, as in the rest of the application, so a time never ends a sentence in "p.m.".
"""

from django.conf.locale.en.formats import (  # noqa: F401
    DECIMAL_SEPARATOR,
    FIRST_DAY_OF_WEEK,
    MONTH_DAY_FORMAT,
    NUMBER_GROUPING,
    THOUSAND_SEPARATOR,
    YEAR_MONTH_FORMAT,
)

DATE_FORMAT = "F j, Y"  # December 6, 2026
SHORT_DATE_FORMAT = "m/d/Y"  # 12/06/2026
TIME_FORMAT = "H:i"  # 14:30
DATETIME_FORMAT = "F j, Y, H:i"  # December 6, 2026, 14:30
SHORT_DATETIME_FORMAT = "m/d/Y H:i"  # 12/06/2026 14:30
DATE_INPUT_FORMATS = ["%m/%d/%Y", "%m/%d/%y", "%Y-%m-%d"]
DATETIME_INPUT_FORMATS = [
    "%m/%d/%Y %H:%M:%S", "%m/%d/%Y %H:%M", "%m/%d/%y %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M",
]  # fmt: skip

"""English as it is written in Europe: day first (06/12/2026 is 6 December), a 24-hour clock.

Django's `en` formats are American (month first, "2:30 p.m."): an en-GB reader would take 06/12/2026 for
12 June, and a time ending a sentence would end in "p.m..". ISO dates (2026-12-06) are accepted as well.
"""

from django.conf.locale.en_GB.formats import (  # noqa: F401
    DECIMAL_SEPARATOR,
    FIRST_DAY_OF_WEEK,
    MONTH_DAY_FORMAT,
    NUMBER_GROUPING,
    THOUSAND_SEPARATOR,
    YEAR_MONTH_FORMAT,
)

DATE_FORMAT = "j F Y"  # 6 December 2026
SHORT_DATE_FORMAT = "d/m/Y"  # 06/12/2026
TIME_FORMAT = "H:i"  # 14:30
DATETIME_FORMAT = "j F Y, H:i"  # 6 December 2026, 14:30
SHORT_DATETIME_FORMAT = "d/m/Y H:i"  # 06/12/2026 14:30
DATE_INPUT_FORMATS = ["%d/%m/%Y", "%d/%m/%y", "%Y-%m-%d"]
DATETIME_INPUT_FORMATS = [
    "%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%y %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M",
]  # fmt: skip

"""Dutch as written in Belgium (nl-BE): short dates "02/12/2026", not the Netherlands' "2-12-2026".

Django reads ``django.conf.locale.nl.formats`` for any name this module does not set (the
input formats, which accept both "2-12-2026" and "02/12/2026").
"""

DATE_FORMAT = "j F Y"  # 2 december 2026
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "j F Y H:i"  # 2 december 2026 14:30 (Django's Dutch)
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "j F"
SHORT_DATE_FORMAT = "d/m/Y"  # 02/12/2026
SHORT_DATETIME_FORMAT = "d/m/Y H:i"  # 02/12/2026 14:30
FIRST_DAY_OF_WEEK = 1  # maandag
DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "."
NUMBER_GROUPING = 3

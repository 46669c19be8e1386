"""Each desil list's period: from its PERIODE column, else its file name, else the file's date.

>>> period_from_text("Juli 2026"), period_from_text("2026-07"), period_from_text("07/2026")
(datetime.date(2026, 7, 1), datetime.date(2026, 7, 1), datetime.date(2026, 7, 1))
>>> period_from_text("Pemeringkatan Desil Kapong 2026-01.xlsx")
datetime.date(2026, 1, 1)
>>> period_from_text("desil_kapong_JANUARI_2026.csv"), period_from_text("desil kapong.csv")
(datetime.date(2026, 1, 1), None)
"""

from __future__ import annotations

import re
from datetime import date

MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("JANUARI", "JAN"),
            ("FEBRUARI", "PEBRUARI", "FEB", "PEB"),
            ("MARET", "MAR"),
            ("APRIL", "APR"),
            ("MEI",),
            ("JUNI", "JUN"),
            ("JULI", "JUL"),
            ("AGUSTUS", "AGT", "AGU", "AUG"),
            ("SEPTEMBER", "SEP", "SEPT"),
            ("OKTOBER", "OKT", "OCT"),
            ("NOVEMBER", "NOPEMBER", "NOV", "NOP"),
            ("DESEMBER", "DES", "DEC"),
        ),
        start=1,
    )
    for name in names
}
_YEAR_MONTH = re.compile(r"(?<!\d)(20\d\d)[-_./ ]?(0[1-9]|1[0-2])(?!\d)")
_MONTH_YEAR = re.compile(r"(?<!\d)(0?[1-9]|1[0-2])[-_./ ](20\d\d)(?!\d)")
_NAMED = re.compile(r"(?<![A-Z])([A-Z]{3,9})[-_. ]*(20\d\d)(?!\d)")
_YEAR = re.compile(r"(?<!\d)(20\d\d)(?!\d)")


def period_from_text(text: str | None) -> date | None:
    """The first of the month a text names ("Juli 2026", "2026-07", "07/2026"), or None."""
    if not text:
        return None
    upper = text.upper()
    for match in _NAMED.finditer(upper):
        month = MONTHS.get(match.group(1))
        if month:
            return date(int(match.group(2)), month, 1)
    found = _YEAR_MONTH.search(upper)
    if found:
        return date(int(found.group(1)), int(found.group(2)), 1)
    found = _MONTH_YEAR.search(upper)
    if found:
        return date(int(found.group(2)), int(found.group(1)), 1)
    return None

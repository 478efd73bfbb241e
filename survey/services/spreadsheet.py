"""Spreadsheet formula safety: the one home of the rule applied to text cells of CSV, XLSX and the QR index.

A cell whose text begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is a formula to Excel and
LibreOffice ("CSV injection", OWASP: https://owasp.org/www-community/attacks/CSV_Injection). In CSV it is
written with a leading ``'``, which the spreadsheet shows as text; in XLSX it is stored as a text cell with the
quote-prefix flag (what typing ``'`` in Excel sets). Parquet, SPSS and Stata files keep the raw value.
"""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def is_formula(text: str) -> bool:
    """True if a spreadsheet would read ``text`` as a formula."""
    return text.startswith(FORMULA_STARTS)


def safe_text(text: str) -> str:
    """``text`` for a CSV cell: prefixed with ``'`` when a spreadsheet would read it as a formula."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def formula_array(texts):
    """:func:`is_formula` of every cell of a pyarrow string array at once (null for a null cell)."""
    import pyarrow.compute as pc

    formula = pc.starts_with(texts, FORMULA_STARTS[0])
    for start in FORMULA_STARTS[1:]:
        formula = pc.or_(formula, pc.starts_with(texts, start))
    return formula


def safe_text_array(texts):
    """:func:`safe_text` of every cell of a pyarrow string array at once (nulls stay null)."""
    import pyarrow.compute as pc

    return pc.if_else(formula_array(texts), pc.binary_join_element_wise("'", texts, ""), texts)

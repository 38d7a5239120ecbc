"""Invoicing's states and series, pure (no Django)."""

from nexo.core.rules import Lifecycle

# An invoice (or credit note, or supplier invoice) is a draft until posted; posting gives it its number and
# freezes it. Only a draft can be deleted; a posted one is corrected by a credit note.
DRAFT, POSTED = "draft", "posted"
INVOICE_LIFECYCLE = Lifecycle("invoice", {DRAFT: frozenset({POSTED}), POSTED: frozenset()})

# Invoice types as the AEAT names them (VERI*FACTU, SII): F1 a complete invoice, F2 a simplified one (no
# customer tax id, counter sales), R1 a credit note on an error of law (art. 80 Uno, Dos, Seis LIVA), R4 the
# others, R5 a credit note of a simplified invoice.
F1, F2, R1, R4, R5 = "F1", "F2", "R1", "R4", "R5"

# Default series codes (a company can change them in its invoicing settings): numbers read F-2026-000123.
INVOICE_SERIES, CREDIT_NOTE_SERIES, SIMPLIFIED_SERIES, SUPPLIER_INVOICE_SERIES = "F", "R", "FS", "FR"


def invoice_number(series: str, year: int, sequence: int) -> str:
    return f"{series}-{year}-{sequence:06d}"

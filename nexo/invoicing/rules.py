"""Invoicing's states and series, pure (no Django)."""

from nexo.core.rules import Lifecycle

# An invoice (or credit note, or supplier invoice) is a draft until posted; posting gives it its number and
# freezes it. Only a draft can be deleted; a posted one is corrected by a credit note. A customer invoice
# or credit note issued by mistake can be cancelled once posted (an anulación under VERI*FACTU): it keeps
# its number and stays as frozen as a posted one.
DRAFT, POSTED, CANCELLED = "draft", "posted", "cancelled"
INVOICE_LIFECYCLE = Lifecycle(
    "invoice", {DRAFT: frozenset({POSTED}), POSTED: frozenset({CANCELLED}), CANCELLED: frozenset()}
)
# A supplier invoice is the supplier's document: a mistake in it is corrected by the supplier, not cancelled.
SUPPLIER_INVOICE_LIFECYCLE = Lifecycle("supplier invoice", {DRAFT: frozenset({POSTED}), POSTED: frozenset()})
#: The states in which an invoice has a number and never changes again (the database triggers' list).
ISSUED_STATES = (POSTED, CANCELLED)

# Invoice types as the AEAT names them (VERI*FACTU, SII): F1 a complete invoice, F2 a simplified one (no
# customer tax id, counter sales), R1 a credit note on an error of law (art. 80 Uno, Dos, Seis LIVA), R4 the
# others, R5 a credit note of a simplified invoice.
F1, F2, R1, R4, R5 = "F1", "F2", "R1", "R4", "R5"

# Default series codes (a company can change them in its invoicing settings): numbers read F-2026-000123.
INVOICE_SERIES, CREDIT_NOTE_SERIES, SIMPLIFIED_SERIES, SUPPLIER_INVOICE_SERIES = "F", "R", "FS", "FR"


def invoice_number(series: str, year: int, sequence: int) -> str:
    return f"{series}-{year}-{sequence:06d}"

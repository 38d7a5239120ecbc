"""SEPA direct debit rules on plain values: the identifiers a pain.008 file carries (mandate references and
end-to-end ids in the SEPA character set), the creditor identifier's check digits, amounts in cents, and
what a bank's return reason does to the mandate. No Django here (import-linter)."""

import re
from decimal import Decimal

from nexo.payments.rules.bank_accounts import creditor_check_digits

#: The Latin character set every SEPA identifier is restricted to (EPC guidelines), at most 35 characters,
#: not starting or ending with "/" and never "//".
SEPA_ID = re.compile(r"[A-Za-z0-9/\-?:().,'+ ]{1,35}")
#: A creditor identifier: country, 2 check digits, a 3-character business code, the national identifier.
CREDITOR_ID = re.compile(r"([A-Z]{2})(\d{2})([A-Za-z0-9]{3})([A-Za-z0-9]{1,28})")

FIRST, RECURRING = "FRST", "RCUR"

#: Return reasons (R-transactions) that say the mandate or the account behind it can no longer be charged:
#: the mandate is deactivated until someone checks it with the customer.
MANDATE_INVALID = frozenset({"AC01", "AC04", "AC06", "AC13", "AG01", "MD01", "MD02", "MD07", "BE05", "RC01"})


def sepa_id_valid(value: str) -> bool:
    """An identifier a SEPA file may carry (mandate reference, end-to-end id)."""
    return (
        bool(SEPA_ID.fullmatch(value))
        and not value.startswith("/")
        and not value.endswith("/")
        and ("//" not in value)
    )


def creditor_id_valid(value: str) -> bool:
    """A SEPA creditor identifier whose check digits agree (the business code does not count):
    `ES` `46` `000` `B46123451`."""
    found = CREDITOR_ID.fullmatch(value or "")
    if found is None:
        return False
    country, check, _business, national = found.groups()
    return creditor_check_digits(country, national.upper()) == check


def creditor_id_for(country: str, national_id: str, business_code: str = "000") -> str:
    """The creditor identifier of a national id (a company's tax id), with its check digits."""
    national = re.sub(r"[^A-Za-z0-9]", "", national_id).upper()
    return f"{country.upper()}{creditor_check_digits(country.upper(), national)}{business_code}{national}"


def cents(amount: Decimal) -> int:
    """An amount of 2 decimals as whole cents (sepaxml counts in cents: no float on the way)."""
    return int((amount * 100).to_integral_value())


def end_to_end_id(remittance_number: str, position: int) -> str:
    """The line's id the bank sends back with a return: the remittance's number and the line's position."""
    return f"{remittance_number}-{position:04d}"[:35]


def sequence_after_return(line_sequence: str, collected_before: bool) -> str | None:
    """The mandate's next sequence type after a return: FRST again when the first collection came back and
    none went through before (the bank never saw a valid first debit); None: unchanged."""
    if line_sequence == FIRST and not collected_before:
        return FIRST
    return None


__all__ = [
    "FIRST",
    "MANDATE_INVALID",
    "RECURRING",
    "cents",
    "creditor_id_for",
    "creditor_id_valid",
    "end_to_end_id",
    "sepa_id_valid",
    "sequence_after_return",
]

"""The SEPA creditor identifier's check digits (EPC262-08): ISO 7064 mod 97-10, as an IBAN's, computed over
the national identifier followed by the country code and "00"; the three-character business code between
them is left out, so a company may change it without new check digits."""


def _as_digits(text: str) -> int:
    """ISO 7064 letters as numbers (A=10 … Z=35), digits as themselves."""
    return int("".join(str(int(char, 36)) for char in text))


def creditor_check_digits(country: str, national_id: str) -> str:
    """The two check digits of the creditor identifier of `national_id` in `country` ("ES", "B46123451")."""
    return f"{98 - _as_digits(f'{national_id}{country}00') % 97:02d}"

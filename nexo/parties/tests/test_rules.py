import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum.es import dni

from nexo.parties.rules import InvalidTaxId, TaxIdProblem, normalize_tax_id


@pytest.mark.parametrize(
    ("typed", "country", "stored"),
    [
        ("12345678Z", "ES", "12345678Z"),  # DNI
        ("x-1234567-l", "ES", "X1234567L"),  # NIE, typed loosely
        ("B12345674", "ES", "B12345674"),  # CIF
        ("ES B-12345674", "ES", "ESB12345674"),  # Spanish VAT number
        ("FR 40 303 265 045", "FR", "FR40303265045"),
        ("40303265045", "FR", "FR40303265045"),  # French party without prefix
        ("PT501964843", "ES", "PT501964843"),  # the prefix decides
        ("", "ES", ""),
        ("123-456-789", "US", "123456789"),  # outside the EU: kept, compacted
    ],
)
def test_valid_tax_ids_are_stored_compact(typed, country, stored):
    assert normalize_tax_id(typed, country) == stored


@pytest.mark.parametrize(
    ("typed", "country", "problem"),
    [
        ("12345678A", "ES", TaxIdProblem.CHECKSUM),
        ("B12345678", "ES", TaxIdProblem.CHECKSUM),
        ("1234", "ES", TaxIdProblem.LENGTH),
        ("FR40303265046", "FR", TaxIdProblem.CHECKSUM),
    ],
)
def test_invalid_tax_ids_name_the_problem(typed, country, problem):
    with pytest.raises(InvalidTaxId) as caught:
        normalize_tax_id(typed, country)
    assert caught.value.problem == problem


@given(st.integers(min_value=0, max_value=99_999_999))
def test_every_dni_with_its_letter_is_valid_and_any_other_letter_is_not(number):
    digits = f"{number:08d}"
    letter = dni.calc_check_digit(digits)
    assert normalize_tax_id(digits + letter, "ES") == digits + letter
    wrong = "TRWAGMYFPDXBNJZSQVHLCKE"[("TRWAGMYFPDXBNJZSQVHLCKE".index(letter) + 1) % 23]
    with pytest.raises(InvalidTaxId):
        normalize_tax_id(digits + wrong, "ES")

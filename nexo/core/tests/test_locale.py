"""Dates, currencies and sentences as the reader's language writes them."""

from datetime import date, datetime
from decimal import Decimal

from django import forms
from django.template import Context, Template
from django.urls import reverse
from django.utils import formats, translation

from nexo.core.formatting import currency_symbol, day_text, money, sentence


def test_english_dates_are_day_first_when_shown_and_when_typed():
    with translation.override("en"):
        assert formats.date_format(date(2026, 12, 6), "SHORT_DATE_FORMAT") == "06/12/2026"
        assert forms.DateField().clean("06/12/2026") == date(2026, 12, 6)  # 6 December, not 12 June
        assert forms.DateField().clean("2026-12-06") == date(2026, 12, 6)
        assert formats.time_format(datetime(2026, 12, 6, 14, 30)) == "14:30"  # no "p.m." to end a sentence
    with translation.override("es"):
        assert forms.DateField().clean("06/12/2026") == date(2026, 12, 6)


def test_a_date_in_a_sentence_is_written_for_the_language():
    with translation.override("en"):
        assert day_text(date(2027, 1, 5)) == "5 January 2027"
    with translation.override("es"):
        assert day_text(date(2027, 1, 5)) == "5 de enero de 2027"
    assert day_text(None) == ""


def test_one_currency_display_the_symbol_money_uses():
    for language in ("es", "en"):
        with translation.override(language):
            assert currency_symbol("EUR") == "€" and "€" in money(Decimal("3.69"))
    html = Template("{% load nexo %}{{ code|currency_symbol }}").render(Context({"code": "EUR"}))
    assert html == "€"


def test_no_doubled_full_stop_after_an_abbreviation():
    assert sentence("Now working in Otra Empresa, S.A..") == "Now working in Otra Empresa, S.A."
    assert sentence("Called at 9 a.m..") == "Called at 9 a.m."
    assert sentence("Wait...") == "Wait..." and sentence("Done.") == "Done."
    html = Template("{% load nexo %}{% filter sentence %}{{ name }}.{% endfilter %}").render(
        Context({"name": "Turia, S.L."})
    )
    assert html == "Turia, S.L."


def test_switching_company_names_it_with_one_full_stop(client, manager_user, other_company):
    client.force_login(manager_user)
    response = client.post(
        reverse("company_switch"), {"company": other_company.pk}, follow=True, HTTP_ACCEPT_LANGUAGE="en"
    )
    html = response.content.decode()
    assert "Now working in Otra Empresa, S.A." in html and "S.A.." not in html

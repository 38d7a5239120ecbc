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


def test_american_english_is_month_first_other_english_day_first():
    from nexo.core.middleware import english_for

    assert english_for("en-US,en;q=0.9") == "en-us"
    assert english_for("en-GB,en-US;q=0.8") == "en"  # the first English asked for decides
    assert english_for("es-ES,en-US;q=0.5") == "en-us"
    assert english_for("en") == "en" and english_for("") == "en" and english_for("fr-FR") == "en"
    with translation.override("en-us"):
        assert formats.date_format(date(2026, 12, 6), "SHORT_DATE_FORMAT") == "12/06/2026"
        assert day_text(date(2027, 1, 5)) == "January 5, 2027"
        assert forms.DateField().clean("12/06/2026") == date(2026, 12, 6)
        assert forms.DateField().clean("2026-12-06") == date(2026, 12, 6)
        assert "€" in money(Decimal("3.69"))


def test_an_english_reader_gets_the_dates_of_the_browsers_region(client, manager_user):
    manager_user.language = "en"
    manager_user.save(update_fields=["language"])
    client.force_login(manager_user)
    american = client.get(reverse("profile"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    british = client.get(reverse("profile"), HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9")
    assert '<html lang="en-us">' in american.content.decode()
    assert '<html lang="en">' in british.content.decode()
    # The language menu still marks English as chosen for an American reader.
    assert '<option value="en" selected>' in american.content.decode()
    spanish_user_page = client.get(reverse("profile"), HTTP_ACCEPT_LANGUAGE="es-ES")
    assert '<html lang="en">' in spanish_user_page.content.decode()  # the user's own choice wins

"""The invoice tax engine: the issue's figures, the tax position table, and Hypothesis properties with exact
Decimal equality. Pure: no database."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nexo.core.rules import round_money
from nexo.invoicing import tax
from nexo.invoicing.tax import (
    DOMESTIC,
    EU_SERVICE_REVERSE_CHARGE,
    EXPORT_GOODS,
    INTRA_EU_GOODS,
    SERVICE_OUTSIDE_EU,
    Supply,
    TaxableLine,
    invoice_taxes,
    recargo_rate_for,
    tax_position,
)

D = Decimal
HALF_CENT = D("0.005")
GOODS, SERVICE = Supply.GOODS, Supply.SERVICE


# The figures


def test_tax_per_rate_is_computed_on_the_sum_of_its_bases_not_per_line():
    """Three lines of 0.15 at 10 %: 0.045 on the summed base rounds to 0.05; per line it would be 3 x 0.02."""
    taxes = invoice_taxes([TaxableLine(D("0.15"), D(10))] * 3)
    (group,) = taxes.vat_groups
    assert (group.base, group.vat) == (D("0.45"), D("0.05"))
    assert sum(round_money(D("0.15") * 10 / 100) for _ in range(3)) == D("0.06")
    assert (taxes.total, taxes.amount_due) == (D("0.50"), D("0.50"))


def test_recargo_de_equivalencia_is_added_to_the_total():
    """Base 100.00 at 21 % with recargo 5.2 % → 21.00 VAT, 5.20 recargo, total 126.20."""
    retailer = tax_position(
        issuer_country="ES", customer_country="ES", customer_has_valid_eu_vat=True, supply=GOODS,
        customer_subject_to_recargo=True,
    )  # fmt: skip
    taxes = invoice_taxes([retailer.line(base=D("100.00"), vat_rate=D(21))])
    assert taxes.vat_groups == (tax.VatGroup(DOMESTIC, D(21), D("5.2"), D("100.00"), D("21.00"), D("5.20")),)
    assert (taxes.vat, taxes.recargo, taxes.total, taxes.amount_due) == (
        D("21.00"),
        D("5.20"),
        D("126.20"),
        D("126.20"),
    )


def test_irpf_is_withheld_from_the_amount_due_not_from_the_total():
    """A 1,000.00 professional service at 21 % with IRPF 15 %: total 1,210.00, withholding 150.00, due 1,060.00."""
    business = tax_position(
        issuer_country="ES", customer_country="ES", customer_has_valid_eu_vat=True, supply=SERVICE,
        customer_withholds_irpf=True, withholding_applies=True,
    )  # fmt: skip
    taxes = invoice_taxes([business.line(base=D("1000.00"), vat_rate=D(21), irpf_rate=D(15))])
    assert taxes.withholding_groups == (tax.WithholdingGroup(D(15), D("1000.00"), D("150.00")),)
    assert (taxes.total, taxes.withholding, taxes.amount_due) == (D("1210.00"), D("150.00"), D("1060.00"))


@pytest.mark.parametrize(("vat_rate", "recargo"), [("21", "5.2"), ("10", "1.4"), ("4", "0.5"), ("0", "0")])
def test_the_recargo_that_goes_with_each_vat_rate(vat_rate, recargo):
    assert recargo_rate_for(D(vat_rate)) == D(recargo)
    assert recargo_rate_for(D(vat_rate).quantize(D("0.01"))) == D(recargo)


def test_a_vat_rate_without_recargo_is_refused_by_name():
    with pytest.raises(tax.UnknownVatRate, match=r"VAT 7\.5 %.*21, 10, 4, 0"):
        recargo_rate_for(D("7.5"))


def test_a_retailer_invoice_groups_by_rate_and_sums_to_its_totals():
    retailer = tax_position(
        issuer_country="ES", customer_country="ES", customer_has_valid_eu_vat=False, supply=GOODS,
        customer_subject_to_recargo=True,
    )  # fmt: skip
    lines = [
        retailer.line(base=D("33.33"), vat_rate=D(10)),
        retailer.line(base=D("250.00"), vat_rate=D(21)),
        retailer.line(base=D("12.34"), vat_rate=D(4)),
        retailer.line(base=D("66.67"), vat_rate=D(10)),
    ]
    taxes = invoice_taxes(lines)
    assert [(g.vat_rate, g.recargo_rate, g.base, g.vat, g.recargo) for g in taxes.vat_groups] == [
        (D(21), D("5.2"), D("250.00"), D("52.50"), D("13.00")),
        (D(10), D("1.4"), D("100.00"), D("10.00"), D("1.40")),
        (D(4), D("0.5"), D("12.34"), D("0.49"), D("0.06")),
    ]
    assert (taxes.base, taxes.vat, taxes.recargo, taxes.total) == (
        D("362.34"),
        D("62.99"),
        D("14.46"),
        D("439.79"),
    )
    assert taxes.legal_texts == ()


# Tax position


def position(customer_country="ES", supply=GOODS, valid_vat=False, **flags):
    return tax_position(
        issuer_country="ES", customer_country=customer_country, customer_has_valid_eu_vat=valid_vat,
        supply=supply, **flags,
    )  # fmt: skip


RECARGO = {"customer_subject_to_recargo": True}
IRPF = {"customer_withholds_irpf": True, "withholding_applies": True}


@pytest.mark.parametrize(
    ("customer_country", "supply", "valid_vat", "flags", "treatment", "recargo", "irpf"),
    [
        # In Spain
        ("ES", GOODS, True, {}, DOMESTIC, False, False),
        ("es", GOODS, False, RECARGO, DOMESTIC, True, False),
        ("ES", SERVICE, False, RECARGO, DOMESTIC, False, False),  # recargo is on goods only
        ("ES", SERVICE, True, IRPF, DOMESTIC, False, True),
        (
            "ES",
            SERVICE,
            True,
            {"customer_withholds_irpf": True},
            DOMESTIC,
            False,
            False,
        ),  # not a withheld item
        (
            "ES",
            SERVICE,
            True,
            {"withholding_applies": True},
            DOMESTIC,
            False,
            False,
        ),  # a customer who does not withhold
        ("ES", SERVICE, True, {**IRPF, "exemption_art20": 3}, tax.exempt_art20(3), False, True),
        ("ES", GOODS, False, {**RECARGO, "exemption_art20": 9}, tax.exempt_art20(9), False, False),
        # Another EU state
        ("FR", GOODS, True, {}, INTRA_EU_GOODS, False, False),
        ("DE", SERVICE, True, {}, EU_SERVICE_REVERSE_CHARGE, False, False),
        ("FR", GOODS, True, {**RECARGO, **IRPF}, INTRA_EU_GOODS, False, False),
        ("IT", SERVICE, True, {"exemption_art20": 9}, EU_SERVICE_REVERSE_CHARGE, False, False),
        ("PT", GOODS, False, {}, DOMESTIC, False, False),  # a consumer: Spanish VAT
        ("PT", SERVICE, False, {}, DOMESTIC, False, False),
        ("PT", SERVICE, False, {"exemption_art20": 9}, tax.exempt_art20(9), False, False),
        ("FR", GOODS, False, {**RECARGO, **IRPF}, DOMESTIC, False, False),  # recargo and IRPF are Spanish
        # Outside the EU
        ("US", GOODS, False, {}, EXPORT_GOODS, False, False),
        ("GB", GOODS, True, {}, EXPORT_GOODS, False, False),
        ("CH", SERVICE, False, {}, SERVICE_OUTSIDE_EU, False, False),
        ("US", SERVICE, True, {**RECARGO, **IRPF, "exemption_art20": 9}, SERVICE_OUTSIDE_EU, False, False),
    ],
)
def test_tax_position(customer_country, supply, valid_vat, flags, treatment, recargo, irpf):
    result = position(customer_country, supply, valid_vat, **flags)
    assert result == tax.TaxPosition(treatment, charges_recargo=recargo, withholds_irpf=irpf)


@pytest.mark.parametrize(
    ("treatment", "es", "en"),
    [
        (INTRA_EU_GOODS, "Entrega intracomunitaria exenta \u2013 art. 25 Ley 37/1992", "Exempt intra-Community supply \u2013 art. 25 Law 37/1992"),
        (EXPORT_GOODS, "Exportación exenta \u2013 art. 21 Ley 37/1992", "Exempt export \u2013 art. 21 Law 37/1992"),
        (EU_SERVICE_REVERSE_CHARGE, "Inversión del sujeto pasivo \u2013 art. 69.Uno.1º Ley 37/1992 y art. 196 Directiva 2006/112/CE",
         "Reverse charge \u2013 art. 69.One.1 Law 37/1992 and art. 196 Directive 2006/112/EC"),
        (SERVICE_OUTSIDE_EU, "Operación no sujeta al IVA español \u2013 art. 69 Ley 37/1992", "Not subject to Spanish VAT \u2013 art. 69 Law 37/1992"),
        (tax.exempt_art20(9), "Operación exenta \u2013 art. 20.Uno.9º Ley 37/1992", "Exempt operation \u2013 art. 20.One.9 Law 37/1992"),
    ],
)  # fmt: skip
def test_every_treatment_without_vat_prints_its_legal_text(treatment, es, en):
    assert not treatment.charges_vat
    assert treatment.legal_text == tax.LegalText(es, en)
    assert tax.treatment_of(treatment.code) == treatment


def test_domestic_vat_needs_no_legal_text_and_codes_round_trip():
    assert DOMESTIC.charges_vat and DOMESTIC.legal_text is None
    assert tax.treatment_of("domestic") is DOMESTIC
    for code in ("reverse_charge", "exempt_art20_", "exempt_art20_09", "exempt_art20_x", "", None):
        with pytest.raises(tax.UnknownTreatment):
            tax.treatment_of(code)
    for paragraph in (0, -1, True, "9"):
        with pytest.raises(tax.UnknownTreatment):
            tax.exempt_art20(paragraph)


@pytest.mark.parametrize(
    ("customer_country", "postal_code"),
    [("ES", "35001"), ("ES", "38300"), ("ES", " 51001"), ("ES", "52005"), ("IC", ""), ("ea", "")],
)
def test_the_canary_islands_ceuta_and_melilla_are_refused_not_taxed_as_domestic(
    customer_country, postal_code
):
    with pytest.raises(tax.UnsupportedTaxPosition, match="Canary Islands, Ceuta or Melilla"):
        tax_position(
            issuer_country="ES", customer_country=customer_country, customer_postal_code=postal_code,
            customer_has_valid_eu_vat=False, supply=GOODS,
        )  # fmt: skip


def test_a_peninsular_postal_code_is_domestic():
    for postal_code in ("28001", "08035", "07001", "53000", "", None):
        result = tax_position(
            issuer_country="ES", customer_country="ES", customer_postal_code=postal_code,
            customer_has_valid_eu_vat=False, supply=GOODS,
        )  # fmt: skip
        assert result.treatment == DOMESTIC


def test_an_issuer_outside_spain_and_a_malformed_country_are_refused():
    with pytest.raises(tax.UnsupportedTaxPosition, match="issuers established in Spain"):
        tax_position(
            issuer_country="FR", customer_country="ES", customer_has_valid_eu_vat=False, supply=GOODS
        )
    for country in ("", "ESP", "E1", None):
        with pytest.raises(tax.TaxRuleError, match="two-letter"):
            tax_position(
                issuer_country="ES", customer_country=country, customer_has_valid_eu_vat=False, supply=GOODS
            )
    with pytest.raises(ValueError):
        tax_position(
            issuer_country="ES", customer_country="ES", customer_has_valid_eu_vat=False, supply="rental"
        )


def test_a_position_without_vat_charges_neither_vat_nor_recargo_on_its_lines():
    stray_recargo = tax.TaxPosition(INTRA_EU_GOODS, charges_recargo=True, withholds_irpf=False)
    line = stray_recargo.line(base=D("100.00"), vat_rate=D(21), irpf_rate=D(15))
    assert (line.vat_rate, line.recargo_rate, line.irpf_rate, line.treatment) == (0, 0, 0, INTRA_EU_GOODS)
    taxes = invoice_taxes([line])
    assert (taxes.vat, taxes.recargo, taxes.total) == (D("0.00"), D("0.00"), D("100.00"))
    assert taxes.legal_texts == (INTRA_EU_GOODS.legal_text,)


def test_a_line_refuses_vat_under_a_treatment_that_charges_none():
    for vat_rate, recargo_rate in ((D(21), D(0)), (D(0), D("5.2"))):
        with pytest.raises(tax.InvalidTaxLine, match="intra_eu_goods"):
            TaxableLine(D("10.00"), vat_rate, recargo_rate, treatment=INTRA_EU_GOODS)


def test_legal_texts_are_printed_once_each_in_the_order_of_the_groups():
    lines = [
        TaxableLine(D("5.00"), D(0), treatment=EXPORT_GOODS),
        TaxableLine(D("7.00"), D(21)),
        TaxableLine(D("1.00"), D(0), treatment=tax.exempt_art20(9)),
        TaxableLine(D("3.00"), D(0), treatment=EXPORT_GOODS),
    ]
    taxes = invoice_taxes(lines)
    assert [group.treatment for group in taxes.vat_groups] == [DOMESTIC, tax.exempt_art20(9), EXPORT_GOODS]
    assert [group.base for group in taxes.vat_groups] == [D("7.00"), D("1.00"), D("8.00")]
    assert taxes.legal_texts == (tax.exempt_art20(9).legal_text, EXPORT_GOODS.legal_text)


# Bad input


@pytest.mark.parametrize(
    "line",
    [
        {"base": 0.15, "vat_rate": D(10)},
        {"base": D("0.15"), "vat_rate": 10.0},
        {"base": D("0.15"), "vat_rate": 10},
        {"base": D("0.15"), "vat_rate": D(21), "recargo_rate": 5.2},
        {"base": D("0.15"), "vat_rate": D(21), "irpf_rate": 15},
        {"base": "0.15", "vat_rate": D(21)},
    ],
)
def test_only_decimals_are_taken(line):
    with pytest.raises(TypeError, match="must be Decimal"):
        TaxableLine(**line)


def test_floats_are_refused_everywhere():
    with pytest.raises(TypeError):
        recargo_rate_for(21.0)
    with pytest.raises(TypeError):
        tax.TaxPosition(DOMESTIC).line(base=D("1.00"), vat_rate=21.0)
    with pytest.raises(TypeError):
        tax.TaxPosition(DOMESTIC).line(base=D("1.00"), vat_rate=D(21), irpf_rate=15.0)
    with pytest.raises(TypeError):
        invoice_taxes([(D("1.00"), D(21))])


@pytest.mark.parametrize(
    "line",
    [
        {"base": D("0.155"), "vat_rate": D(10)},
        {"base": D("NaN"), "vat_rate": D(10)},
        {"base": D("1.00"), "vat_rate": D("Infinity")},
        {"base": D("1.00"), "vat_rate": D(-21)},
        {"base": D("1.00"), "vat_rate": D(100)},
        {"base": D("1.00"), "vat_rate": D("21.005")},
        {"base": D("1.00"), "vat_rate": D(21), "irpf_rate": D(-15)},
    ],
)
def test_a_base_beyond_the_cent_or_a_rate_out_of_range_is_refused(line):
    with pytest.raises(tax.InvalidTaxLine):
        TaxableLine(**line)


# Properties

cents = st.integers(min_value=-(10**11), max_value=10**11).map(lambda n: D(n).scaleb(-2))
percents = st.integers(min_value=0, max_value=9999).map(lambda n: D(n).scaleb(-2))
vat_rates = st.one_of(st.sampled_from([D(21), D(10), D(4), D(0)]), percents)
irpf_rates = st.sampled_from([D(0), D(7), D(15), D(19)])
treatments = st.sampled_from(
    [DOMESTIC, DOMESTIC, INTRA_EU_GOODS, EU_SERVICE_REVERSE_CHARGE, EXPORT_GOODS, SERVICE_OUTSIDE_EU,
     tax.exempt_art20(9), tax.exempt_art20(20)]
)  # fmt: skip


@st.composite
def taxable_lines(draw):
    treatment = draw(treatments)
    if not treatment.charges_vat:
        return TaxableLine(draw(cents), D(0), D(0), draw(irpf_rates), treatment)
    vat_rate = draw(vat_rates)
    recargo = draw(
        st.one_of(st.just(D(0)), st.sampled_from(list(tax.RECARGO_BY_VAT_RATE.values())), percents)
    )
    return TaxableLine(draw(cents), vat_rate, recargo, draw(irpf_rates), treatment)


invoices = st.lists(taxable_lines(), max_size=30)


def group_key(line):
    return (line.treatment, line.vat_rate, line.recargo_rate)


@given(invoices)
def test_totals_are_the_sums_of_the_groups(lines):
    taxes = invoice_taxes(lines)
    assert (
        taxes.base
        == sum((g.base for g in taxes.vat_groups), D(0))
        == sum((line.base for line in lines), D(0))
    )
    assert taxes.vat == sum((g.vat for g in taxes.vat_groups), D(0))
    assert taxes.recargo == sum((g.recargo for g in taxes.vat_groups), D(0))
    assert taxes.withholding == sum((g.withholding for g in taxes.withholding_groups), D(0))
    assert taxes.total == taxes.base + taxes.vat + taxes.recargo
    assert taxes.amount_due == taxes.total - taxes.withholding


@given(invoices)
def test_each_group_is_taxed_once_on_the_sum_of_its_bases(lines):
    taxes = invoice_taxes(lines)
    assert len(taxes.vat_groups) == len({group_key(line) for line in lines})
    for group in taxes.vat_groups:
        base = sum(
            (
                line.base
                for line in lines
                if group_key(line) == (group.treatment, group.vat_rate, group.recargo_rate)
            ),
            D(0),
        )
        assert group.base == base
        assert group.vat == round_money(base * group.vat_rate / 100)
        assert group.recargo == round_money(base * group.recargo_rate / 100)
    for group in taxes.withholding_groups:
        base = sum((line.base for line in lines if line.irpf_rate == group.irpf_rate), D(0))
        assert group.irpf_rate > 0
        assert (group.base, group.withholding) == (base, round_money(base * group.irpf_rate / 100))
    assert {group.irpf_rate for group in taxes.withholding_groups} == {
        line.irpf_rate for line in lines if line.irpf_rate
    }


@given(invoices)
def test_rounding_stays_within_half_a_cent_per_group(lines):
    """Each group's tax is within half a cent of its lines' exact tax, so it never drifts from what per-line
    rounding would give by more than half a cent per line plus one."""
    taxes = invoice_taxes(lines)
    for group in taxes.vat_groups:
        members = [
            line for line in lines if group_key(line) == (group.treatment, group.vat_rate, group.recargo_rate)
        ]
        for amount, rate in ((group.vat, group.vat_rate), (group.recargo, group.recargo_rate)):
            exact = sum((line.base * rate / 100 for line in members), D(0))
            per_line = sum((round_money(line.base * rate / 100) for line in members), D(0))
            assert abs(amount - exact) <= HALF_CENT
            assert abs(per_line - exact) <= HALF_CENT * len(members)
            assert abs(amount - per_line) <= HALF_CENT * (len(members) + 1)


def negated(line):
    return TaxableLine(-line.base, line.vat_rate, line.recargo_rate, line.irpf_rate, line.treatment)


@given(invoices)
def test_a_credit_note_is_exactly_the_negation_of_its_invoice(lines):
    invoice = invoice_taxes(lines)
    credit = invoice_taxes([negated(line) for line in lines])
    assert credit.vat_groups == tuple(
        tax.VatGroup(g.treatment, g.vat_rate, g.recargo_rate, -g.base, -g.vat, -g.recargo)
        for g in invoice.vat_groups
    )
    assert credit.withholding_groups == tuple(
        tax.WithholdingGroup(g.irpf_rate, -g.base, -g.withholding) for g in invoice.withholding_groups
    )
    figures = ("base", "vat", "recargo", "withholding", "total", "amount_due")
    assert [getattr(credit, name) for name in figures] == [-getattr(invoice, name) for name in figures]


@given(invoices, st.randoms(use_true_random=False))
def test_the_order_of_the_lines_changes_nothing(lines, random):
    shuffled = list(lines)
    random.shuffle(shuffled)
    assert invoice_taxes(shuffled) == invoice_taxes(lines)
    assert [str(g.vat_rate) for g in invoice_taxes(shuffled).vat_groups] == [
        str(g.vat_rate) for g in invoice_taxes(lines).vat_groups
    ]


def test_no_lines_no_taxes():
    taxes = invoice_taxes([])
    assert (taxes.vat_groups, taxes.withholding_groups, taxes.legal_texts) == ((), (), ())
    figures = (taxes.base, taxes.vat, taxes.recargo, taxes.withholding, taxes.total, taxes.amount_due)
    assert [str(figure) for figure in figures] == ["0.00"] * 6

"""The financial statements of the PGC PYMES (Real Decreto 1515/2007, third part, "Cuentas anuales": the
balance and the profit and loss account of the SME models), as data: which accounts feed each line.

Each row is (key, Spanish label, English label, indentation level, what feeds it):
- a line fed by accounts lists code prefixes, "21 -281 -291 23": an account belongs to the line of the
  longest prefix that begins its code (so "2405" goes where 2405 is listed, before "24"). A minus marks an
  account that normally reduces the line (amortisation, impairment, returns, discounts, expenses): its balance
  sits on the other side, so it shows negative by itself; the arithmetic is the same for every prefix (see
  services/statements.py). A prefix followed by "@debit" or "@credit" takes only accounts whose balance is on
  that side: a bank account overdrawn (credit) is a debt with a credit institution, not negative cash;
- a total line starts with "=" and adds other lines of the same section, "= A.I + A.II + A.III".

The balance sheet's assets section shows debit balances as positive; equity and liabilities show credit
balances as positive; the profit and loss account shows income positive and expenses negative, as the models
print them. `RESULT` keys name the line that holds the year's result in each statement: the balance sheet's
A-1.VII takes 129 and every balance of groups 6 and 7 not yet regularised, so assets equal equity plus
liabilities at any date. Prefixes of one or two digits at the end of a section catch the accounts a company
adds under a group the model does not list one by one.
"""

BALANCE_SHEET = {
    "assets": [
        ("A", "A) ACTIVO NO CORRIENTE", "A) NON-CURRENT ASSETS", 0, "= A.I + A.II + A.III + A.IV + A.V + A.VI"),
        ("A.I", "I. Inmovilizado intangible", "I. Intangible assets", 1, "20 -280 -290"),
        ("A.II", "II. Inmovilizado material", "II. Property, plant and equipment", 1, "21 -281 -291 23"),
        ("A.III", "III. Inversiones inmobiliarias", "III. Investment property", 1, "22 -282 -292"),
        (
            "A.IV", "IV. Inversiones en empresas del grupo y asociadas a largo plazo",
            "IV. Long-term investments in group companies and associates", 1,
            "24 2403 2404 2413 2414 2423 2424 -249 -2493 -2494 -293 -2933 -2934 -294 -2943 -2944 -295 -2953 -2954",
        ),
        (
            "A.V", "V. Inversiones financieras a largo plazo", "V. Long-term financial investments", 1,
            "2405 2415 2425 -2495 25 250 251 252 253 254 255 258 -259 26 -29 -2935 -2945 -2955 -296 -297 -298",
        ),
        ("A.VI", "VI. Activos por impuesto diferido", "VI. Deferred tax assets", 1, "474"),
        ("B", "B) ACTIVO CORRIENTE", "B) CURRENT ASSETS", 0, "= B.I + B.II + B.III + B.IV + B.V + B.VI"),
        ("B.I", "I. Existencias", "I. Inventories", 1, "3 30 31 32 33 34 35 36 -39 407"),
        (
            "B.II", "II. Deudores comerciales y otras cuentas a cobrar", "II. Trade and other receivables", 1,
            "= B.II.1 + B.II.2 + B.II.3",
        ),
        (
            "B.II.1", "1. Clientes por ventas y prestaciones de servicios", "1. Customers for sales and services", 2,
            "43 430 431 432 433 434 435 436 -437 -490 -493",
        ),
        (
            "B.II.2", "2. Accionistas (socios) por desembolsos exigidos",
            "2. Shareholders (partners) for called-up capital", 2, "5580",
        ),
        ("B.II.3", "3. Otros deudores", "3. Other debtors", 2, "44 460 470 471 472 473 544"),
        (
            "B.III", "III. Inversiones en empresas del grupo y asociadas a corto plazo",
            "III. Short-term investments in group companies and associates", 1,
            "5303 5304 5313 5314 5323 5324 5333 5334 5343 5344 5353 5354 -5393 -5394 5523@debit 5524@debit "
            "-5933 -5934 -5943 -5944 -5953 -5954",
        ),
        (
            "B.IV", "IV. Inversiones financieras a corto plazo", "IV. Short-term financial investments", 1,
            "53 5305 5315 5325 5335 5345 5355 -539 -5395 54 540 541 542 543 545 546 547 548 -549 550@debit "
            "551@debit 5525@debit 554@debit 5590 565 566 -59 -5935 -5945 -5955 -596 -597 -598",
        ),
        ("B.V", "V. Periodificaciones a corto plazo", "V. Short-term accruals", 1, "480 567"),
        (
            "B.VI", "VI. Efectivo y otros activos líquidos equivalentes", "VI. Cash and cash equivalents", 1,
            "57@debit",
        ),
        ("total", "TOTAL ACTIVO (A + B)", "TOTAL ASSETS (A + B)", 0, "= A + B"),
    ],
    "liabilities": [
        ("A", "A) PATRIMONIO NETO", "A) EQUITY", 0, "= A-1 + A-2 + A-3"),
        ("A-1", "A-1) Fondos propios", "A-1) Shareholders' funds", 1, "= A-1.I + A-1.II + A-1.III + A-1.IV + A-1.V + A-1.VI + A-1.VII + A-1.VIII"),
        ("A-1.I", "I. Capital", "I. Capital", 2, "= A-1.I.1 + A-1.I.2"),
        ("A-1.I.1", "1. Capital escriturado", "1. Registered capital", 3, "10 100 101 102"),
        ("A-1.I.2", "2. (Capital no exigido)", "2. (Uncalled capital)", 3, "-1030 -1040"),
        ("A-1.II", "II. Prima de emisión", "II. Share premium", 2, "110"),
        ("A-1.III", "III. Reservas", "III. Reserves", 2, "11 112 113 114 115 119"),
        (
            "A-1.IV", "IV. (Acciones y participaciones en patrimonio propias)", "IV. (Own shares and holdings)", 2,
            "-108 -109",
        ),
        ("A-1.V", "V. Resultados de ejercicios anteriores", "V. Results of prior years", 2, "12 120 -121"),
        ("A-1.VI", "VI. Otras aportaciones de socios", "VI. Other contributions from partners", 2, "118"),
        ("A-1.VII", "VII. Resultado del ejercicio", "VII. Result of the year", 2, "129 6 7"),
        ("A-1.VIII", "VIII. (Dividendo a cuenta)", "VIII. (Interim dividend)", 2, "-557"),
        ("A-2", "A-2) Ajustes en patrimonio neto", "A-2) Equity adjustments", 1, "133 137"),
        (
            "A-3", "A-3) Subvenciones, donaciones y legados recibidos",
            "A-3) Grants, donations and bequests received", 1, "13 130 131 132",
        ),
        ("B", "B) PASIVO NO CORRIENTE", "B) NON-CURRENT LIABILITIES", 0, "= B.I + B.II + B.III + B.IV + B.V + B.VII"),
        ("B.I", "I. Provisiones a largo plazo", "I. Long-term provisions", 1, "14"),
        ("B.II", "II. Deudas a largo plazo", "II. Long-term debts", 1, "= B.II.1 + B.II.2 + B.II.3"),
        ("B.II.1", "1. Deudas con entidades de crédito", "1. Debts with credit institutions", 2, "1605 170"),
        ("B.II.2", "2. Acreedores por arrendamiento financiero", "2. Finance lease creditors", 2, "1625 174"),
        (
            "B.II.3", "3. Otras deudas a largo plazo", "3. Other long-term debts", 2,
            "16 1615 1635 17 171 172 173 175 176 177 179 18 180 185 189",
        ),
        (
            "B.III", "III. Deudas con empresas del grupo y asociadas a largo plazo",
            "III. Long-term debts with group companies and associates", 1,
            "1603 1604 1613 1614 1623 1624 1633 1634",
        ),
        ("B.IV", "IV. Pasivos por impuesto diferido", "IV. Deferred tax liabilities", 1, "479"),
        ("B.V", "V. Periodificaciones a largo plazo", "V. Long-term accruals", 1, "181"),
        (
            "B.VII", "VII. Deuda con características especiales a largo plazo",
            "VII. Long-term debt with special features", 1, "15 5585",
        ),
        ("C", "C) PASIVO CORRIENTE", "C) CURRENT LIABILITIES", 0, "= C.I + C.II + C.III + C.IV + C.V + C.VI"),
        ("C.I", "I. Provisiones a corto plazo", "I. Short-term provisions", 1, "499 529"),
        ("C.II", "II. Deudas a corto plazo", "II. Short-term debts", 1, "= C.II.1 + C.II.2 + C.II.3"),
        (
            "C.II.1", "1. Deudas con entidades de crédito", "1. Debts with credit institutions", 2,
            "5105 520 527 57@credit",
        ),
        ("C.II.2", "2. Acreedores por arrendamiento financiero", "2. Finance lease creditors", 2, "5125 524"),
        (
            "C.II.3", "3. Otras deudas a corto plazo", "3. Other short-term debts", 2,
            "1034 1044 19 190 192 194 50 500 501 505 506 509 51 5115 5135 5145 52 521 522 523 525 526 528 "
            "55 550@credit 551@credit 5525@credit 554@credit 555 5565 5566 5595 56 560 561",
        ),
        (
            "C.III", "III. Deudas con empresas del grupo y asociadas a corto plazo",
            "III. Short-term debts with group companies and associates", 1,
            "5103 5104 5113 5114 5123 5124 5133 5134 5143 5144 5523@credit 5524@credit 5563 5564",
        ),
        (
            "C.IV", "IV. Acreedores comerciales y otras cuentas a pagar", "IV. Trade and other payables", 1,
            "= C.IV.1 + C.IV.2",
        ),
        ("C.IV.1", "1. Proveedores", "1. Suppliers", 2, "40 400 401 403 404 405 -406"),
        ("C.IV.2", "2. Otros acreedores", "2. Other creditors", 2, "41 438 465 466 475 476 477"),
        ("C.V", "V. Periodificaciones a corto plazo", "V. Short-term accruals", 1, "485 568"),
        (
            "C.VI", "VI. Deuda con características especiales a corto plazo",
            "VI. Short-term debt with special features", 1, "195 197 199 502 507",
        ),
        (
            "total", "TOTAL PATRIMONIO NETO Y PASIVO (A + B + C)", "TOTAL EQUITY AND LIABILITIES (A + B + C)", 0,
            "= A + B + C",
        ),
    ],
}  # fmt: skip

PROFIT_AND_LOSS = [
    (
        "1", "1. Importe neto de la cifra de negocios", "1. Revenue", 1,
        "70 700 701 702 703 704 705 -706 -708 -709",
    ),
    (
        "2", "2. Variación de existencias de productos terminados y en curso de fabricación",
        "2. Change in inventories of finished goods and work in progress", 1, "71 -6930 7930",
    ),
    ("3", "3. Trabajos realizados por la empresa para su activo", "3. Work performed by the company for its assets", 1, "73"),
    (
        "4", "4. Aprovisionamientos", "4. Supplies", 1,
        "-60 -600 -601 -602 -606 -607 -608 -609 -61 -6931 -6932 -6933 7931 7932 7933",
    ),
    ("5", "5. Otros ingresos de explotación", "5. Other operating income", 1, "7 74 740 747 75"),
    ("6", "6. Gastos de personal", "6. Staff costs", 1, "-64"),
    (
        "7", "7. Otros gastos de explotación", "7. Other operating expenses", 1,
        "-6 -62 -63 -631 -634 636 639 -65 -69 -694 -695 794 7954",
    ),
    ("8", "8. Amortización del inmovilizado", "8. Depreciation and amortisation", 1, "-68"),
    (
        "9", "9. Imputación de subvenciones de inmovilizado no financiero y otras",
        "9. Grants for non-financial fixed assets and others taken to income", 1, "746",
    ),
    ("10", "10. Excesos de provisiones", "10. Excess provisions", 1, "795 7951 7952 7955"),
    (
        "11", "11. Deterioro y resultado por enajenaciones del inmovilizado",
        "11. Impairment and gains or losses on disposal of fixed assets", 1,
        "-67 -670 -671 -672 -690 -691 -692 770 771 772 79 790 791 792",
    ),
    ("12", "12. Otros resultados", "12. Other results", 1, "-678 77 778"),
    (
        "A", "A) RESULTADO DE EXPLOTACIÓN (1 + 2 + 3 + 4 + 5 + 6 + 7 + 8 + 9 + 10 + 11 + 12)",
        "A) OPERATING RESULT (1 + 2 + 3 + 4 + 5 + 6 + 7 + 8 + 9 + 10 + 11 + 12)", 0,
        "= 1 + 2 + 3 + 4 + 5 + 6 + 7 + 8 + 9 + 10 + 11 + 12",
    ),
    ("13", "13. Ingresos financieros", "13. Finance income", 1, "76 760 761 762 769 7461"),
    ("14", "14. Gastos financieros", "14. Finance costs", 1, "-66 -660 -661 -662 -664 -665 -669"),
    (
        "15", "15. Variación de valor razonable en instrumentos financieros",
        "15. Change in fair value of financial instruments", 1, "-663 763",
    ),
    ("16", "16. Diferencias de cambio", "16. Exchange differences", 1, "-668 768"),
    (
        "17", "17. Deterioro y resultado por enajenaciones de instrumentos financieros",
        "17. Impairment and gains or losses on disposal of financial instruments", 1,
        "-666 -667 -673 -675 -696 -697 -698 -699 766 773 775 796 797 798 799",
    ),
    (
        "B", "B) RESULTADO FINANCIERO (13 + 14 + 15 + 16 + 17)", "B) FINANCIAL RESULT (13 + 14 + 15 + 16 + 17)", 0,
        "= 13 + 14 + 15 + 16 + 17",
    ),
    ("C", "C) RESULTADO ANTES DE IMPUESTOS (A + B)", "C) RESULT BEFORE TAX (A + B)", 0, "= A + B"),
    ("19", "19. Impuestos sobre beneficios", "19. Income tax", 1, "-630 -633 638"),
    ("D", "D) RESULTADO DEL EJERCICIO (C + 19)", "D) RESULT OF THE YEAR (C + 19)", 0, "= C + 19"),
]  # fmt: skip

#: The line holding the year's result in each statement (section.key in the balance sheet).
BALANCE_SHEET_RESULT = "liabilities.A-1.VII"
PROFIT_AND_LOSS_RESULT = "D"

"""The financial statements of the generic chart (charts/generic.py), as data: a plain balance sheet (assets;
equity and liabilities) and a profit and loss account (income; expenses). The rows and their meaning are those
of statements_pgc_pymes.py: (key, Spanish label, English label, indentation level, the account code prefixes
that feed the line, or "=" and the lines it adds). The result of the year is 3900 plus every balance of the
income (4) and expense (5) groups not yet regularised."""

BALANCE_SHEET = {
    "assets": [
        ("cash", "Tesorería", "Cash and banks", 1, "10 11"),
        ("receivables", "Clientes y otras cuentas a cobrar", "Receivables", 1, "12 14 15"),
        ("inventory", "Existencias", "Inventory", 1, "13"),
        ("other", "Otros activos", "Other assets", 1, "1"),
        ("total", "TOTAL ACTIVO", "TOTAL ASSETS", 0, "= cash + receivables + inventory + other"),
    ],
    "liabilities": [
        ("equity", "PATRIMONIO NETO", "EQUITY", 0, "= capital + result"),
        ("capital", "Capital y reservas", "Capital and reserves", 1, "3"),
        ("result", "Resultado del ejercicio", "Result of the year", 1, "39 4 -5"),
        ("liabilities", "PASIVO", "LIABILITIES", 0, "= payables + taxes + other"),
        ("payables", "Proveedores", "Payables", 1, "20"),
        ("taxes", "Impuestos y retenciones a pagar", "Taxes and withholdings payable", 1, "21 22"),
        ("other", "Otros pasivos", "Other liabilities", 1, "2"),
        ("total", "TOTAL PATRIMONIO NETO Y PASIVO", "TOTAL EQUITY AND LIABILITIES", 0, "= equity + liabilities"),
    ],
}  # fmt: skip

PROFIT_AND_LOSS = [
    ("income", "INGRESOS", "INCOME", 0, "= sales + other_income"),
    ("sales", "Ventas y servicios", "Sales and services", 1, "40 41 -49"),
    ("other_income", "Otros ingresos", "Other income", 1, "4"),
    ("expenses", "GASTOS", "EXPENSES", 0, "= purchases + other_expenses"),
    ("purchases", "Compras y variación de existencias", "Purchases and change in inventory", 1, "-50 -51"),
    ("other_expenses", "Otros gastos", "Other expenses", 1, "-5"),
    ("result", "RESULTADO DEL EJERCICIO", "RESULT OF THE YEAR", 0, "= income + expenses"),
]  # fmt: skip

BALANCE_SHEET_RESULT = "liabilities.result"
PROFIT_AND_LOSS_RESULT = "result"

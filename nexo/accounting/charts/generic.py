"""A generic chart of accounts (not the Spanish PGC), with 4-digit codes under five one-digit groups: the
same posting roles as any other template, which shows that the chart is data the ledger reads, not code.
Rows: (code, Spanish name, English name, nature, view account, needs a party)."""

A, L, E, N, X = "asset", "liability", "equity", "income", "expense"

ACCOUNTS = [
    ("1", "Activo", "Assets", A, True, False),
    ("1000", "Caja", "Cash", A, False, False),
    ("1100", "Banco", "Bank", A, False, False),
    ("1200", "Clientes", "Receivables", A, False, True),
    ("1300", "Existencias", "Inventory", A, False, False),
    ("1400", "IVA soportado", "VAT receivable", A, False, False),
    ("1500", "Retenciones a cobrar", "Withholdings receivable", A, False, False),
    ("2", "Pasivo", "Liabilities", L, True, False),
    ("2000", "Proveedores", "Payables", L, False, True),
    ("2100", "IVA repercutido", "VAT payable", L, False, False),
    ("2200", "Retenciones a pagar", "Withholdings payable", L, False, False),
    ("3", "Patrimonio neto", "Equity", E, True, False),
    ("3000", "Capital", "Capital", E, False, False),
    ("3900", "Resultado del ejercicio", "Result of the year", E, False, False),
    ("4", "Ingresos", "Income", N, True, False),
    ("4000", "Ventas", "Sales", N, False, False),
    ("4100", "Servicios", "Services", N, False, False),
    ("4900", "Devoluciones de ventas", "Sales returns", N, False, False),
    ("5", "Gastos", "Expenses", X, True, False),
    ("5000", "Compras", "Purchases", X, False, False),
    ("5050", "Devoluciones de compras", "Purchase returns", X, False, False),
    ("5100", "Variación de existencias", "Change in inventory", X, False, False),
    ("5900", "Gastos bancarios", "Bank charges", X, False, False),
]  # fmt: skip

DEFAULTS = {
    "receivable": "1200", "payable": "2000", "sales": "4000", "sales_returns": "4900", "services_income": "4100",
    "purchases": "5000", "purchase_returns": "5050", "output_vat": "2100", "output_recargo": "2100",
    "input_vat": "1400", "withholding_receivable": "1500", "withholding_payable": "2200", "stock": "1300",
    "stock_variation": "5100", "result": "3900", "bank": "1100", "cash": "1000", "bank_charges": "5900",
}  # fmt: skip

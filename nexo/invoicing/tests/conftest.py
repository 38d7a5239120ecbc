"""Fixtures of the invoicing tests: the invoices of the page and PDF tests (invoice_fixtures)."""

from nexo.invoicing.tests.invoice_fixtures import (  # noqa: F401 -- fixtures offered to every test here
    accountant,
    accountant_client,
    credit_note,
    retail_invoice,
    retailer,
    service_draft,
    studio,
)

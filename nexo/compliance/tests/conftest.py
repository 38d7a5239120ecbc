"""Fixtures of the compliance tests: the customer invoice fixtures (a customer, hand-typed drafts, posting)."""

from nexo.invoicing.tests.customer_invoices import *  # noqa: F403 (the fixtures)

"""Invoicing pages: customer invoices and credit notes (invoices), supplier invoices (supplier_invoices)."""

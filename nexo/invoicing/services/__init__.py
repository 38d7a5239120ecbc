"""Invoicing services: customer invoices and credit notes, supplier invoices."""

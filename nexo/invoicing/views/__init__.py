"""Invoicing pages: customer invoices (invoices: the list, one invoice and the actions on a draft;
invoice_drafts: a new invoice and a draft edited; invoice_documents: the PDF and the e-mail), credit notes
(credit_notes), supplier invoices (supplier_invoices)."""

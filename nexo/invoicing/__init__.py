"""Invoicing: customer and supplier invoices, credit notes (facturas rectificativas) and their tax computation.

Layer 7 (docs/architecture.md): it may import sales, purchasing and every module below them; it must
never import anything above it (payments, insight), which read invoices through their own services and
hooks. The pure tax engine is `nexo.invoicing.tax`; models.py holds the invoices, services/ the actions.
"""

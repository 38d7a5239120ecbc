"""Sales: quotations, where the CRM meets the ERP (priced from the price lists, costed from the stock,
figures by the pure rules.py), and the sales orders they become when accepted.

May import purchasing, crm, inventory, catalog, parties and core. Must never import invoicing, payments
or insight. See docs/modules/sales.md.
"""

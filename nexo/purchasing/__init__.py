"""Purchasing: exchange rates, supplier prices, item buying settings, purchase orders and their
receipts, purchase suggestions, and the cost of a quantity of an item (costing.py).

May import inventory, catalog, parties and core. Must never import sales or any module above; receipts
bring goods in through inventory's services. See docs/modules/purchasing.md.
"""

"""Inventory: warehouses and locations, stock moves (draft, done, cancelled), what is on hand and
reserved, stock counts, and valuation: the pure engine (valuation.py) and its ledger per move.

May import catalog, parties and core. Must never import crm (its sibling), purchasing, sales or any
module above: they move stock by calling inventory's services. See docs/modules/inventory.md.
"""

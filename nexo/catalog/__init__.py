"""Catalog: units, the category tree, tax categories with dated rates, items, price lists and their
rules, the pure price engine (pricing.py) and the names of the valuation methods (valuation_methods.py).

May import parties and core. Must never import accounting (its sibling), crm, inventory, purchasing,
sales or any module above: costs and stock are passed to it, never read. See docs/modules/catalog.md.
"""

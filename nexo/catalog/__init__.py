"""Catalog: units, the category tree, tax categories with dated rates, items, price lists and their
rules, and the pure price engine (pricing.py).

May import parties and core. Must never import accounting (its sibling), crm, inventory, purchasing,
sales or any module above: costs and stock are passed to it, never read. See docs/modules/catalog.md.
"""

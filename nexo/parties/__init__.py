"""Parties: one record per organisation or person (lead, customer, supplier), shared by every module,
with its addresses, contacts, validated tax id and audit history.

May import core only. Must never import catalog, crm, inventory, purchasing, sales or any module above:
what they keep about a party lives in their own profile models and panels. See docs/modules/parties.md.
"""

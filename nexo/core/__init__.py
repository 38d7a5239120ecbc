"""Core: companies, users and memberships, roles, money rounding, gapless numbering, the audit log, state
changes (Lifecycle, state_change), the NexoModule base with every hook, and the page and API plumbing.

Lowest layer: it may import no other Nexo module, and must never import parties, catalog, crm, inventory,
purchasing, sales or any module above; it reaches them only through their NexoModule hooks.
See docs/modules/core.md.
"""

"""CRM: pipeline stages, opportunities with their stage history, activities, lead capture, the board and
the forecast, on the shared parties.

May import parties and core (and catalog). Must never import inventory (its sibling), purchasing, sales
or any module above: sales calls crm's services, and crm hears from it only through the NexoModule hooks
(opportunity_win_blocker, opportunity_panel). See docs/modules/crm.md.
"""

"""The base of every business module's AppConfig: each hook a module may contribute to the others,
with its signature, declared once here. A module overrides the hooks it uses; the rest answer nothing.

Lower modules ask for contributions through `contributions(hook, ...)` (or `core.panels.panels` for
panels), so they never import the modules above them. The installed modules are listed once, in
`nexo/modules.py`. An `apps.py` imports this module, not the class, so that Django finds the module's own
AppConfig as the only one there.
"""

from collections.abc import Iterator
from typing import Any, NamedTuple

from django.apps import AppConfig, apps
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

#: The groups of the navigation, in the order the shell shows them: (key, label). A group appears only
#: when some module declares an entry in it that the user may open, so the groups of modules still to
#: come (invoicing, accounting, collections, reports) cost nothing until then.
NAVIGATION_GROUPS: list[tuple[str, Any]] = [
    ("home", _("Home")),
    ("sales", _("Sales")),
    ("purchasing", _("Purchasing")),
    ("inventory", _("Inventory")),
    ("catalog", _("Catalog")),
    ("parties", _("Parties")),
    ("invoicing", _("Invoicing")),
    ("accounting", _("Accounting")),
    ("collections", _("Collections")),
    ("reports", _("Reports")),
]


class NavigationEntry(NamedTuple):
    """One link of the navigation: the group it is shown in (a key of NAVIGATION_GROUPS), its label, the
    URL name it opens, and the permission needed to see it (a codename, several that are all needed, or
    None for everyone signed in). Entries of a group are shown in module order, then declaration order."""

    group: str
    label: Any
    url_name: str
    permission: str | tuple[str, ...] | None = None


class NexoModule(AppConfig):
    """A Nexo business module. Class attributes are declarations; methods are hooks called by others."""

    #: Where its pages live: `"sales/"` includes `<module>.urls` there; None: no pages of its own.
    url_prefix: str | None = None
    #: Its django-ninja router as `"module.path:name"`, mounted under /api/v1/; None: no API.
    api_router: str | None = None
    #: Entries the module adds to the navigation, each in a group declared in NAVIGATION_GROUPS.
    navigation: list[NavigationEntry] = []
    #: role → permissions ("app_label.codename") that role has in this module (core.roles).
    role_permissions: dict[str, list[str]] = {}
    #: The lifecycles of its documents, as (model label, state field, core.rules.Lifecycle), walked by the
    #: generic transition test.
    lifecycles: list[tuple[str, str, Any]] = []

    def lifecycle_tables(self) -> list[tuple[str, str, Any]]:
        """The lifecycles declared by the module (a method, so rules can be imported lazily)."""
        return list(self.lifecycles)

    def setup_company(self, company) -> None:
        """Create what a new company needs in this module (default stages, locations, taxes)."""

    def load_demo(self, *, company, second_company, users: dict) -> str | None:
        """Load this module's part of the demo (idempotent); return a one-line summary or None."""
        return None

    def home_panel(self, request: HttpRequest) -> dict | None:
        """A panel on the home page: a dict naming its `template`, or None."""
        return None

    def party_panel(self, request: HttpRequest, party) -> dict | None:
        """A panel on a party's page: a dict naming its `template`, or None."""
        return None

    def item_panel(self, request: HttpRequest, item) -> dict | None:
        """A panel on an item's page: a dict naming its `template`, or None."""
        return None

    def opportunity_panel(self, request: HttpRequest, opportunity) -> dict | None:
        """A panel on an opportunity's page: a dict naming its `template`, or None."""
        return None

    def document_panel(self, request: HttpRequest, model_label: str, document) -> dict | None:
        """A panel on a document's page (an invoice's due amounts and payments), the document named by its
        model label (`invoicing.invoice`): a dict naming its `template`, or None."""
        return None

    def opportunity_win_blocker(self, opportunity) -> str | None:
        """Why the opportunity cannot be won by hand (an open quotation, say), or None."""
        return None

    def item_costs(self, company, lines, *, warehouse_id: int | None = None, day=None) -> list | None:
        """Each (item id, quantity) of `lines` costed as a quotation line would be — the item's valuation
        method in the warehouse (None: the company's default), units not in stock at the best supplier
        price — as a list of `catalog.costs.ItemCost` in the lines' order, in a fixed number of queries; or
        None from a module that does not cost items (purchasing does: it reads stock and supplier prices,
        which the catalog, below them, may not)."""
        return None

    def warehouses(self, company) -> list[tuple[int, str]] | None:
        """The company's active warehouses as (id, name), for a lower module's choice of where to cost
        stock (the price check); None from a module that keeps no warehouses."""
        return None

    def finish_demo(self, *, company, second_company, users: dict) -> str | None:
        """After every module has loaded its demo: what needs the others' data in place (closing the
        previous year once every document is posted); a one-line summary or None."""
        return None

    def year_end_entries(self, *, company, by, day) -> list[str]:
        """Post this module's period-end entries dated `day` before a fiscal year closes (continental stock:
        the change in inventory value); the numbers of the entries posted."""
        return []

    def document_posted(self, *, company, by, model_label: str, document) -> Any:
        """A lower module's document was just posted, in its transaction (an invoice: the payments module
        creates its due amounts). Raising refuses the posting."""
        return None

    def document_cancelled(self, *, company, by, model_label: str, document) -> Any:
        """A lower module's posted document was just cancelled (an invoice issued by mistake: its entry
        reversed, its state `cancelled`), in the same transaction: the payments module removes its due
        amounts, the compliance module records the anulación. An answer may raise a domain error (Conflict,
        ValidationFailed…) to refuse the cancellation: nothing of it is kept then."""
        return None

    def document_print_mark(self, model_label: str, document) -> dict | None:
        """What a printed document shows at the top of its first page on this module's behalf (a posted
        invoice's VERI*FACTU QR code and legend): a dict the document's template reads, or None."""
        return None

    def search_url(self, request: HttpRequest) -> str | None:
        """The address of the search the top bar's box sends its words to (as `?q=`), when this module offers
        one to the user; None: no box on its behalf. The shell shows one box, for the first module that
        answers, and none when no module does."""
        return None

    def document_url(self, model_label: str, pk: int) -> str | None:
        """The page of one of this module's documents named by its model label (`invoicing.invoice`) and
        id, for a lower module that knows a document only by that key (a journal entry's origin); None for
        labels of other modules."""
        return None


def document_url(model_label: str, pk: int | None) -> str | None:
    """The page of a document known by its model label and id, from whichever module owns it."""
    if not model_label or pk is None:
        return None
    found = contributions("document_url", model_label, pk)
    return found[0] if found else None


def nexo_modules() -> Iterator[NexoModule]:
    """The installed business modules, lowest layer first."""
    for config in apps.get_app_configs():
        if isinstance(config, NexoModule):
            yield config


def contributions(hook: str, *args, **kwargs) -> list:
    """What every module answers to `hook(*args, **kwargs)`, the empty answers (None, "") left out."""
    if not callable(getattr(NexoModule, hook, None)):
        raise AttributeError(f"{hook} is not a module hook (core.modules.NexoModule)")
    answers = (getattr(module, hook)(*args, **kwargs) for module in nexo_modules())
    return [answer for answer in answers if answer]

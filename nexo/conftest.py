"""Fixtures shared by every module's tests: companies, users by role, signed-in clients, API calls."""

import json
import os
import shutil
from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.utils import translation
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from playwright.sync_api import expect

from nexo.catalog import services as catalog_services
from nexo.catalog.models import TaxCategory, Unit
from nexo.core.models import Company, Membership, User
from nexo.core.roles import sync_roles
from nexo.core.services import token_create
from nexo.inventory import services as inventory_services

CHROMIUM = "/usr/bin/chromium"
# Property tests generate their inputs on a busy 2-core CI machine: slow generation is not a failure there.
hypothesis_settings.register_profile("nexo", suppress_health_check=[HealthCheck.too_slow])
hypothesis_settings.load_profile("nexo")
# A busy CI machine can take longer than Playwright's 5 s default to settle a page after an HTMX swap.
expect.set_options(timeout=15_000)


@pytest.fixture(scope="session", autouse=True)
def _flush_past_sqlite_triggers():
    """A committed test database (browser tests) is emptied by `flush`, on SQLite one DELETE per table, which
    the triggers that keep posted documents unchanged refuse. The flush sets every trigger aside and puts it
    back as it was (PostgreSQL truncates, which fires no row trigger)."""
    from django.db import connection

    if connection.vendor != "sqlite":
        yield
        return
    operations = type(connection.ops)  # loaded through the connection: importing the module first is circular
    original = operations.sql_flush

    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        statements = original(self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade)
        if not statements:
            return statements
        with self.connection.cursor() as cursor:
            cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name")
            triggers = cursor.fetchall()
        return [*(f'DROP TRIGGER "{name}"' for name, _sql in triggers), *statements, *(sql for _n, sql in triggers)]

    operations.sql_flush = sql_flush
    yield
    operations.sql_flush = original


def pytest_collection_modifyitems(config, items):
    """In CI a browser test never skips: a missing chromium is a failure."""
    wants_browser = any("browser" in item.keywords for item in items)
    if wants_browser and os.environ.get("CI") == "true" and not shutil.which(CHROMIUM):
        raise pytest.UsageError(f"CI requires {CHROMIUM} for the browser tests")
    if wants_browser:
        # Playwright's sync API keeps an event loop running in the test thread; the ORM calls made by
        # the tests themselves are still synchronous.
        os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Debian's chromium, without the background traffic that this closed network refuses."""
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    """A browser in Spain: Spanish is what the pages should pick without a user preference."""
    return {**browser_context_args, "locale": "es-ES", "viewport": {"width": 1280, "height": 900}}


@pytest.fixture
def signed_in_page(page, live_server):
    """A browser page and a function that signs a user in on the real login form."""

    def sign_in(username: str, password: str = "secret-pass-1"):
        page.goto(f"{live_server.url}/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        page.click("button[type=submit]")
        page.wait_for_url(f"{live_server.url}/")
        return page

    return sign_in


@pytest.fixture(autouse=True)
def _postgres_only(request, settings):
    """A test marked `postgres` must really run on PostgreSQL; on another database it fails loudly."""
    if request.node.get_closest_marker("postgres"):
        engine = settings.DATABASES["default"]["ENGINE"]
        assert "postgresql" in engine, "run PostgreSQL-only tests with NEXO_DATABASE_URL=postgres://…"


@pytest.fixture
def roles(db):
    sync_roles()
    return {group.name: group for group in Group.objects.all()}


@pytest.fixture
def company(db):
    return Company.objects.create(
        name="Suministros Prueba, S.L.", tax_id="B46123451", street="Calle de la Industria, 24",
        postal_code="46980", city="Paterna", province="Valencia",
    )  # fmt: skip


@pytest.fixture
def other_company(db):
    return Company.objects.create(name="Otra Empresa, S.A.", tax_id="A28000008", city="Madrid")


@pytest.fixture
def make_user(roles, company):
    def make(username: str, role: str = "sales", *, companies=None, language: str = "") -> User:
        user = User.objects.create_user(username=username, password="secret-pass-1", language=language)
        user.groups.add(roles[role])
        for index, member_of in enumerate(companies or [company]):
            Membership.objects.create(user=user, company=member_of, is_default=index == 0)
        return user

    return make


@pytest.fixture
def sales_user(make_user):
    return make_user("ventas", "sales")


@pytest.fixture
def manager_user(make_user, company, other_company):
    return make_user("gerente", "manager", companies=[company, other_company])


@pytest.fixture
def warehouse_user(make_user):
    return make_user("almacen", "warehouse")


@pytest.fixture
def sales_client(sales_user):
    client = Client()
    client.force_login(sales_user)
    return client


class ApiClient:
    """Calls /api/v1 with a bearer token, JSON in and out."""

    def __init__(self, user: User, company: Company | None = None):
        _token, self.token = token_create(user=user, name="tests")
        self.client = Client()
        self.company = company

    def _headers(self, extra):
        headers = {"Authorization": f"Bearer {self.token}"}
        if self.company is not None:
            headers["X-Company"] = str(self.company.pk)
        headers.update(extra or {})
        return headers

    def call(self, method: str, path: str, body=None, headers=None, raw: bytes | None = None):
        data = raw if raw is not None else (json.dumps(body) if body is not None else None)
        kwargs = {"content_type": "application/json"} if data is not None else {}
        return getattr(self.client, method)(
            f"/api/v1{path}", data=data, headers=self._headers(headers), **kwargs
        )

    def get(self, path, **params):
        return self.client.get(f"/api/v1{path}", params, headers=self._headers(None))

    def post(self, path, body=None, headers=None, raw=None):
        return self.call("post", path, body, headers, raw)

    def patch(self, path, body=None, headers=None):
        return self.call("patch", path, body, headers)

    def delete(self, path):
        return self.call("delete", path)


@pytest.fixture
def api(sales_user):
    return ApiClient(sales_user)


@pytest.fixture
def api_as():
    return ApiClient


# The catalog every module's tests build on


@pytest.fixture
def catalog(company):
    """The company's catalog set-up: units, Spanish VAT, the PVP list and defaults."""
    return catalog_services.catalog_setup(company=company)


@pytest.fixture
def make_item(company, sales_user, catalog):
    unit = Unit.objects.get(company=company, code="ud")
    vat = TaxCategory.objects.get(company=company, code="general")

    def make(sku, base_price="10.00", **fields):
        defaults = {
            "name": f"Artículo {sku}",
            "unit_id": unit.pk,
            "sale_tax_id": vat.pk,
            "purchase_tax_id": vat.pk,
        }
        return catalog_services.item_create(
            company=company, by=sales_user, sku=sku, base_price=Decimal(base_price), **(defaults | fields)
        )  # fmt: skip

    return make


# Stock every module above inventory builds on


@pytest.fixture
def english():
    """Messages are asserted in English; the Spanish catalogue has its own test."""
    with translation.override("en"):
        yield


@pytest.fixture
def stock(company):
    """The company's inventory set-up: virtual locations and the default warehouse."""
    return inventory_services.inventory_setup(company=company)


@pytest.fixture
def warehouse(stock):
    return stock.default_warehouse


@pytest.fixture
def receive(company, warehouse_user, stock, warehouse):
    """Goods in from a supplier at a unit cost, done."""

    def move(item, quantity, unit_cost, day=date(2026, 1, 10), into=None):
        return inventory_services.stock_move_create(
            company=company, by=warehouse_user, item_id=item.pk, quantity=quantity,
            from_location_id=stock.supplier_location_id,
            to_location_id=(into or warehouse).stock_location_id,
            unit_cost=Decimal(unit_cost), date=day, done=True,
        )  # fmt: skip

    return move


@pytest.fixture
def deliver(company, warehouse_user, stock, warehouse):
    """Goods out to a customer, done."""

    def move(item, quantity, day=date(2026, 1, 20), out_of=None):
        return inventory_services.stock_move_create(
            company=company, by=warehouse_user, item_id=item.pk, quantity=quantity,
            from_location_id=(out_of or warehouse).stock_location_id,
            to_location_id=stock.customer_location_id, date=day, done=True,
        )  # fmt: skip

    return move

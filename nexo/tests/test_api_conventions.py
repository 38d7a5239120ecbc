import io

from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from nexo.core.models import ApiToken
from nexo.core.services import token_revoke
from nexo.parties.models import Party


def test_openapi_document_describes_the_endpoints(db):
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert "/api/v1/parties" in schema["paths"]
    assert "/api/v1/parties/{party_id}" in schema["paths"]
    assert "422" in schema["paths"]["/api/v1/parties"]["post"]["responses"]


def test_no_two_api_schemas_share_a_name():
    """The contract names each schema once: two classes of one name (an InvoicePatch in two modules) would
    leave one of them undocumented, and clients would be told the other's fields."""
    import importlib
    import inspect
    import pkgutil

    from pydantic import BaseModel

    from nexo.modules import MODULES

    seen: dict[str, str] = {}
    clashes = []
    for module_name in MODULES:
        try:
            package = importlib.import_module(f"{module_name}.api")
        except ModuleNotFoundError:
            continue
        parts = [package]
        if hasattr(package, "__path__"):
            parts += [
                importlib.import_module(info.name)
                for info in pkgutil.iter_modules(package.__path__, f"{package.__name__}.")
            ]
        for part in parts:
            for name, value in vars(part).items():
                if (
                    inspect.isclass(value)
                    and issubclass(value, BaseModel)
                    and value.__module__ == part.__name__
                ):
                    where = f"{part.__name__}.{name}"
                    if name in seen and seen[name] != where:
                        clashes.append((name, seen[name], where))
                    seen.setdefault(name, where)
    assert not clashes


def test_docs_page_is_served_without_any_cdn(db):
    response = Client().get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "cdn" not in html.lower()
    assert "/static/ninja/swagger-ui-bundle.js" in html


def test_requests_without_a_token_get_401_problem(db):
    response = Client().get("/api/v1/parties")
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["title"] == "Unauthorized"


def test_token_command_prints_a_working_token(sales_user):
    out = io.StringIO()
    call_command("token", "create", "ventas", stdout=out)
    token = out.getvalue().strip()
    assert token.startswith("nexo_")
    response = Client().get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert response.json()["username"] == "ventas"
    assert response.json()["roles"] == ["sales"]
    # Only the hash is stored.
    assert not ApiToken.objects.filter(key_hash=token).exists()


def test_a_revoked_token_stops_working(api, sales_user):
    assert api.get("/me").status_code == 200
    token_revoke(user=sales_user, token_id=sales_user.api_tokens.get().pk)
    assert api.get("/me").status_code == 401


def test_tokens_are_created_and_revoked_on_the_profile_page(sales_client, sales_user):
    response = sales_client.post(reverse("profile"), {"name": "tienda online"})
    raw = response.context["new_token"]
    assert raw and raw in response.content.decode()
    assert Client().get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"}).status_code == 200
    token = sales_user.api_tokens.get()
    sales_client.post(reverse("token_revoke", args=[token.pk]))
    assert Client().get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"}).status_code == 401


def test_the_session_works_for_the_api_too(sales_client):
    assert sales_client.get("/api/v1/me").json()["company"]["name"] == "Suministros Prueba, S.L."


def test_unknown_fields_and_wrong_types_are_422_naming_the_field(api):
    response = api.post("/parties", {"name": "Ferretería Sol", "colour": "blue", "is_supplier": "maybe"})
    assert response.status_code == 422
    problem = response.json()
    assert problem["status"] == 422 and problem["title"] == "Invalid input"
    fields = {error["field"] for error in problem["errors"]}
    assert {"colour", "is_supplier"} <= fields
    assert not Party.objects.exists()


def test_malformed_json_is_a_4xx_not_a_500(api):
    response = api.post("/parties", raw=b"{not json")
    assert 400 <= response.status_code < 500
    assert response["Content-Type"] == "application/problem+json"


def test_the_same_idempotency_key_replays_the_first_answer(api):
    body = {"name": "Reformas Turia, S.L.", "tax_id": "B12345674"}
    first = api.post("/parties", body, headers={"Idempotency-Key": "abc-1"})
    second = api.post("/parties", body, headers={"Idempotency-Key": "abc-1"})
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert Party.objects.count() == 1


def test_an_idempotency_key_reused_with_another_body_is_refused(api):
    api.post("/parties", {"name": "Uno"}, headers={"Idempotency-Key": "k"})
    response = api.post("/parties", {"name": "Dos"}, headers={"Idempotency-Key": "k"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "Idempotency-Key"
    assert Party.objects.count() == 1


def test_a_failed_request_does_not_burn_its_idempotency_key(api):
    bad = api.post("/parties", {"name": "Mal", "tax_id": "B12345678"}, headers={"Idempotency-Key": "k2"})
    assert bad.status_code == 422
    good = api.post("/parties", {"name": "Mal", "tax_id": "B12345674"}, headers={"Idempotency-Key": "k2"})
    assert good.status_code == 201


def test_text_a_database_cannot_store_is_a_422(api):
    response = api.post("/parties", raw=b'{"name": "Nul\\u0000o"}')
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "name"
    response = api.post("/parties", raw=b'{"name": "\\udaf3"}')
    assert response.status_code == 422
    assert api.get("/parties", q="a\x00b").status_code == 422
    assert not Party.objects.exists()


def test_huge_ids_are_a_422_not_a_database_error(api):
    assert api.get(f"/parties/{2**70}").status_code == 422


def test_an_offset_beyond_any_database_is_a_422(api):
    assert api.get("/parties", offset=2**80).status_code == 422


def test_a_company_header_with_non_ascii_digits_is_refused(api):
    assert api.get("/me", **{}).status_code == 200
    response = api.client.get(
        "/api/v1/me", headers={"Authorization": f"Bearer {api.token}", "X-Company": "²"}
    )
    assert response.status_code == 401

from nexo.parties.models import Party

BODY = {
    "name": "Fontanería Albufera, S.L.",
    "tax_id": "B12345674",
    "email": "info@albufera.es",
    "addresses": [{"street": "Calle del Mar, 3", "city": "Valencia", "postal_code": "46011"}],
    "contacts": [{"name": "Marta Climent", "job_title": "Gerente"}],
}


def test_create_read_update_a_party(api):
    created = api.post("/parties", BODY)
    assert created.status_code == 201, created.content
    party = created.json()
    assert party["tax_id"] == "B12345674" and party["status"] == "lead"
    assert party["addresses"][0]["city"] == "Valencia" and party["addresses"][0]["is_default"]
    assert party["contacts"][0]["is_primary"]
    read = api.get(f"/parties/{party['id']}").json()
    assert read == party | {"updated_at": read["updated_at"]}
    changed = api.patch(f"/parties/{party['id']}", {"status": "customer", "is_supplier": True})
    assert changed.status_code == 200
    assert changed.json()["status"] == "customer" and changed.json()["name"] == BODY["name"]
    history = api.get(f"/parties/{party['id']}/history").json()
    assert history[0]["changes"]["status"] == ["lead", "customer"]
    # The tax position invoices read: a retailer in recargo de equivalencia.
    assert (party["subject_to_recargo"], party["withholds_irpf"], party["eu_vat_valid"]) == (False, False, False)
    retailer = api.patch(f"/parties/{party['id']}", {"subject_to_recargo": True}).json()
    assert retailer["subject_to_recargo"] and not retailer["withholds_irpf"]


def test_invalid_and_duplicate_tax_ids_are_422_on_the_field(api):
    bad = api.post("/parties", BODY | {"tax_id": "B12345678"})
    assert bad.status_code == 422
    assert bad.json()["errors"] == [{"field": "tax_id", "message": bad.json()["errors"][0]["message"]}]
    assert api.post("/parties", BODY).status_code == 201
    duplicate = api.post("/parties", BODY | {"name": "Otra"})
    assert duplicate.status_code == 422
    assert "Fontanería Albufera" in duplicate.json()["errors"][0]["message"]
    assert Party.objects.count() == 1


def test_missing_and_over_long_fields(api):
    response = api.post("/parties", {"name": "", "notes": "x" * 5001, "country": "Spain"})
    assert response.status_code == 422
    assert {"name", "notes", "country"} <= {error["field"] for error in response.json()["errors"]}
    response = api.post("/parties", {"name": "X", "addresses": [{"street": "S"}]})
    assert response.json()["errors"][0]["field"] == "addresses.0.city"
    assert not Party.objects.exists()


def test_patching_with_null_is_refused(api):
    party = api.post("/parties", {"name": "Con nombre"}).json()
    response = api.patch(f"/parties/{party['id']}", {"name": None})
    assert response.status_code == 422
    assert api.get(f"/parties/{party['id']}").json()["name"] == "Con nombre"


def test_list_search_filter_and_paginate(api):
    api.post("/parties", BODY)
    api.post("/parties", {"name": "Electricidad Segura", "is_supplier": True,
                          "addresses": [{"street": "Av. Libertad 2", "city": "Murcia"}]})  # fmt: skip
    for index in range(5):
        api.post("/parties", {"name": f"Cliente {index}", "status": "customer"})
    everything = api.get("/parties").json()
    assert everything["count"] == 7
    assert api.get("/parties", q="murcia").json()["items"][0]["name"] == "Electricidad Segura"
    assert api.get("/parties", q="B12345674").json()["count"] == 1
    assert api.get("/parties", q="albufera.es").json()["count"] == 1
    assert api.get("/parties", is_supplier="true").json()["count"] == 1
    assert api.get("/parties", status="customer").json()["count"] == 5
    assert api.get("/parties", city="valencia").json()["count"] == 1
    page = api.get("/parties", limit=2, offset=2, ordering="-name").json()
    assert page["count"] == 7 and [item["name"] for item in page["items"]] == ["Cliente 4", "Cliente 3"]
    assert api.get("/parties", limit=0).status_code == 422
    assert api.get("/parties", ordering="password").status_code == 422


def test_contacts_and_addresses_endpoints(api):
    party = api.post("/parties", {"name": "P"}).json()
    contact = api.post(f"/parties/{party['id']}/contacts", {"name": "Ana", "email": "ana@p.es"})
    assert contact.status_code == 201 and contact.json()["is_primary"]
    bad = api.post(f"/parties/{party['id']}/contacts", {"name": "Luis", "email": "no"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "email"
    cid = contact.json()["id"]
    assert api.patch(f"/parties/{party['id']}/contacts/{cid}", {"phone": "600"}).json()["phone"] == "600"
    address = api.post(f"/parties/{party['id']}/addresses", {"street": "C/ Uno", "city": "Alcoy"}).json()
    assert api.delete(f"/parties/{party['id']}/addresses/{address['id']}").status_code == 204
    assert api.delete(f"/parties/{party['id']}/contacts/{cid}").status_code == 204
    assert api.get(f"/parties/{party['id']}").json()["contacts"] == []
    assert api.delete(f"/parties/{party['id']}/contacts/{cid}").status_code == 404


def test_the_list_runs_a_constant_number_of_queries(api, django_assert_max_num_queries):
    for index in range(30):
        api.post("/parties", {"name": f"Cliente {index}", "addresses": [{"street": "C", "city": "Elche"}],
                              "contacts": [{"name": "A"}, {"name": "B"}]})  # fmt: skip
    with django_assert_max_num_queries(8):
        assert len(api.get("/parties", limit=30).json()["items"]) == 30

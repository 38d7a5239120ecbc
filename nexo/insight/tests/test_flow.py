"""The document flow of the story in flow_story: from any of its documents, the same chain, every link
present whichever end it is read from; the page that draws it; who may open what; and a constant number of
queries whatever the chain holds."""

from decimal import Decimal as D
from html import escape

import pytest
from django.db import connection, reset_queries
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from nexo.core.errors import NotFound, ValidationFailed
from nexo.insight.services import flow
from nexo.insight.tests.flow_story import tell_chain, tell_story

#: What reading a flow may cost at most, whatever the number of its documents: the start, each of the 12 types
#: read once upstream and once downstream, the 5 kinds of line that link documents, the purchase orders' totals.
FLOW_QUERIES = 1 + 12 + 12 + 5 + 1
#: The page: the flow, the session, the user and their company, the user's permissions, the shell.
PAGE_QUERIES = FLOW_QUERIES + 8


@pytest.fixture(autouse=True)
def _english(english):
    """Labels are asserted in English; the Spanish ones are the page test's."""


@pytest.fixture
def story(company, manager_user):
    return tell_story(company, manager_user)


def keys(found: flow.Flow) -> set[tuple[str, int]]:
    return {node.key for node in found.nodes}


def links(found: flow.Flow) -> set[tuple[tuple, tuple, str]]:
    return {(edge.source, edge.target, edge.kind) for edge in found.edges}


def the_chain(story) -> dict[str, tuple[str, int]]:
    """Every document of the story's chain by a name, as the flow keys it."""
    named = {
        "opportunity": ("opportunity", story.opportunity.pk),
        "quotation v1": ("quotation", story.first_version.pk),
        "quotation v2": ("quotation", story.quotation.pk),
        "order": ("order", story.order.pk),
        "delivery": ("delivery", story.delivery.pk),
        "backorder": ("delivery", story.backorder.pk),
        "return": ("delivery", story.returned.pk),
        "invoice": ("invoice", story.invoice.pk),
        "credit note": ("invoice", story.credit_note.pk),
        "first half": ("due", story.first_half.pk),
        "second half": ("due", story.second_half.pk),
        "credit due": ("due", story.credit_due.pk),
        "remittance": ("remittance", story.remittance.pk),
        "collected": ("payment", story.collected.pk),
        "offset": ("payment", story.offset.pk),
        "transfer": ("payment", story.transfer.pk),
        "purchase": ("purchase-order", story.purchase.pk),
        "receipt": ("receipt", story.purchase_receipt.pk),
        "supplier invoice": ("supplier-invoice", story.supplier_invoice.pk),
        "supplier due": ("due", story.supplier_due.pk),
        "supplier payment": ("payment", story.supplier_payment.pk),
    }
    documents = {
        "delivery": story.delivery, "backorder": story.backorder, "return": story.returned,
        "invoice": story.invoice, "credit note": story.credit_note, "receipt": story.purchase_receipt,
        "supplier invoice": story.supplier_invoice, "transfer": story.transfer,
        "supplier payment": story.supplier_payment, "remittance": story.remittance,
    }  # fmt: skip
    for name, document in documents.items():
        (entry,) = story.entries_of(document)
        named[f"{name} entry"] = ("entry", entry.pk)
    return named


#: The story's documents that posted a journal entry each (stock is accounted perpetually).
POSTED = (
    "delivery", "backorder", "return", "invoice", "credit note", "receipt", "supplier invoice", "transfer",
    "supplier payment", "remittance",
)  # fmt: skip


def test_every_link_of_the_story_is_in_its_flow_whichever_document_it_is_read_from(company, story):
    chain = the_chain(story)
    expected = {
        (chain[source], chain[target], kind)
        for source, target, kind in [
            ("opportunity", "quotation v1", "quoted_in"),
            ("quotation v1", "quotation v2", "revised_as"),
            ("quotation v2", "order", "accepted_into"),
            ("order", "delivery", "delivered_by"),
            ("delivery", "backorder", "backordered_as"),
            ("backorder", "return", "returned_by"),
            ("order", "invoice", "invoiced_by"),
            ("invoice", "credit note", "corrected_by"),
            ("return", "credit note", "credited_by"),
            ("invoice", "first half", "due"),
            ("invoice", "second half", "due"),
            ("credit note", "credit due", "due"),
            ("first half", "remittance", "remitted_in"),
            ("first half", "collected", "paid_by"),
            ("remittance", "collected", "collected_as"),
            ("credit due", "offset", "offset_by"),
            ("second half", "offset", "offset_by"),
            ("second half", "transfer", "paid_by"),
            ("order", "purchase", "bought_for"),
            ("purchase", "receipt", "received_by"),
            ("purchase", "supplier invoice", "billed_by"),
            ("supplier invoice", "supplier due", "due"),
            ("supplier due", "supplier payment", "paid_by"),
            *((document, f"{document} entry", "posted_as") for document in POSTED),
        ]
    }
    from_the_opportunity = flow.document_flow(company, "opportunity", story.opportunity.pk)
    assert keys(from_the_opportunity) == set(chain.values())
    assert links(from_the_opportunity) == expected
    assert not from_the_opportunity.truncated
    # Read back from the payment that closed it, or from anywhere along it: the same documents and links.
    for start in ("transfer", "collected", "invoice", "return", "quotation v1", "second half", "receipt",
                  "supplier payment", "transfer entry", "credit note entry"):  # fmt: skip
        found = flow.document_flow(company, *chain[start])
        assert (keys(found), links(found)) == (set(chain.values()), expected), start
        assert [node.key for node in found.nodes if node.current] == [chain[start]]
    # Beside the chain: the purchase that stocked the first downlights, the other customer's invoice and the
    # collection the remittance made of it.
    outside = {
        ("purchase-order", story.stock_purchase.pk), ("invoice", story.other_invoice.pk),
        ("payment", story.other_collected.pk),
    }  # fmt: skip
    assert not outside & keys(from_the_opportunity)


def test_a_remittance_or_its_entry_read_as_the_start_holds_every_collection_in_it(company, story):
    chain = the_chain(story)
    other = {("invoice", story.other_invoice.pk), ("payment", story.other_collected.pk)}
    for start in (chain["remittance"], chain["remittance entry"]):
        found = flow.document_flow(company, *start)
        assert set(chain.values()) | other <= keys(found), start
        assert (chain["remittance"], ("payment", story.other_collected.pk), "collected_as") in links(found)


def test_each_document_shows_its_state_and_amount(company, story):
    found = flow.document_flow(company, "invoice", story.invoice.pk)
    shown = {
        node.key: (node.label, node.number, node.state_label, node.amount, node.currency)
        for node in found.nodes
    }
    chain = the_chain(story)
    invoice, credit = story.invoice, story.credit_note
    assert shown[chain["invoice"]] == ("Invoice", invoice.number, "Posted", invoice.total, "EUR")
    assert shown[chain["credit note"]] == ("Credit note", credit.number, "Posted", credit.total, "EUR")
    assert credit.total < 0
    assert shown[chain["quotation v1"]][1:3] == (f"{story.first_version.number} v1", "Superseded")
    assert shown[chain["quotation v2"]][1:3] == (f"{story.quotation.number} v2", "Accepted")
    assert shown[chain["order"]][2:4] == ("Done", story.order.total)
    assert shown[chain["return"]][:4] == ("Return", story.returned.number, "Validated", None)
    assert shown[chain["receipt"]][:4] == ("Receipt", story.purchase_receipt.number, "", None)
    # 5 downlights bought at the supplier's 6.00: 30.00, the purchase order's total (it keeps none).
    assert shown[chain["purchase"]][2:4] == ("Received", D("30.00"))
    halves = story.first_half.amount, story.second_half.amount
    assert shown[chain["first half"]][1:4] == (f"{invoice.number} 1/2", "Paid", halves[0])
    assert shown[chain["second half"]][1:4] == (f"{invoice.number} 2/2", "Paid", halves[1])
    assert sum(halves) == invoice.total
    assert shown[chain["offset"]][2:4] == ("Posted", D("0.00"))
    assert shown[chain["transfer"]][3] == halves[1] + story.credit_due.amount
    assert shown[chain["supplier payment"]][0] == "Supplier payment"
    assert shown[chain["opportunity"]][1:3] == ("Iluminación calle Sueca", "Won")
    rows = {node.key: node.row for node in found.nodes}
    purchases = {"purchase", "receipt", "supplier invoice", "supplier due", "supplier payment", "receipt entry",
                 "supplier invoice entry", "supplier payment entry"}  # fmt: skip
    assert {name for name, key in chain.items() if rows[key] == flow.PURCHASES_ROW} == purchases


def test_the_page_draws_the_chain_links_each_document_and_highlights_the_one_asked_for(
    company, story, manager_user
):
    client = Client()
    client.force_login(manager_user)
    chain = the_chain(story)
    response = client.get(
        reverse("insight:flow", args=["payment", story.transfer.pk]), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    html = response.content.decode()
    found = flow.document_flow(company, "payment", story.transfer.pk)
    for node in found.nodes:
        # In the graph and in the table, each with the link to its page.
        assert html.count(f'data-key="{node.type}:{node.id}"') == 2, node.key
        assert f'href="{escape(node.url)}"' in html
    assert html.count("flow-edge") == len(found.edges) + 1  # each arrow, and its style rule
    assert f'class="flow-node flow-current" data-key="payment:{story.transfer.pk}"' in html
    assert "This document" in html and "Document flow" in html
    assert f'href="{reverse("crm:opportunity_view", args=[chain["opportunity"][1]])}"' in html
    spanish = client.get(
        reverse("insight:flow", args=["payment", story.transfer.pk]), HTTP_ACCEPT_LANGUAGE="es"
    )
    assert "Factura rectificativa" in spanish.content.decode() and "Presupuestos" in spanish.content.decode()


def test_a_chain_past_the_cap_is_cut_and_says_so(company, story, manager_user, monkeypatch):
    monkeypatch.setattr(flow, "MAX_DOCUMENTS", 10)
    found = flow.document_flow(company, "opportunity", story.opportunity.pk)
    assert found.truncated and len(found.nodes) == 10
    shown = keys(found)
    assert all(edge.source in shown and edge.target in shown for edge in found.edges)
    client = Client()
    client.force_login(manager_user)
    page = client.get(reverse("insight:flow", args=["opportunity", story.opportunity.pk]))
    assert 'id="flow-truncated"' in page.content.decode()
    monkeypatch.undo()
    whole = flow.document_flow(company, "opportunity", story.opportunity.pk)
    assert not whole.truncated and shown < keys(whole)


def test_every_document_page_links_to_its_flow(company, story, manager_user):
    client = Client()
    client.force_login(manager_user)
    pages = {
        "opportunity": reverse("crm:opportunity_view", args=[story.opportunity.pk]),
        "quotation": reverse("sales:quotation_view", args=[story.quotation.pk]),
        "order": reverse("sales:order_view", args=[story.order.pk]),
        "delivery": reverse("sales:delivery_view", args=[story.returned.pk]),
        "invoice": reverse("invoicing:invoice_view", args=[story.credit_note.pk]),
        "entry": reverse("accounting:entry_detail", args=[story.entries_of(story.invoice)[0].pk]),
        "payment": reverse("payments:payment_view", args=[story.transfer.pk]),
        "remittance": reverse("payments:remittance_view", args=[story.remittance.pk]),
        "purchase-order": reverse("purchasing:order_view", args=[story.purchase.pk]),
        "supplier-invoice": reverse("invoicing:supplier_invoice_view", args=[story.supplier_invoice.pk]),
    }
    for doc_type, url in pages.items():
        response = client.get(url)
        assert response.status_code == 200, url
        doc_id = int(url.rstrip("/").rsplit("/", 1)[1])
        flow_url = reverse("insight:flow", args=[doc_type, doc_id])
        assert f'href="{flow_url}" id="document-flow-link"' in response.content.decode(), url
        assert client.get(flow_url).status_code == 200, flow_url


def test_a_document_the_user_may_not_open_is_shown_without_its_link(company, story, make_user):
    """A warehouse keeper opens a delivery's flow: its delivery notes link to their pages; the invoices,
    entries and payments, which the role may not open, are shown without."""
    keeper = make_user("almacen-flujo", "warehouse")
    client = Client()
    client.force_login(keeper)
    response = client.get(reverse("insight:flow", args=["delivery", story.backorder.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    delivery_url = reverse("sales:delivery_view", args=[story.backorder.pk])
    invoice_url = reverse("invoicing:invoice_view", args=[story.invoice.pk])
    assert f'href="{delivery_url}"' in html
    assert f'href="{invoice_url}"' not in html and story.invoice.number in html
    assert f'flow-closed" data-key="invoice:{story.invoice.pk}"' in html
    # Nor may they open an invoice's flow: it is as unknown to them as the invoice's page.
    assert client.get(reverse("insight:flow", args=["invoice", story.invoice.pk])).status_code == 404


def test_a_salesperson_sees_the_flow_of_their_own_documents_but_not_a_colleagues(company, make_user):
    seller, colleague = make_user("vendedora-flujo", "sales"), make_user("colega-flujo", "sales")
    chain = tell_chain(company, seller, size=1)
    own, other = Client(), Client()
    own.force_login(seller)
    other.force_login(colleague)
    url = reverse("insight:flow", args=["quotation", chain.quotation.pk])
    response = own.get(url)
    assert response.status_code == 200
    assert f'href="{reverse("sales:quotation_view", args=[chain.quotation.pk])}"' in response.content.decode()
    assert other.get(url).status_code == 404


def test_another_companys_document_is_not_found_and_an_unknown_type_is_refused(
    company, other_company, manager_user
):
    chain = tell_chain(company, manager_user, size=1)
    with pytest.raises(NotFound):
        flow.document_flow(other_company, "invoice", chain.invoices[0].pk)
    with pytest.raises(NotFound):
        flow.document_flow(company, "invoice", chain.invoices[0].pk + 1000)
    with pytest.raises(ValidationFailed):
        flow.document_flow(company, "letter", chain.invoices[0].pk)
    client = Client()
    client.force_login(manager_user)  # a member of both companies, working in the other one
    client.post(reverse("company_switch"), {"company": other_company.pk})
    page = reverse("insight:flow", args=["invoice", chain.invoices[0].pk])
    assert client.get(page).status_code == 404
    client = Client()
    client.force_login(manager_user)
    assert client.get(page).status_code == 200
    assert client.get(reverse("insight:flow", args=["letter", chain.invoices[0].pk])).status_code == 404


def _queries(company, doc_type, doc_id) -> int:
    reset_queries()  # the story filled the log: counting past its limit would count nothing
    with CaptureQueriesContext(connection) as run:
        flow.document_flow(company, doc_type, doc_id)
    return len(run.captured_queries)


def test_a_flow_costs_the_same_queries_for_one_delivery_as_for_three(
    company, manager_user, django_assert_max_num_queries
):
    small = tell_chain(company, manager_user, size=1)
    big = tell_chain(company, manager_user, size=3)
    assert (len(big.deliveries), len(big.invoices), len(big.payments)) == (3, 3, 6)
    for name in ("opportunity", "payment", "invoice"):
        chains = []
        for chain in (small, big):
            start = {
                "opportunity": chain.opportunity.pk, "payment": chain.payments[-1].pk,
                "invoice": chain.invoices[0].pk,
            }[name]  # fmt: skip
            reset_queries()
            with django_assert_max_num_queries(FLOW_QUERIES):
                found = flow.document_flow(company, name, start)
            chains.append((_queries(company, name, start), len(found.nodes)))
        (small_queries, small_nodes), (big_queries, big_nodes) = chains
        assert 0 < small_queries == big_queries, name
        # 1 opportunity, quotation and order; per delivery: the delivery, its invoice and that invoice's entry,
        # 2 due amounts and 2 payments with their 2 entries.
        assert (small_nodes, big_nodes) == (3 + 9, 3 + 9 * 3), name


def test_the_page_costs_the_same_queries_for_one_delivery_as_for_three(
    company, manager_user, django_assert_max_num_queries
):
    small = tell_chain(company, manager_user, size=1)
    big = tell_chain(company, manager_user, size=3)
    client = Client()
    client.force_login(manager_user)
    counts = []
    for chain in (small, big):
        url = reverse("insight:flow", args=["payment", chain.payments[0].pk])
        client.get(url)  # the session and the user's first visit settled
        with django_assert_max_num_queries(PAGE_QUERIES), CaptureQueriesContext(connection) as run:
            assert client.get(url).status_code == 200
        counts.append(len(run.captured_queries))
    assert 0 < counts[0] == counts[1]

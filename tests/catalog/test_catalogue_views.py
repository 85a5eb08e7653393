"""The employees' catalogue in the browser: browsing, searching, the service and item pages, the order
form and the colleague lookup."""

from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import NoReverseMatch, reverse

from catalog.models import CatalogItem, OrderQuestion, Service
from tests.catalog.factories import ApproverGroupFactory, CatalogItemFactory, OrderQuestionFactory, options
from tests.factories import ServiceFactory, UnitFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def english(client):
    """Pages in English, so that assertions read the msgids whatever the Bokmål catalogue says."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_the_catalogue_needs_a_login(client):
    response = client.get(reverse("catalogue:index"))
    assert response.status_code == 302
    assert reverse("people:login") in response["Location"]


def test_browse_shows_price_in_norwegian_lead_time_and_approval(client, employee):
    CatalogItemFactory(
        code="pc",
        name_nb="Bærbar PC",
        price=Decimal("12990"),
        lead_time_days=7,
        approval_policy=CatalogItem.ApprovalPolicy.MANAGER,
    )
    CatalogItemFactory(code="tilgang", name_nb="Tilgang til Teams", price=Decimal("0"))
    client.force_login(employee)
    content = client.get(reverse("catalogue:index")).content.decode()
    assert "Bærbar PC" in content
    assert "12\u00a0990" in content
    assert "12990" not in content
    assert reverse("catalogue:item_detail", args=["pc"]) in content


def test_browse_in_english(english, employee):
    CatalogItemFactory(
        code="pc",
        name_en="Laptop",
        price=Decimal("12990.50"),
        approval_policy=CatalogItem.ApprovalPolicy.MANAGER,
    )
    CatalogItemFactory(code="tilgang", name_en="Teams access", price=Decimal("0"), lead_time_days=1)
    english.force_login(employee)
    content = english.get(reverse("catalogue:index")).content.decode()
    assert "NOK\u00a012,990.50" in content
    assert "No charge" in content
    assert "About 1 working day" in content
    assert "Needs approval" in content
    assert "No approval needed" in content


def test_htmx_search_returns_the_results_fragment_only(client, employee):
    CatalogItemFactory(code="pc", name_nb="Bærbar PC")
    CatalogItemFactory(code="skjerm", name_nb="Skjerm 27 tommer")
    client.force_login(employee)
    response = client.get(reverse("catalogue:index"), {"q": "skjerm"}, headers={"HX-Request": "true"})
    content = response.content.decode()
    assert content.lstrip().startswith('<div id="results"')
    assert "Skjerm 27 tommer" in content
    assert "Bærbar PC" not in content
    assert "<html" not in content
    assert "HX-Request" in response["Vary"]


def test_the_search_form_works_without_javascript(client, employee):
    CatalogItemFactory(code="pc", name_nb="Bærbar PC")
    client.force_login(employee)
    response = client.get(reverse("catalogue:index"), {"q": "bærbar", "kind": "equipment", "category": ""})
    content = response.content.decode()
    assert "<html" in content
    assert 'method="get"' in content
    assert "Bærbar PC" in content
    # Nonsense filters are ignored, not an error.
    assert client.get(reverse("catalogue:index"), {"kind": "<script>"}).status_code == 200


def test_the_catalogue_runs_the_same_number_of_queries_for_5_and_50_items(
    client, employee, django_assert_num_queries, django_assert_max_num_queries
):
    group = ApproverGroupFactory()
    client.force_login(employee)
    services = ServiceFactory.create_batch(3)

    def add(n):
        for i in range(n):
            CatalogItemFactory(
                service=services[i % 3],
                approval_policy=CatalogItem.ApprovalPolicy.GROUP
                if i % 2
                else CatalogItem.ApprovalPolicy.NONE,
                approver_group=group if i % 2 else None,
                visible_to_org_units=[employee.org_unit] if i % 5 == 0 else None,
            )

    add(5)
    with django_assert_max_num_queries(15) as few:
        response = client.get(reverse("catalogue:index"))
    assert len(response.context["items"]) == 5
    add(45)
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(reverse("catalogue:index"))
    assert len(response.context["items"]) == 50


def test_item_page_shows_the_facts_and_the_order_form(english, employee):
    group = ApproverGroupFactory(name_en="The IT security board")
    item = CatalogItemFactory(
        code="vpn",
        name_en="VPN access",
        approval_policy=CatalogItem.ApprovalPolicy.GROUP,
        approver_group=group,
        kind=CatalogItem.Kind.ACCESS,
        max_quantity=1,
    )
    OrderQuestionFactory(
        item=item, key="reason", label_en="Why do you need it?", type=OrderQuestion.Type.LONG_TEXT
    )
    OrderQuestionFactory(
        item=item, key="size", label_en="Size", type=OrderQuestion.Type.CHOICE, choices=options("s", "m")
    )
    english.force_login(employee)
    content = english.get(reverse("catalogue:item_detail", args=["vpn"])).content.decode()
    assert "Needs approval from The IT security board." in content
    assert 'id="order-form"' in content
    assert 'name="answer-reason"' in content
    assert 'name="answer-size"' in content
    assert 'name="quantity" value="1"' in content
    assert '<label class="ds-label" for="id_answer-reason">Why do you need it?' in content
    assert 'name="item" value="vpn"' in content
    try:
        action = reverse("orders:cart_add", args=["vpn"])
    except NoReverseMatch:  # the orders app is not there yet
        action = ""
    assert f'hx-post="{action}"' in content


def test_stock_is_only_in_stock_or_ordered_from_the_supplier(english, employee):
    CatalogItemFactory(code="mus", stocked=True, stock_count=37)
    CatalogItemFactory(code="skjerm", stocked=True, stock_count=0)
    english.force_login(employee)
    in_stock = english.get(reverse("catalogue:item_detail", args=["mus"])).content.decode()
    assert "In stock" in in_stock
    assert "37" not in in_stock
    assert (
        "Ordered from the supplier"
        in english.get(reverse("catalogue:item_detail", args=["skjerm"])).content.decode()
    )


def test_the_order_form_partial_renders_bound_errors_for_the_orders_app(rf, employee):
    """The orders app re-renders item_detail.html#order-form with the bound answer form on errors."""
    from django.template.loader import render_to_string

    from catalog.questions import answer_form

    item = CatalogItemFactory(code="pc", max_quantity=3)
    OrderQuestionFactory(item=item, key="screens", type=OrderQuestion.Type.NUMBER, max_value=Decimal("2"))
    request = rf.post("/")
    request.user = employee
    form = answer_form(item, {"answer-screens": "9"})
    assert not form.is_valid()
    html = render_to_string(
        "catalog/item_detail.html#order-form",
        {"item": item, "answer_form": form, "quantity": 5, "quantity_error": "Too many."},
        request=request,
    )
    assert html.lstrip().startswith('<div id="order-form">')
    assert 'role="alert"' in html
    assert 'href="#id_quantity"' in html
    assert 'href="#id_answer-screens"' in html
    assert 'aria-invalid="true"' in html
    assert 'value="5"' in html
    assert 'value="9"' in html
    assert "csrfmiddlewaretoken" in html


def test_xss_in_the_item_description_is_inert(client, employee):
    CatalogItemFactory(
        code="pc",
        description_nb='**Rask** <script>alert(1)</script><img src=x onerror="alert(2)"> [lenke](javascript:alert(3))',
    )
    client.force_login(employee)
    content = client.get(reverse("catalogue:item_detail", args=["pc"])).content.decode()
    assert "<strong>Rask</strong>" in content
    assert "<script>alert(1)" not in content
    assert "onerror" not in content
    assert "javascript:alert" not in content


def test_draft_hidden_and_unknown_items_are_not_found(client, employee):
    CatalogItemFactory(code="utkast", state=CatalogItem.State.DRAFT)
    CatalogItemFactory(code="smal", visible_to_org_units=[UnitFactory()])
    client.force_login(employee)
    for code in ("utkast", "smal", "finnes-ikke"):
        assert client.get(reverse("catalogue:item_detail", args=[code])).status_code == 404


def test_a_retired_item_says_so_and_has_no_order_form(english, employee):
    CatalogItemFactory(code="gammel", name_en="Old phone", state=CatalogItem.State.RETIRED)
    english.force_login(employee)
    response = english.get(reverse("catalogue:item_detail", args=["gammel"]))
    content = response.content.decode()
    assert response.status_code == 200
    assert "This item can no longer be ordered." in content
    assert 'id="order-form"' not in content


def test_service_page_for_employees(english, employee, service):
    CatalogItemFactory(code="postkasse", name_en="Shared mailbox", service=service)
    CatalogItemFactory(code="annet", name_en="Something else")
    english.force_login(employee)
    content = english.get(reverse("catalogue:service_detail", args=[service.code])).content.decode()
    assert "Email and calendar" in content
    assert "Shared mailbox" in content
    assert "Something else" not in content
    assert f"{reverse('tickets:report')}?service={service.code}" in content
    assert "No known problems right now." in content


def test_service_page_shows_an_ongoing_outage(english, employee, agent, service):
    from django.utils import timezone

    from incidents.models import Outage
    from tests.factories import make_ticket

    incident = make_ticket(agent, service=service)
    Outage.objects.create(incident=incident, service=service, start=timezone.now(), recorded_by=agent)
    english.force_login(employee)
    content = english.get(reverse("catalogue:service_detail", args=[service.code])).content.decode()
    assert "The service is down since" in content


def test_a_planned_service_is_not_found_for_employees(client, employee):
    ServiceFactory(code="kommer", state=Service.State.PLANNED)
    client.force_login(employee)
    assert client.get(reverse("catalogue:service_detail", args=["kommer"])).status_code == 404


def test_the_report_form_preselects_the_service(client, employee, service):
    client.force_login(employee)
    content = client.get(reverse("tickets:report"), {"service": service.code}).content.decode()
    assert f'<option value="{service.pk}" selected>' in content
    # An unknown code is simply ignored.
    assert client.get(reverse("tickets:report"), {"service": "finnes-ikke"}).status_code == 200


def test_colleague_lookup_returns_radio_buttons_without_emails(client, employee):
    for n in range(12):
        UserFactory(first_name="Ingrid", last_name=f"Berg{n:02d}", job_title="Rådgiver")
    UserFactory(first_name="Ingrid", last_name="Sluttet", is_active=False)
    client.force_login(employee)
    response = client.get(reverse("catalogue:people"), {"q": "ingrid", "field": "answer-for_whom"})
    content = response.content.decode()
    assert response.status_code == 200
    assert content.count('type="radio"') == 10
    assert 'name="answer-for_whom"' in content
    assert "Sluttet" not in content
    assert "@" not in content
    assert "Rådgiver" in content


def test_colleague_lookup_needs_a_login_and_two_letters(client, employee):
    assert client.get(reverse("catalogue:people"), {"q": "kari"}).status_code == 302
    client.force_login(employee)
    content = client.get(reverse("catalogue:people"), {"q": "k"}).content.decode()
    assert 'type="radio"' not in content


def test_colleague_lookup_ignores_a_made_up_field_name(client, employee, other_employee):
    client.force_login(employee)
    content = client.get(
        reverse("catalogue:people"), {"q": "ola", "field": '"><script>alert(1)</script>'}
    ).content.decode()
    assert "<script>" not in content
    assert 'name="answer-person"' in content


def test_the_person_question_falls_back_to_a_form_round_trip(client, employee, other_employee):
    item = CatalogItemFactory(code="tilgang", kind=CatalogItem.Kind.ACCESS)
    OrderQuestionFactory(item=item, key="for_whom", type=OrderQuestion.Type.PERSON)
    client.force_login(employee)
    content = client.get(reverse("catalogue:item_detail", args=["tilgang"])).content.decode()
    assert 'name="answer-for_whom-search"' in content
    assert f'hx-get="{reverse("catalogue:people")}?field=answer-for_whom"' in content
    assert 'id="answer-for_whom-results"' in content


def test_menu_and_portal_link_to_the_catalogue(client, employee, agent):
    client.force_login(employee)
    portal = client.get(reverse("portal")).content.decode()
    assert reverse("catalogue:index") in portal
    assert reverse("catalogue:my_equipment") in portal
    assert reverse("assets:list") not in portal
    client.force_login(agent)
    assert reverse("assets:list") in client.get(reverse("workspace")).content.decode()

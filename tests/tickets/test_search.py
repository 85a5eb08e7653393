"""Free-text search in the queue: any part of a word, case-insensitive, from the text indexes."""

import pytest
from django.db import connection
from django.urls import reverse

from tests.factories import make_ticket
from tickets import selectors
from tickets.models import Ticket


def _found(text: str) -> set[str]:
    return set(selectors.search(Ticket.objects.all(), text).values_list("title", flat=True))


@pytest.fixture
def tickets(employee):
    make_ticket(employee, title="Nettverksskriveren i 3. etasje", description="Papirstopp hver morgen.")
    make_ticket(employee, title="Passordet er utløpt", description="Får ikke logget på Skriver-PCen.")
    make_ticket(
        employee, title="Tregt nett på Haugen", description="Ærlig talt: Wi-Fi faller ut på rådhuset."
    )
    return Ticket.objects.order_by("pk")


@pytest.mark.parametrize("few_matches", [5000, 0], ids=["from the index", "by scanning"])
def test_search_finds_parts_of_words_in_any_case(tickets, monkeypatch, few_matches):
    # Both of SQLite's plans (and PostgreSQL's one) must give the same answers.
    monkeypatch.setattr(selectors, "SEARCH_FEW_MATCHES", few_matches)
    assert _found("skriver") == {"Nettverksskriveren i 3. etasje", "Passordet er utløpt"}
    assert _found("SKRIVER") == _found("skriver")
    assert _found("papirstopp") == {"Nettverksskriveren i 3. etasje"}
    assert _found("wi-fi faller") == {"Tregt nett på Haugen"}  # a phrase across words
    assert _found("finnes-ikke") == set()
    assert _found('"; DROP') == set()  # quotes are text, not query syntax


def test_search_by_number_and_short_text(tickets):
    first = tickets.first()
    assert _found(first.number.lower()) == {first.title}
    assert "Tregt nett på Haugen" in _found("et")  # shorter than a trigram: searched without the index


def test_the_index_follows_changes_and_deletions(tickets, agent):
    ticket = tickets.first()
    Ticket.objects.filter(pk=ticket.pk).update(title="Skanneren er borte", description="")
    assert "Skanneren er borte" in _found("skanner")
    assert _found("papirstopp") == set()
    Ticket.objects.filter(pk=ticket.pk).delete()
    assert _found("skanner") == set()


def test_each_database_answers_from_its_trigram_index(tickets):
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT count(*) FROM tickets_ticket_search WHERE tickets_ticket_search MATCH %s",
                ['"skriver"'],
            )
            assert cursor.fetchone()[0] == 2
        else:
            # pg_trgm's GIN indexes on what icontains compares; the planner picks them on a large table.
            cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'tickets_ticket'")
            assert {"ticket_title_trgm", "ticket_description_trgm"} <= {row[0] for row in cursor.fetchall()}


def test_a_broad_list_says_more_than_the_cap_instead_of_counting(client, agent, employee, monkeypatch):
    from servicedesk.paginator import CappedPaginator

    monkeypatch.setattr(CappedPaginator, "cap", 3)
    for n in range(5):
        make_ticket(employee, title=f"Skriver {n}")
    client.force_login(agent)
    response = client.get(reverse("tickets:queue", args=["all"]), {"q": "skriver"})
    paginator = response.context["table"].paginator
    assert paginator.capped is True and paginator.count == 3
    assert "Mer enn 3 saker" in response.content.decode()

    response = client.get(reverse("tickets:queue", args=["all"]), {"q": "skriver 4"})
    assert response.context["table"].paginator.capped is False
    assert "1 sak" in response.content.decode()

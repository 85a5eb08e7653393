#!/usr/bin/env python
"""Fill a database with many realistic tickets in bulk, for the benchmarks (not demo data).

    DEBUG=1 DATABASE_URL=sqlite:////tmp/servicedesk-bench/bench.sqlite3 \
        .venv/bin/python bench/fill_tickets.py --tickets 100000

Runs ``migrate`` and (if the demo municipality is missing) ``seed_demo``, then writes the tickets and
a few timeline events per ticket: statuses follow the ticket's age (old ones are closed, the last days'
are open), priorities come from the impact × urgency matrix, groups follow the service, assignees are
members of the group, opened_at spreads over the last 12 months with weekday and office-hour peaks.
Numbers are allocated per kind and year in opening order, continuing from the ``TicketSequence`` rows,
and the sequences are moved past the last number used, so tickets created afterwards through the app
still get unique numbers. Deterministic for a given ``--seed``.

The rows are what ``bulk_create`` would write, made as plain lists and sent in bulk (``COPY`` on
PostgreSQL, one prepared ``INSERT`` per table on SQLite), with the secondary indexes built after the
load rather than kept up to date row by row: a fraction of the time, for the same tables.

Refuses to run on a database that already holds tickets unless ``--append`` is given.
"""

from __future__ import annotations

import argparse
import bisect
import concurrent.futures
import contextlib
import datetime as dt
import gc
import importlib
import itertools
import json
import math
import operator
import os
import queue
import random
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "servicedesk.settings")

# --- Text the tickets are made of (Norwegian, as the users write) ------------------------------------

# service code -> (category, [titles]); "" is tickets with no service chosen.
TITLES: dict[str, tuple[str, list[str]]] = {
    "utskrift": (
        "printing",
        [
            "Skriveren skriver ikke ut",
            "Papirstopp i skriveren i 2. etasje",
            "Får ikke koblet til skriver",
            "Utskrift henger i køen",
            "Skriver viser feilmelding om toner",
            "Ny skriver må legges til på PC-en",
            "Kopimaskinen skanner ikke til e-post",
            "Skriveren skriver ut blanke ark",
        ],
    ),
    "klient-pc": (
        "hardware",
        [
            "PC-en starter ikke",
            "Treg PC etter oppdatering",
            "Skjermen flimrer",
            "Tastaturet virker ikke",
            "Trenger ny dokkingstasjon",
            "Blåskjerm ved oppstart",
            "Lyden virker ikke på bærbar PC",
            "Batteriet lades ikke",
        ],
    ),
    "microsoft-365": (
        "software",
        [
            "Teams krasjer ved oppstart",
            "Får ikke åpnet Excel-fil",
            "Outlook-kalenderen synkroniserer ikke",
            "OneDrive synkroniserer ikke",
            "Word lagrer ikke dokumentet",
            "Mangler lisens til Office",
        ],
    ),
    "epost": (
        "software",
        [
            "Får ikke sendt e-post",
            "E-post havner i søppelpost",
            "Delt postkasse mangler",
            "Postkassen er full",
            "Får ikke e-post på mobilen",
        ],
    ),
    "identitet": (
        "access",
        [
            "Glemt passord",
            "Kontoen er låst",
            "Får ikke logget inn med BankID",
            "Trenger tilgang til fellesområde",
            "Ny ansatt trenger brukerkonto",
            "Tofaktor virker ikke på ny telefon",
        ],
    ),
    "fillagring": (
        "access",
        [
            "Får ikke tilgang til fellesmappe",
            "Mappen på K: er borte",
            "Trenger gjenoppretting av slettet fil",
            "Fellesområdet er tregt",
        ],
    ),
    "nettverk-kontor": (
        "network",
        [
            "Ingen nettverkstilgang på kontoret",
            "Trådløst nett faller ut",
            "VPN kobler ikke til",
            "Nettverksuttak virker ikke",
        ],
    ),
    "nettverk-skole": (
        "network",
        ["Elevnettet er nede", "Trådløst nett på skolen er tregt", "Smartboard får ikke nett"],
    ),
    "telefoni": (
        "hardware",
        ["Mobilen får ikke dekning", "Sentralbordet viderekobler ikke", "Trenger ny mobiltelefon"],
    ),
    "saksbehandling": (
        "software",
        [
            "Saksbehandlingssystemet henger",
            "Får ikke journalført dokument",
            "Feil ved utsending av brev",
            "Mangler rolle i saksbehandlingssystemet",
        ],
    ),
    "fagsystem-barnehage": ("software", ["Barnehagesystemet viser feil", "Foreldre får ikke logget inn"]),
    "fagsystem-gerica": ("software", ["Gerica er tregt", "Får ikke signert i Gerica", "Tiltaksplan mangler"]),
    "okonomi-lonn": ("software", ["Får ikke attestert faktura", "Lønnsslipp mangler", "Reiseregning feiler"]),
    "skole-laeringsplattform": (
        "software",
        [
            "Elever får ikke levert oppgaver",
            "Læringsplattformen er nede",
            "Mangler klasse i læringsplattformen",
        ],
    ),
    "innbyggerportal": ("software", ["Skjema i innbyggerportalen feiler"]),
    "videomote": ("hardware", ["Videomøterommet virker ikke", "Kameraet i møterommet er svart"]),
    "": (
        "other",
        [
            "Noe virker ikke",
            "Hjelp med ny programvare",
            "Spørsmål om bestilling",
            "Flytting av arbeidsplass",
            "Trenger hjelp snarest",
        ],
    ),
}

# How often each service is the subject of a ticket (relative weights; printing and PCs lead).
SERVICE_WEIGHTS = {
    "utskrift": 9,
    "klient-pc": 14,
    "microsoft-365": 14,
    "epost": 8,
    "identitet": 16,
    "fillagring": 5,
    "nettverk-kontor": 6,
    "nettverk-skole": 3,
    "telefoni": 4,
    "saksbehandling": 5,
    "fagsystem-barnehage": 1.5,
    "fagsystem-gerica": 3,
    "okonomi-lonn": 3,
    "skole-laeringsplattform": 3,
    "innbyggerportal": 0.5,
    "videomote": 1,
    "": 8,
}

DESCRIPTION_LINES = [
    "Det har vært slik siden i morges.",
    "Har prøvd å starte på nytt, uten at det hjalp.",
    "Gjelder flere på avdelingen.",
    "Det haster litt, vi har frist i dag.",
    "Feilmeldingen kommer hver gang jeg prøver.",
    "Kollegaen min skriver at det samme skjer hos henne.",
    "Har lagt ved skjermbilde tidligere.",
    "Det virket i går.",
]
REPLIES = [
    "Takk for henvendelsen. Vi ser på saken.",
    "Kan du prøve å logge ut og inn igjen?",
    "Vi har sendt en tekniker til deg.",
    "Problemet skal nå være løst. Gi beskjed om det fortsatt ikke virker.",
    "Kan du sende oss et skjermbilde av feilmeldingen?",
    "Vi venter på svar fra leverandøren.",
]
NOTES = [
    "Sjekket loggene, ingen feil på serversiden.",
    "Samme feil som i forrige uke, se kjent feil.",
    "Eskalert til leverandør.",
    "Brukeren har gammel klientversjon.",
]
RESOLUTION_NOTES = {
    "solved": "Feilen er rettet.",
    "workaround": "Midlertidig løsning er satt opp.",
    "guidance": "Brukeren fikk veiledning.",
    "no_fault": "Fant ingen feil.",
    "duplicate": "Samme sak er meldt før.",
}

# Status by age in days: (upper bound of the age band, [(status, weight), ...]).
STATUS_BY_AGE = [
    (1, [("new", 35), ("assigned", 25), ("in_progress", 25), ("pending", 5), ("resolved", 10)]),
    (
        3,
        [
            ("new", 8),
            ("assigned", 12),
            ("in_progress", 25),
            ("pending", 15),
            ("resolved", 35),
            ("closed", 3),
            ("cancelled", 2),
        ],
    ),
    (
        10,
        [
            ("new", 1),
            ("assigned", 3),
            ("in_progress", 8),
            ("pending", 8),
            ("resolved", 20),
            ("closed", 57),
            ("cancelled", 3),
        ],
    ),
    (30, [("in_progress", 1), ("pending", 2), ("resolved", 1), ("closed", 92), ("cancelled", 4)]),
    (10_000, [("in_progress", 0.2), ("pending", 0.2), ("closed", 95.6), ("cancelled", 4)]),
]
KINDS = [("incident", 70), ("request", 25), ("change", 3), ("problem", 2)]
CHANNELS = [("portal", 55), ("email", 20), ("phone", 17), ("chat", 4), ("walk_in", 2), ("event", 2)]
IMPACTS = [(1, 4), (2, 20), (3, 76)]
URGENCIES = [(1, 12), (2, 50), (3, 38)]
RESOLUTION_CODES = [("solved", 55), ("workaround", 15), ("guidance", 20), ("no_fault", 7), ("duplicate", 3)]
PENDING_REASONS = ["requester", "supplier", "change"]
# Share of tickets per hour of the (local) day, weekdays; weekends get 5 % of a weekday's volume.
HOUR_WEIGHTS = [0, 0, 0, 0, 0, 0, 1, 5, 14, 16, 14, 11, 9, 12, 11, 9, 5, 2, 1, 1, 1, 0.5, 0.2, 0.1]
WEEKDAY_WEIGHTS = [1.25, 1.1, 1.0, 0.95, 0.8, 0.05, 0.04]


class Picker:
    """Weighted choice with precomputed cumulative weights (much faster than random.choices per call)."""

    def __init__(self, rng: random.Random, pairs):
        self.rng = rng
        self.values = [v for v, _w in pairs]
        self.cum = list(itertools.accumulate(w for _v, w in pairs))
        self.total = self.cum[-1]

    def __call__(self):
        return self.values[bisect.bisect_right(self.cum, self.rng.random() * self.total)]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--tickets", type=int, default=100_000, help="how many tickets to write")
    parser.add_argument("--months", type=int, default=12, help="spread opened_at over this many months")
    parser.add_argument("--seed", type=int, default=2026, help="random seed (same seed, same data)")
    parser.add_argument("--batch-size", type=int, default=2000, help="tickets per batch written")
    parser.add_argument(
        "--jobs", type=int, default=0, help="writer processes (default: 2 on PostgreSQL, 1 on SQLite)"
    )
    parser.add_argument(
        "--analyze-sqlite", action="store_true", help="run ANALYZE on SQLite too (off: no statistics)"
    )
    parser.add_argument("--append", action="store_true", help="add to a database that has tickets")
    parser.add_argument("--json", metavar="FILE", help="also write the timings as JSON to FILE")
    return parser.parse_args()


def setup_django_and_seed() -> dict:
    import django

    django.setup()
    from django.core.management import call_command, load_command_class

    timings = {}
    started = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    timings["migrate_s"] = round(time.perf_counter() - started, 2)

    from people.models import User

    started = time.perf_counter()
    if not User.objects.filter(username="demo.agent").exists():
        command = load_command_class("people", "seed_demo")
        options = command.create_parser("manage.py", "seed_demo")._option_string_actions
        args = ["--quiet"]
        # Later seeds add demo tickets (incidents, order lines, changes); these benchmarks bring their own.
        args.extend(flag for flag in ("--no-incidents", "--no-orders", "--no-changes") if flag in options)
        call_command("seed_demo", *args)
        timings["seed_demo_args"] = args
    timings["seed_demo_s"] = round(time.perf_counter() - started, 2)
    return timings


def main() -> int:
    args = parse_args()
    if args.tickets < 1 or args.tickets > 5_000_000:
        print("--tickets must be between 1 and 5,000,000", file=sys.stderr)
        return 2
    total_started = time.perf_counter()
    timings = setup_django_and_seed()

    from django.db import connection, connections, transaction
    from django.db.models import Count
    from django.utils import timezone

    from catalog.models import Service
    from incidents.priority import DEFAULT_MATRIX
    from people.models import SupportGroup, SupportGroupMembership, User
    from servicedesk.markdown import render_markdown
    from tickets.models import NUMBER_PREFIX, Kind, Ticket, TicketEvent, TicketSequence

    existing = Ticket.objects.count()
    if existing and not args.append:
        print(
            f"The database already has {existing} tickets; pass --append to add {args.tickets} more "
            "(or start from an empty database).",
            file=sys.stderr,
        )
        return 1

    rng = random.Random(args.seed)
    now = timezone.now().replace(microsecond=0)
    zone = timezone.get_default_timezone()

    # --- Master data from the demo municipality ---------------------------------------------------
    users = list(User.objects.filter(is_active=True).order_by("pk").values_list("pk", "office_location"))
    groups = {g.code: g for g in SupportGroup.objects.all()}
    first_line = next(g for g in groups.values() if g.is_first_line)
    members: dict[int, list[int]] = defaultdict(list)
    for group_id, user_id in SupportGroupMembership.objects.order_by("pk").values_list("group_id", "user_id"):
        members[group_id].append(user_id)
    agent_ids = {u for ids in members.values() for u in ids}
    # Agents report tickets too, but far less than everyone else; a few people report a lot (Zipf-like).
    requesters = [(pk, office) for pk, office in users if pk not in agent_ids] or users
    rng.shuffle(requesters)
    requester_pick = Picker(rng, [(r, 1 / (rank + 1) ** 0.7) for rank, r in enumerate(requesters)])
    display = {u.pk: u.get_full_name() or u.username for u in User.objects.filter(pk__in=agent_ids)}
    services = {s.code: s for s in Service.objects.all()}
    service_pick = Picker(
        rng, [(code, w) for code, w in SERVICE_WEIGHTS.items() if code == "" or code in services]
    )

    # --- opened_at: a day (weekday-weighted, slight growth over the year), then an office-hour peak ---
    days = args.months * 365 // 12
    today_local = timezone.localtime(now, zone).date()
    day_pairs = []
    for back in range(days):
        day = today_local - dt.timedelta(days=back)
        growth = 1.0 - 0.2 * back / days  # 20 % more tickets now than a year ago
        day_pairs.append((day, WEEKDAY_WEIGHTS[day.weekday()] * growth))
    day_pick = Picker(rng, day_pairs)
    hour_pick = Picker(rng, list(enumerate(HOUR_WEIGHTS)))
    status_pickers = [(bound, Picker(rng, pairs)) for bound, pairs in STATUS_BY_AGE]
    kind_pick, channel_pick = Picker(rng, KINDS), Picker(rng, CHANNELS)
    impact_pick, urgency_pick = Picker(rng, IMPACTS), Picker(rng, URGENCIES)
    code_pick = Picker(rng, RESOLUTION_CODES)

    def opened_at() -> dt.datetime:
        for _try in range(50):
            day = day_pick()
            local = dt.datetime.combine(day, dt.time(hour_pick(), rng.randrange(60), rng.randrange(60)))
            instant = timezone.make_aware(local, zone)
            if instant < now:
                return instant
        return now - dt.timedelta(minutes=rng.randrange(1, 600))

    html_cache: dict[str, str] = {}

    def html(text: str) -> str:
        if text not in html_cache:
            html_cache[text] = render_markdown(text)
        return html_cache[text]

    def hours(mean: float) -> dt.timedelta:
        return dt.timedelta(seconds=rng.expovariate(1 / (mean * 3600)))

    # --- Plan every ticket (plain dicts first, so numbers can be given in opening order) -----------
    started = time.perf_counter()
    gc.disable()  # the plans live to the end: collecting would only walk them again and again
    plans = []
    for _ in range(args.tickets):
        opened = opened_at()
        age_days = (now - opened).total_seconds() / 86400
        status = next(p for bound, p in status_pickers if age_days < bound)()
        code = service_pick()
        service = services.get(code)
        category, titles = TITLES.get(code, TITLES[""])
        title = rng.choice(titles)
        requester_id, office = requester_pick()
        channel = channel_pick()
        kind = kind_pick() if channel != "event" else "incident"
        impact, urgency = impact_pick(), urgency_pick()
        priority = DEFAULT_MATRIX[(impact, urgency)]
        overridden = rng.random() < 0.02
        if overridden:
            priority = max(1, priority - 1)
        # New tickets wait in the first line; later most are worked where the service belongs.
        if service is not None and service.support_group_id and (status != "new" and rng.random() < 0.55):
            group_id = service.support_group_id
        else:
            group_id = first_line.pk
        assignee_id = None if status == "new" else rng.choice(members[group_id] or [None])
        if channel in ("portal", "event"):
            created_by = requester_id if channel == "portal" else rng.choice(members[first_line.pk])
        else:
            created_by = rng.choice(members[first_line.pk])
        line, place = rng.choice(DESCRIPTION_LINES), f"Sted: {office or 'ukjent'}"
        description = f"{title}.\n\n{line}\n\n{place}"
        # Markdown of paragraphs is the paragraphs' HTML joined: render each paragraph once, not each
        # ticket (nor each title and line together: rendering is slow, there are hundreds of pairs).
        description_html = f"{html(f'{title}.')}\n{html(line)}\n{html(place)}"

        first_response = resolved = closed = None
        resolution_code = resolution_note = pending_reason = ""
        room = now - opened
        if status != "new":
            first_response = opened + min(hours(1.5), room * 0.3)
        if status in ("resolved", "closed"):
            resolved = first_response + min(hours(20), (now - first_response) * 0.8)
            resolution_code = code_pick()
            resolution_note = RESOLUTION_NOTES[resolution_code]
            if status == "closed":
                closed = resolved + min(dt.timedelta(days=7), (now - resolved) * 0.9)
        elif status == "cancelled":
            closed = opened + min(hours(6), room * 0.5)
            resolution_code = "cancelled"
        elif status == "pending":
            pending_reason = rng.choice(PENDING_REASONS)
        fcr = bool(
            resolved is not None
            and channel in ("phone", "chat", "walk_in")
            and resolved - opened < dt.timedelta(minutes=30)
        )
        reassignments = 0 if rng.random() < 0.75 else (1 if rng.random() < 0.8 else 2)
        plans.append(
            {
                "kind": kind,
                "title": title,
                "description": description,
                "description_html": description_html,
                "requester_id": requester_id,
                "created_by_id": created_by,
                "service_id": service.pk if service else None,
                "support_group_id": group_id,
                "assignee_id": assignee_id,
                "status": status,
                "pending_reason": pending_reason,
                "impact": impact,
                "urgency": urgency,
                "priority": priority,
                "priority_overridden": overridden,
                "category": category,
                "channel": channel,
                "opened_at": opened,
                "first_response_at": first_response,
                "resolved_at": resolved,
                "closed_at": closed,
                "updated_at": max(t for t in (opened, first_response, resolved, closed) if t is not None),
                "resolution_code": resolution_code,
                "resolution_note": resolution_note,
                "first_contact_resolution": fcr,
                "reassignment_count": reassignments,
            }
        )
    plans.sort(key=lambda p: p["opened_at"])

    # Numbers per (kind, local year), continuing from the sequence (or the highest number in use).
    last: dict[tuple[str, int], int] = {(s.kind, s.year): s.last for s in TicketSequence.objects.all()}
    if existing:
        for number in Ticket.objects.values_list("number", flat=True).iterator():
            prefix, year, serial = number.split("-")
            kind = next(k for k, p in NUMBER_PREFIX.items() if p == prefix)
            last[(kind, int(year))] = max(last.get((kind, int(year)), 0), int(serial))
    for plan in plans:
        key = (plan["kind"], timezone.localtime(plan["opened_at"], zone).year)
        last[key] = last.get(key, 0) + 1
        plan["number"] = f"{NUMBER_PREFIX[Kind(plan['kind'])]}-{key[1]}-{last[key]:06d}"
    gc.enable()
    timings["plan_s"] = round(time.perf_counter() - started, 2)

    # --- Write: tickets and their events as plain rows, then the sequences ------------------------
    started = time.perf_counter()
    jobs = args.jobs or (2 if connection.vendor == "postgresql" else 1)
    if connection.vendor == "sqlite":
        jobs = 1  # one writer at a time: more processes would only queue for the lock
    # The tickets get their ids here, in opening order, so the events can name them without reading
    # anything back; the events take theirs from the table as they arrive.
    first_id = reserve_ids(connection, Ticket, len(plans))
    ticket_columns, ticket_row = row_maker(Ticket, connection)
    event_columns, event_row = row_maker(TicketEvent, connection, leave_out="id")
    insert = copy_rows if connection.vendor == "postgresql" else execute_many

    def build(start: int, stop: int, seed: int, phases: dict):
        """Yield the rows of plans[start:stop] a batch at a time: (ticket rows, event rows)."""
        part_rng = random.Random(seed)
        for chunk_start in range(start, stop, args.batch_size):
            t0 = time.perf_counter()
            tickets, events = [], []
            for index in range(chunk_start, min(chunk_start + args.batch_size, stop)):
                plan = plans[index]
                timeline = plan_events(plan, part_rng, display, html)
                ticket_id = first_id + index
                plan["id"], plan["version"] = ticket_id, max(event["data"]["version"] for event in timeline)
                tickets.append(ticket_row(plan))
                for event in timeline:
                    event["ticket_id"] = ticket_id
                    events.append(event_row(event))
            phases["build_rows_s"] += time.perf_counter() - t0
            yield tickets, events

    def write(start: int, stop: int, seed: int) -> tuple[int, dict]:
        """Write plans[start:stop] in one transaction; return the event count and phase times."""
        phases: dict[str, float] = defaultdict(float)
        count = 0
        gc.disable()  # hundreds of thousands of short-lived objects: the cyclic collector only slows this
        batches = build(start, stop, seed, phases)
        if connection.vendor == "sqlite":
            # SQLite inserts in this process, so the rows are built in another one meanwhile.
            batches = built_aside(batches, phases)
        with transaction.atomic():
            if connection.vendor == "sqlite":
                # The load outgrows SQLite's default 2 MB page cache many times over, and pages spilled to
                # the log mid-transaction are written there again as they change. For this connection only.
                connection.connection.execute("PRAGMA cache_size = -262144")
            for tickets, events in batches:
                t1 = time.perf_counter()
                insert(connection, Ticket, ticket_columns, tickets)
                t2 = time.perf_counter()
                insert(connection, TicketEvent, event_columns, events)
                t3 = time.perf_counter()
                count += len(events)
                phases["insert_tickets_s"] += t2 - t1
                phases["insert_events_s"] += t3 - t2
        gc.enable()
        return count, dict(phases)

    # The indexes are built after the load (SQLite: inside its one transaction) unless the database
    # already holds more tickets than this adds: building them again over all its rows would cost more.
    one_transaction = transaction.atomic() if connection.vendor == "sqlite" else contextlib.nullcontext()
    indexes_after = (
        indexes_built_after(connection, [Ticket, TicketEvent], jobs, timings)
        if len(plans) >= existing
        else contextlib.nullcontext()
    )
    with one_transaction, indexes_after:
        if jobs == 1:
            event_count, phases = write(0, len(plans), args.seed + 1)
            phase_list = [phases]
        else:
            # Fork writers over contiguous slices (the plans are inherited, not pickled). Each commits
            # its own transaction: PostgreSQL runs the inserts side by side while the Python side of
            # the other writer builds its next batch. A failed writer leaves a partial fill: start
            # again from empty.
            import multiprocessing

            connections.close_all()
            context = multiprocessing.get_context("fork")
            results_queue = context.Queue()
            size = math.ceil(len(plans) / jobs)

            def child(index: int) -> None:
                try:
                    start, stop = index * size, min((index + 1) * size, len(plans))
                    results_queue.put((index, write(start, stop, args.seed + 1 + index)))
                except BaseException as exc:
                    results_queue.put((index, repr(exc)))
                    raise
                finally:
                    connections.close_all()

            workers = [context.Process(target=child, args=(i,)) for i in range(jobs)]
            for worker in workers:
                worker.start()
            results = {}
            deadline = time.monotonic() + 1800
            while len(results) < jobs and time.monotonic() < deadline:
                try:
                    index, value = results_queue.get(timeout=5)
                except Exception:  # queue.Empty: check the writers are still alive
                    if any(w.exitcode not in (None, 0) for w in workers):
                        break
                    continue
                results[index] = value
            for worker in workers:
                worker.join(timeout=60)
            failed = [v for v in results.values() if isinstance(v, str)]
            if failed or len(results) < jobs:
                print(f"A writer failed: {failed or 'no result'}; the fill is partial.", file=sys.stderr)
                return 1
            event_count = sum(results[i][0] for i in range(jobs))
            phase_list = [results[i][1] for i in range(jobs)]
    with transaction.atomic():
        for (kind, year), value in last.items():
            TicketSequence.objects.update_or_create(kind=kind, year=year, defaults={"last": value})
    timings["write_s"] = round(time.perf_counter() - started, 2)
    timings["writer_processes"] = jobs
    for name in phase_list[0]:
        # Summed over the writers (with 2 writers the sum exceeds the wall time).
        timings[name] = round(sum(p.get(name, 0) for p in phase_list), 2)

    started = time.perf_counter()
    # PostgreSQL: vacuumed with fresh statistics, as autovacuum would soon have it. SQLite: none by default, as in a
    # stock deployment (Django never runs ANALYZE); with them the planner picks worse plans for some of
    # the pages (see docs/performance.md), so --analyze-sqlite is there to measure that state.
    if connection.vendor == "postgresql":
        # VACUUM also sets the visibility map, so counts can use index-only scans as in a running system.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    elif args.analyze_sqlite:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    timings["analyze_s"] = round(time.perf_counter() - started, 2)
    timings["total_s"] = round(time.perf_counter() - total_started, 2)

    status_counts = dict(Ticket.objects.order_by().values_list("status").annotate(n=Count("pk")))
    result = {
        "database": connection.vendor,
        "tickets_written": len(plans),
        "events_written": event_count,
        "tickets_total": Ticket.objects.count(),
        "statuses": status_counts,
        "sequences": {f"{k}-{y}": v for (k, y), v in sorted(last.items())},
        "timings": timings,
    }
    print(
        f"{len(plans):,} tickets and {event_count:,} events written to {connection.vendor} in "
        f"{timings['write_s']:.1f} s (planning {timings['plan_s']:.1f} s, total {timings['total_s']:.1f} s "
        f"including migrate {timings['migrate_s']:.1f} s and seed {timings['seed_demo_s']:.1f} s)."
    )
    print(json.dumps(result, indent=2, default=str))
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(result, indent=2, default=str) + "\n")
    return 0


@contextlib.contextmanager
def indexes_built_after(connection, models, jobs: int, timings: dict):
    """Drop the tables' secondary indexes for the load, then build them again over the loaded rows.

    Kept up to date row by row they cost most of the load (PostgreSQL's trigram GIN indexes above all,
    SQLite's text index through its insert trigger); built once over all the rows, a fraction of it.
    Unique indexes stay, so the rows are still checked against them. The indexes are made again from the
    database's own definitions, the text index's trigger from migration 0004's. PostgreSQL: the foreign
    keys go too (their deferred checks queue an event per row; added back, each is one query over the
    table), and the indexes are built over ``jobs`` connections at once; if the load fails, the schema
    is still restored. SQLite: meant to run inside the load's transaction, whose rollback restores it.
    """
    tables = [model._meta.db_table for model in models]
    postgresql = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        if postgresql:
            cursor.execute(
                "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index "
                "WHERE indrelid = ANY(%s::regclass[]) AND NOT indisunique",
                [tables],
            )
            indexes = cursor.fetchall()
            cursor.execute(
                "SELECT conrelid::regclass::text, quote_ident(conname), pg_get_constraintdef(oid) "
                "FROM pg_constraint WHERE conrelid = ANY(%s::regclass[]) AND contype = 'f'",
                [tables],
            )
            foreign_keys = cursor.fetchall()
            for table, name, _definition in foreign_keys:
                cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {name}")
        else:
            cursor.execute(
                "SELECT quote(name), sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
                f"AND sql NOT LIKE 'CREATE UNIQUE %%' AND tbl_name IN ({', '.join(['%s'] * len(tables))})",
                tables,
            )
            indexes = cursor.fetchall()
            text_search = importlib.import_module("tickets.migrations.0004_text_search").SQLITE_FORWARD
            # Only the insert trigger fires during the load; the rebuild reads every row into the index.
            triggers = [s for s in text_search if s.startswith("CREATE TRIGGER") and " AFTER INSERT " in s]
            rebuild = [s for s in text_search if s.endswith("VALUES ('rebuild')")]
            for statement in triggers:
                cursor.execute(f"DROP TRIGGER {statement.split()[2]}")
        for name, _definition in indexes:
            cursor.execute(f"DROP INDEX {name}")

    def build() -> None:
        started = time.perf_counter()
        if postgresql:
            # The GIN indexes take longest: start them first, the B-trees fill in beside them.
            run_in_parallel(sorted((d for _n, d in indexes), key=lambda d: " USING btree " in d), jobs)
            timings["indexes_s"] = round(time.perf_counter() - started, 2)
            started = time.perf_counter()
            with connection.cursor() as cursor:
                for table, name, definition in foreign_keys:
                    cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {name} {definition}")
            timings["foreign_keys_s"] = round(time.perf_counter() - started, 2)
        else:
            with connection.cursor() as cursor:
                for _name, definition in indexes:
                    cursor.execute(definition)
                timings["indexes_s"] = round(time.perf_counter() - started, 2)
                started = time.perf_counter()
                for statement in triggers + rebuild:
                    cursor.execute(statement)
            timings["text_index_s"] = round(time.perf_counter() - started, 2)

    try:
        yield
    except BaseException:
        if postgresql:
            build()
        raise
    build()


def run_in_parallel(statements: list[str], jobs: int) -> None:
    """Run the statements over ``jobs`` connections of their own, each taking the next one when free."""
    from django.db import connections

    pending = queue.SimpleQueue()
    for statement in statements:
        pending.put(statement)

    def worker() -> None:
        try:
            with connections["default"].cursor() as cursor:
                while True:
                    try:
                        statement = pending.get_nowait()
                    except queue.Empty:
                        return
                    cursor.execute(statement)
        finally:
            connections["default"].close()

    with concurrent.futures.ThreadPoolExecutor(jobs) as pool:
        for future in [pool.submit(worker) for _ in range(jobs)]:
            future.result()


def built_aside(batches, phases: dict):
    """Yield the items of the generator ``batches``, run in a forked process meanwhile.

    The child builds the next batch while this process writes the last one; it inherits the plans, only
    the rows come back (pickled), and it never touches the database connection. Its phase times are
    added to ``phases`` at the end. If it fails, its traceback is printed and reading raises EOFError.
    """
    import multiprocessing

    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)

    def produce() -> None:
        for batch in batches:
            sender.send(batch)
        sender.send(dict(phases))

    process = context.Process(target=produce, daemon=True)
    process.start()
    sender.close()
    try:
        while isinstance(batch := receiver.recv(), tuple):
            yield batch
        phases.update(batch)
    finally:
        if process.is_alive():
            process.terminate()
        process.join()


def reserve_ids(connection, model, count: int) -> int:
    """Return the first of ``count`` consecutive ids for new rows of ``model``, out of the app's way.

    PostgreSQL: taken from the table's id sequence, which is moved past them. SQLite: the next ones after
    the highest ever used (AUTOINCREMENT); SQLite moves its sequence itself as the rows arrive.
    """
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
            (sequence,) = cursor.fetchone()
            cursor.execute("SELECT nextval(%s)", [sequence])
            (first,) = cursor.fetchone()
            cursor.execute("SELECT setval(%s, %s)", [sequence, first + count - 1])
        else:
            cursor.execute(
                "SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = %s), 0), coalesce(max(id), 0)) "
                f"+ 1 FROM {connection.ops.quote_name(table)}",
                [table],
            )
            (first,) = cursor.fetchone()
    return first


def row_maker(model, connection, leave_out: str = ""):
    """Return the columns of ``model``'s table and a function making one row of them from a dict.

    The dict is keyed by attribute name (``requester_id``); what it leaves out takes the field's default,
    as ``Model(**values)`` would. Values are adapted as Django's backend adapts them (JSON as text, on
    SQLite datetimes as naive UTC text), so the rows hold exactly what ``bulk_create`` would write.
    """
    from django.db import models

    fields = [f for f in model._meta.concrete_fields if f.attname != leave_out]
    defaults = {f.attname: f.get_default() for f in fields}
    pick = operator.itemgetter(*(f.attname for f in fields))
    adapters = []
    for position, field in enumerate(fields):
        if isinstance(field, models.JSONField):
            adapters.append((position, json_text(field.encoder)))
        elif isinstance(field, models.DateTimeField) and connection.vendor == "sqlite":
            # Django's adaptation is str(value made naive in the connection's zone); isoformat(" ") is
            # str(), and cutting the offset ("+00:00") off it is the same text, cheaper than replace().
            zone = connection.timezone
            adapters.append((position, lambda value, zone=zone: value.astimezone(zone).isoformat(" ")[:-6]))

    def row(values: dict) -> list:
        cells = list(pick({**defaults, **values}))
        for position, adapt in adapters:
            if cells[position] is not None:
                cells[position] = adapt(cells[position])
        return cells

    return [f.column for f in fields], row


def json_text(encoder):
    """Return ``json.dumps`` with this encoder, remembering its answers.

    The fill's JSON values (the events' data) take a few hundred distinct values, and encoding them was
    the dearest part of making a row. They are told apart by ``repr``, which, unlike ``==``, keeps ``1``,
    ``1.0`` and ``True`` apart.
    """
    texts: dict[str, str] = {}

    def text(value) -> str:
        key = repr(value)
        if key not in texts:
            texts[key] = json.dumps(value, cls=encoder)
        return texts[key]

    return text


def copy_rows(connection, model, columns: list[str], rows: list) -> None:
    """PostgreSQL: send the rows with COPY (psycopg 3), one stream instead of an INSERT per batch."""
    quote = connection.ops.quote_name
    sql = f"COPY {quote(model._meta.db_table)} ({', '.join(map(quote, columns))}) FROM STDIN"
    with connection.connection.cursor() as cursor, cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row(row)


def execute_many(connection, model, columns: list[str], rows: list) -> None:
    """SQLite: one prepared INSERT, run over all the rows inside the driver."""
    quote = connection.ops.quote_name
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(map(quote, columns))}) "
        f"VALUES ({', '.join('?' * len(columns))})"
    )
    connection.connection.executemany(sql, rows)


def plan_events(ticket: dict, rng: random.Random, display: dict[int, str], html) -> list[dict]:
    """Return the timeline of one planned ticket: created, assignment, replies/notes and status changes."""
    t = ticket["opened_at"]
    events = [
        {
            "type": "created",
            "author_id": ticket["created_by_id"],
            "created_at": t,
            "is_public": True,
            "data": {"version": 1, "channel": ticket["channel"]},
        }
    ]
    if ticket["status"] == "new":
        return events
    first = ticket["first_response_at"] or t
    agent = ticket["assignee_id"]
    if agent is not None:
        events.append(
            {
                "type": "assignment",
                "author_id": agent,
                "created_at": first,
                "is_public": False,
                "data": {"field": "assignee", "from": "", "to": display.get(agent, ""), "version": 2},
            }
        )
    if ticket["status"] in ("in_progress", "pending"):
        events.append(
            {
                "type": "status",
                "author_id": agent,
                "created_at": first,
                "is_public": True,
                "data": {
                    "from": "assigned",
                    "to": "in_progress",
                    "pending_reason": "",
                    "resolution_code": "",
                    "version": 3,
                },
            }
        )
    end = ticket["resolved_at"] or ticket["closed_at"] or ticket["updated_at"]
    span = max((end - first).total_seconds(), 60)
    if rng.random() < 0.5:
        body = rng.choice(REPLIES)
        events.append(
            {
                "type": "reply",
                "author_id": agent,
                "created_at": first + dt.timedelta(seconds=span * rng.uniform(0.1, 0.6)),
                "is_public": True,
                "body": body,
                "body_html": html(body),
                "data": {"version": 4},
            }
        )
    if rng.random() < 0.2:
        body = rng.choice(NOTES)
        events.append(
            {
                "type": "note",
                "author_id": agent,
                "created_at": first + dt.timedelta(seconds=span * rng.uniform(0.1, 0.8)),
                "is_public": False,
                "body": body,
                "body_html": html(body),
                "data": {"version": 5},
            }
        )
    if ticket["status"] == "pending":
        events.append(
            {
                "type": "status",
                "author_id": agent,
                "created_at": first + dt.timedelta(seconds=span * 0.9),
                "data": {
                    "from": "in_progress",
                    "to": "pending",
                    "pending_reason": ticket["pending_reason"],
                    "resolution_code": "",
                    "version": 6,
                },
            }
        )
    if ticket["resolved_at"]:
        events.append(
            {
                "type": "status",
                "author_id": agent,
                "created_at": ticket["resolved_at"],
                "body": ticket["resolution_note"],
                "body_html": html(ticket["resolution_note"]),
                "data": {
                    "from": "in_progress",
                    "to": "resolved",
                    "pending_reason": "",
                    "resolution_code": ticket["resolution_code"],
                    "version": 6,
                },
            }
        )
    if ticket["closed_at"]:
        events.append(
            {
                "type": "status",
                "author_id": None if ticket["status"] == "closed" else agent,
                "created_at": ticket["closed_at"],
                "data": {
                    "from": "resolved" if ticket["status"] == "closed" else "new",
                    "to": ticket["status"],
                    "pending_reason": "",
                    "resolution_code": "",
                    "version": 7,
                },
            }
        )
    return events


if __name__ == "__main__":
    sys.exit(main())

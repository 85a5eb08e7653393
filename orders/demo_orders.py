"""A year of orders from the demo catalogue, built by ``manage.py seed_orders`` (and ``seed_demo``).

About 200 orders over the twelve months before the reference time, with their lines in every state of
the lifecycle (``orders/transitions.py``): each submitted line has its request ticket in the status the
lifecycle gives it, a timeline, the approvals with their decisions, the fulfilment tasks that were done
and, for delivered equipment, the registered assets. A few scripted orders give the demo logins
something to look at: Kari's equipment and open order, Ola's approvals, the service desk's queue.

This is demo *history*, so it is written in bulk straight to the tables (as an import would), not
through the order services: a few hundred rows per table in a second. Everything comes from
``random.Random(RANDOM_SEED)`` and the reference time, so the same ``now`` gives the same data. Order and
ticket numbers continue the numbering sequences (``OrderSequence``, ``TicketSequence``), so orders
placed later in the product get the next number. Idempotent: if the demo orders are there (tickets
whose external id starts with ``EXTERNAL_PREFIX``), nothing is written.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import itertools
import random
import time
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from simple_history.utils import bulk_create_with_history

from catalog.models import ApproverGroup, Asset, CatalogItem, OrderQuestion
from catalog.questions import answers_for_display
from incidents.calendar_days import add_business_seconds, is_business_day
from incidents.priority import DEFAULT_MATRIX
from orders.models import Approval, FulfilmentTask, Order, OrderLine, OrderSequence
from orders.transitions import TICKET_STATUS
from people.models import OrgUnit, SupportGroup, User
from servicedesk.markdown import render_markdown
from tickets.models import (
    NUMBER_PREFIX,
    Category,
    Channel,
    Kind,
    PendingReason,
    ResolutionCode,
    Status,
    Ticket,
    TicketEvent,
    TicketSequence,
)

RANDOM_SEED = 2026
DEFAULT_COUNT = 200
# Not "demo-": that prefix marks the incident history, whose seed skips when it finds any such ticket.
EXTERNAL_PREFIX = "demoorder-"
ASSET_PREFIX = "EK"
DEMO_EMPLOYEE = "demo.ansatt"
DEMO_MANAGER = "demo.leder"
DEMO_AGENT = "demo.agent"
DEMO_SECURITY = "demo.admin"

LineState = OrderLine.State
Type = OrderQuestion.Type
Decision = Approval.Decision
TaskKind = FulfilmentTask.Kind

# How often each item is ordered, relative to the others (items not listed: 1).
POPULARITY = {
    "pc-standard": 10,
    "hodesett": 9,
    "skjerm-27": 8,
    "tastatur-mus": 6,
    "dokkingstasjon": 5,
    "chromebook-skole": 6,
    "iphone": 5,
    "android-telefon": 5,
    "mobilabonnement": 5,
    "tilgang-gerica": 5,
    "teams-omrade": 4,
    "tilgang-sak-arkiv": 4,
    "tilgang-skoleadministrativt": 4,
    "vpn-tilgang": 4,
    "adgangskort": 4,
    "ny-ansatt": 4,
    "webkamera": 3,
    "adobe-acrobat-pro": 3,
    "programvare-annen": 3,
    "felles-postboks": 3,
    "pc-kraftig": 2,
    "visio-project": 2,
    "m365-e3": 2,
    "distribusjonsliste": 2,
    "ekstra-lagring": 2,
    "tilgang-okonomi": 2,
    "tilgang-hr-lonn": 2,
    "tilgang-barnehagesystem": 2,
    "skriverko": 2,
    "sluttet-ansatt": 2,
}
# Ordered together: with the first item, each of the others follows with the given chance.
BUNDLES = {
    "pc-standard": (("dokkingstasjon", 0.35), ("skjerm-27", 0.3), ("hodesett", 0.2)),
    "pc-kraftig": (("skjerm-27", 0.5), ("dokkingstasjon", 0.4)),
    "iphone": (("mobilabonnement", 0.45),),
    "android-telefon": (("mobilabonnement", 0.45), ("tilgang-gerica", 0.2)),
    "skjerm-27": (("dokkingstasjon", 0.3),),
}
# Items some units order much more often than others.
UNIT_FAVOURITES = {
    "byggesak": {"pc-kraftig": 5, "adobe-acrobat-pro": 4},
    "arealplan": {"pc-kraftig": 5, "adobe-acrobat-pro": 3},
    "hjemmetjenesten": {"android-telefon": 4, "tilgang-gerica": 3},
    "bergeland-helsehus": {"android-telefon": 3, "tilgang-gerica": 3},
    "kommunikasjon": {"macbook-kommunikasjon": 4, "adobe-acrobat-pro": 3},
    "dokumentsenteret": {"tilgang-sak-arkiv": 4},
    "regnskap": {"tilgang-okonomi": 4},
    "lonn": {"tilgang-hr-lonn": 4},
    "hr-radgivning": {"tilgang-hr-lonn": 3},
}
# Seasons of ordering: school start in August, new budgets in January, quiet in July.
SEASON = {1: 1.3, 2: 1.0, 3: 1.0, 4: 0.9, 5: 0.9, 6: 1.0, 7: 0.35, 8: 1.6, 9: 1.2, 10: 1.0, 11: 1.0, 12: 0.8}
OFFICE_HOURS = {8: 10, 9: 13, 10: 12, 11: 9, 12: 8, 13: 10, 14: 9, 15: 6}
# Serial number styles per item (prefix, number of random characters).
SERIALS = {
    "pc-standard": ("5CG", 7),
    "pc-kraftig": ("PF4", 7),
    "chromebook-skole": ("NXK", 9),
    "macbook-kommunikasjon": ("C02", 8),
    "skjerm-27": ("CN0", 9),
    "dokkingstasjon": ("DK2", 8),
    "hodesett": ("JB", 10),
    "tastatur-mus": ("LZ", 8),
    "webkamera": ("WC", 8),
    "iphone": ("F2L", 9),
    "android-telefon": ("R58", 8),
    "adgangskort": ("KORT-", 6),
    "bordtelefon": ("CP", 9),
}
SERIAL_ALPHABET = "0123456789ABCDEFGHJKLMNPRSTUVWXYZ"

# --- Text bank -------------------------------------------------------------------------------------------

REASONS = (
    "Trenger dette for å gjøre jobben min. Nåværende løsning holder ikke lenger.",
    "Jeg har fått nye arbeidsoppgaver som krever dette.",
    "Lederen min har bedt meg bestille dette til den nye rollen min.",
    "Jeg skal jobbe med et prosjekt over flere måneder og trenger det fra oppstart.",
    "Kollegaene mine på enheten har dette allerede, og vi samarbeider om de samme sakene.",
    "Jeg overtar oppgavene til en kollega som har sluttet.",
)
PURPOSES = (
    "Samarbeid i prosjektgruppen for ny skolestruktur.",
    "Felles område for enheten: planer, referater og rutiner.",
    "Arbeidsgruppe for HMS-arbeidet i sektoren.",
    "Planlegging av kulturnatt sammen med frivillige lag.",
)
TEXTS = {
    "plassering": (
        "{office}, kontor {room}",
        "{office}, åpent landskap ved vinduet",
        "{office}, pult {room}",
    ),
    "klasse": ("5B", "7. trinn", "3A og 3B", "10C", "Spesialgruppa"),
    "klasser": ("Norsk og samfunnsfag 8. trinn", "Matematikk 5A og 5B", "Kontaktlærer 6C"),
    "adresse": ("post.{slug}@eksempel.kommune.no", "{slug}.felles@eksempel.kommune.no"),
    "navn": ("Prosjekt ny skolestruktur", "{unit} – felles", "HMS-gruppa {unit}", "Kulturnatt 2026"),
    "programnavn": ("Notepad++", "Audacity", "Paint.NET", "QGIS", "Zoom Workplace", "GeoGebra"),
    "lenke": ("https://www.example.org/last-ned", ""),
    "gammel-telefon": ("+47 9{a} {b} {c}",),
    "ansvar": ("{cost_centre}",),
    "omrade": ("Fellesområdet til {unit}", "Prosjektområdet for {unit}"),
}
REJECTIONS = {
    "manager": (
        "Vi har ikke budsjett til dette i år. Ta det opp igjen etter nyttår.",
        "Du har allerede utstyr som dekker behovet. Snakk med meg hvis det ikke fungerer.",
        "Vi venter med dette til den nye organiseringen er på plass.",
    ),
    "group": (
        "Rollen gir tilgang til mer enn oppgavene krever. Bestill lesetilgang i stedet.",
        "Mangler bekreftelse fra nærmeste leder på behovet. Send en ny bestilling med begrunnelse.",
        "Lisensene er brukt opp. Du står på venteliste og får beskjed når en blir ledig.",
    ),
}
CANCELLATIONS = (
    "Bestilte feil vare.",
    "Fikk låne en av en kollega i stedet.",
    "Behovet er ikke lenger der.",
    "Bestilte det samme to ganger.",
)
APPROVE_COMMENTS = ("", "", "", "Ok.", "Godkjent.", "Greit, dette trenger du.")
TICKET_CATEGORY = {
    CatalogItem.Kind.EQUIPMENT: Category.HARDWARE,
    CatalogItem.Kind.LICENCE: Category.SOFTWARE,
    CatalogItem.Kind.ACCESS: Category.ACCESS,
    CatalogItem.Kind.OTHER: Category.OTHER,
}
FINAL_STATES = frozenset({LineState.CLOSED, LineState.REJECTED, LineState.CANCELLED})


class DemoDataMissing(Exception):
    """The municipality and catalogue from seed_demo are not there."""


@dataclass
class Result:
    skipped: bool = False
    orders: int = 0
    lines: int = 0
    tickets: int = 0
    approvals: int = 0
    assets: int = 0
    events: int = 0
    by_state: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


@dataclass
class LinePlan:
    item: CatalogItem
    quantity: int
    answers: dict
    state: str = LineState.AWAITING_APPROVAL
    # (when, line state) in order; the first is the submission.
    steps: list[tuple[dt.datetime, str]] = field(default_factory=list)
    approval: dict | None = None  # approver / approver_group / decision / decided_by / decided_at / comment
    assets: list[tuple[str, str]] = field(default_factory=list)  # (asset tag, serial number) per unit
    agent: User | None = None
    support_group: SupportGroup | None = None
    started_at: dt.datetime | None = None
    tasks: list[tuple[str, dt.datetime | None]] = field(default_factory=list)
    rejection_reason: str = ""
    cancel_reason: str = ""
    cancelled_by: User | None = None
    confirmed_by_requester: bool = False

    @property
    def total_price(self) -> Decimal:
        return self.item.price * self.quantity


@dataclass
class OrderPlan:
    requester: User
    recipient: User
    submitted_at: dt.datetime
    lines: list[LinePlan] = field(default_factory=list)
    justification: str = ""
    # Scripted orders stop at this line state at the latest (None: wherever the reference time falls).
    stop_at: str | None = None
    fate: str = "normal"  # normal / reject / cancel


def already_seeded() -> bool:
    return Ticket.objects.filter(external_id__startswith=EXTERNAL_PREFIX).exists()


def generate(*, now: dt.datetime | None = None, count: int = DEFAULT_COUNT) -> Result:
    """Write the order history in one transaction, or do nothing if it is already there."""
    started = time.monotonic()
    # Timeline bodies are stored text: write them in the site's own language.
    with translation.override(settings.LANGUAGE_CODE), transaction.atomic():
        if already_seeded():
            return Result(skipped=True, seconds=time.monotonic() - started)
        generator = Generator(now=now or timezone.now(), count=count)
        generator.plan()
        result = generator.write()
    result.seconds = time.monotonic() - started
    return result


class Generator:
    """Plans the orders for one reference time, then writes them in bulk."""

    def __init__(self, *, now: dt.datetime, count: int):
        if timezone.is_naive(now):
            now = timezone.make_aware(now)
        self.now = now
        self.count = count
        self.rng = random.Random(RANDOM_SEED)
        self.zone = timezone.get_default_timezone()
        self.orders: list[OrderPlan] = []
        self._load()

    # --- Master data ------------------------------------------------------------------------------------

    def _load(self) -> None:
        self.items = {
            i.code: i
            for i in CatalogItem.objects.exclude(state=CatalogItem.State.DRAFT)
            .select_related("service__support_group", "fulfilment_group", "approver_group")
            .prefetch_related("questions", "visible_to_org_units")
            .order_by("sort_order", "code")
        }
        if not self.items or not User.objects.filter(username=DEMO_AGENT).exists():
            raise DemoDataMissing(
                "Run `manage.py seed_demo` first: the orders need its people and catalogue."
            )
        self.units = {u.pk: u for u in OrgUnit.objects.order_by("pk")}
        self.users = {
            u.username: u
            for u in User.objects.filter(is_active=True, org_unit__isnull=False).order_by("username")
        }
        self.by_pk = {u.pk: u for u in self.users.values()}
        through = User.groups.through
        self.roles: dict[int, set[str]] = {}
        for user_id, name in through.objects.values_list("user_id", "group__name"):
            self.roles.setdefault(user_id, set()).add(name)
        self.staff_by_unit: dict[int, list[User]] = {}
        for user in self.users.values():
            self.staff_by_unit.setdefault(user.org_unit_id, []).append(user)
        self.groups = {g.code: g for g in SupportGroup.objects.order_by("pk")}
        self.members = {
            g.pk: list(g.members.filter(is_active=True).order_by("username")) for g in self.groups.values()
        }
        self.approver_members = {
            g.pk: list(g.members.filter(is_active=True).order_by("username"))
            for g in ApproverGroup.objects.order_by("pk")
        }
        # People outside IT order; the IT department's own staff order now and then too.
        self.orderers = [u for u in self.users.values() if not u.username.startswith("demo.")]
        self.managers = [
            self.by_pk[u.manager_id]
            for u in self.units.values()
            if u.manager_id in self.by_pk and not self.by_pk[u.manager_id].username.startswith("demo.")
        ]

    def manager_of(self, user: User) -> User | None:
        """The user's manager from the organisation tree, as ``User.manager`` derives it (no queries)."""
        unit = self.units.get(user.org_unit_id)
        while unit is not None:
            if unit.manager_id and unit.manager_id != user.pk:
                return self.by_pk.get(unit.manager_id)
            unit = self.units.get(unit.parent_id)
        return None

    def visible(self, item: CatalogItem, user: User) -> bool:
        """Whether the user may order the item, by role and organisation unit."""
        if item.visible_to_roles and not set(item.visible_to_roles) & self.roles.get(user.pk, set()):
            return False
        limited = list(item.visible_to_org_units.all())
        if not limited:
            return True
        path = self.units[user.org_unit_id].path
        return any(path.startswith(unit.path) for unit in limited)

    def unit_code(self, user: User) -> str:
        return self.units[user.org_unit_id].code

    # --- Calendar ---------------------------------------------------------------------------------------

    def local(self, day: dt.date, hour: int, minute: int = 0, second: int = 0) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(hour, minute, second), tzinfo=self.zone)

    def business(self, t: dt.datetime, low_hours: float, high_hours: float) -> dt.datetime:
        """An instant a random amount of business time (Mon–Fri 08–16) after t."""
        seconds = int(self.rng.uniform(low_hours, high_hours) * 3600)
        return add_business_seconds(t, max(seconds, 60))

    def back(self, business_days: int, hour: int, minute: int = 0) -> dt.datetime:
        """The given hour on the business day that many business days before today (0: today)."""
        day = timezone.localtime(self.now).date()
        while business_days > 0 or not is_business_day(day):
            day -= dt.timedelta(days=1)
            if is_business_day(day):
                business_days -= 1
        return self.local(day, hour, minute, self.rng.randint(0, 59))

    def earlier_business_day(self, moment: dt.datetime) -> dt.datetime:
        day = timezone.localtime(moment).date() - dt.timedelta(days=1)
        while not is_business_day(day):
            day -= dt.timedelta(days=1)
        local = timezone.localtime(moment)
        return self.local(day, local.hour, local.minute, local.second)

    def submission_times(self, n: int) -> list[dt.datetime]:
        """n submission times over the last year; a quarter of them in the last four weeks (the backlog)."""
        rng = self.rng
        today = timezone.localtime(self.now).date()
        days = [today - dt.timedelta(days=k) for k in range(1, 365)]
        recent = [d for d in days[:28] if is_business_day(d)]
        weights = [SEASON[d.month] * (1.0 if is_business_day(d) else 0.04) for d in days]
        cumulative = list(itertools.accumulate(weights))
        hours, hour_weights = list(OFFICE_HOURS), list(OFFICE_HOURS.values())
        times = []
        for index in range(n):
            day = rng.choice(recent) if index % 4 == 0 else rng.choices(days, cum_weights=cumulative)[0]
            hour = rng.choices(hours, hour_weights)[0] if is_business_day(day) else rng.randint(10, 20)
            times.append(self.local(day, hour, rng.randint(0, 59), rng.randint(0, 59)))
        return sorted(times)

    # --- Planning ---------------------------------------------------------------------------------------

    def plan(self) -> None:
        self.plan_scripted()
        pool = max(self.count - len(self.orders), 0)
        for submitted in self.submission_times(pool):
            self.plan_pool_order(submitted)
        for order in self.orders:
            for line in order.lines:
                self.plan_line(order, line)
            # A scripted order that has not got as far as it should yet started a day earlier.
            for _attempt in range(15):
                if not order.stop_at or all(line.state == order.stop_at for line in order.lines):
                    break
                order.submitted_at = self.earlier_business_day(order.submitted_at)
                for line in order.lines:
                    line.tasks, line.approval, line.agent = [], None, None
                    self.plan_line(order, line)
            # Submitting asks for a justification when any line needs approval.
            if not order.justification and any(line.approval for line in order.lines):
                order.justification = self.rng.choice(REASONS)
        self.orders.sort(key=lambda o: o.submitted_at)

    def pick_people(self) -> tuple[User, User]:
        """Who orders, and for whom: mostly for themselves, sometimes a manager or colleague for someone."""
        rng = self.rng
        roll = rng.random()
        if roll < 0.14 and self.managers:
            manager = rng.choice(self.managers)
            staff = [u for u in self.staff_by_unit.get(self._managed_unit(manager), []) if u.pk != manager.pk]
            if staff:
                return manager, rng.choice(staff)
        requester = rng.choice(self.orderers)
        if roll < 0.2:
            colleagues = [u for u in self.staff_by_unit[requester.org_unit_id] if u.pk != requester.pk]
            if colleagues:
                return requester, rng.choice(colleagues)
        return requester, requester

    def _managed_unit(self, manager: User) -> int | None:
        for unit in self.units.values():
            if unit.manager_id == manager.pk:
                return unit.pk
        return None

    def pick_items(self, requester: User, recipient: User, submitted: dt.datetime) -> list[str]:
        rng = self.rng
        favourites = UNIT_FAVOURITES.get(self.unit_code(recipient), {})
        candidates, weights = [], []
        for code, item in self.items.items():
            # The retired desk phone was still ordered in the first months of the history.
            if item.state == CatalogItem.State.RETIRED and submitted > self.now - dt.timedelta(days=240):
                continue
            if self.visible(item, requester) and self.visible(item, recipient):
                candidates.append(code)
                weights.append(favourites.get(code, POPULARITY.get(code, 1)))
        first = rng.choices(candidates, weights)[0]
        chosen = [first]
        for code, chance in BUNDLES.get(first, ()):
            if code in candidates and code not in chosen and rng.random() < chance:
                chosen.append(code)
        if len(chosen) == 1 and rng.random() < 0.15:
            other = rng.choices(candidates, weights)[0]
            if other not in chosen:
                chosen.append(other)
        return chosen[:3]

    def plan_pool_order(self, submitted: dt.datetime) -> None:
        rng = self.rng
        requester, recipient = self.pick_people()
        codes = self.pick_items(requester, recipient, submitted)
        order = OrderPlan(requester=requester, recipient=recipient, submitted_at=submitted)
        roll = rng.random()
        order.fate = "reject" if roll < 0.07 else "cancel" if roll < 0.11 else "normal"
        for code in codes:
            order.lines.append(self.new_line(order, self.items[code]))
        if recipient.pk != requester.pk and rng.random() < 0.6:
            order.justification = rng.choice(
                (
                    f"{recipient.first_name} har begynt hos oss og trenger utstyr.",
                    f"Bestiller på vegne av {recipient.first_name}, som er på kurs denne uka.",
                    f"{recipient.first_name} har fått nye oppgaver fra neste måned.",
                )
            )
        self.orders.append(order)

    def new_line(
        self, order: OrderPlan, item: CatalogItem, quantity: int | None = None, **answers
    ) -> LinePlan:
        rng = self.rng
        if quantity is None:
            quantity = 1
            if item.code == "chromebook-skole":
                quantity = rng.choice((1, 2, 5, 12, 15, 25, 28))
            elif item.max_quantity > 1 and rng.random() < 0.1:
                quantity = 2
        return LinePlan(
            item=item,
            quantity=min(quantity, item.max_quantity),
            answers={**self.answers_for(item, order), **answers},
        )

    def answers_for(self, item: CatalogItem, order: OrderPlan) -> dict:
        """Plausible answers to the item's questions, in the form ``catalog.questions`` stores them."""
        rng = self.rng
        recipient = order.recipient
        unit = self.units[recipient.org_unit_id]
        values = {
            "office": recipient.office_location or unit.name,
            "room": rng.randint(101, 450),
            "unit": unit.name,
            "slug": unit.code,
            "cost_centre": unit.cost_centre,
            "a": rng.randint(0, 9),
            "b": f"{rng.randint(0, 99):02d} {rng.randint(0, 99):02d}",
            "c": f"{rng.randint(0, 999):03d}",
        }
        answers: dict = {}
        for question in sorted(item.questions.all(), key=lambda q: (q.position, q.pk)):
            if not question.required and rng.random() < 0.4:
                continue
            key, options = question.key, [str(o["value"]) for o in question.choices]
            match question.type:
                case Type.CHOICE:
                    answers[key] = options[0] if rng.random() < 0.55 else rng.choice(options)
                case Type.MULTI_CHOICE:
                    answers[key] = sorted(
                        rng.sample(options, rng.randint(1, min(2, len(options)))), key=options.index
                    )
                case Type.YES_NO:
                    answers[key] = rng.random() < 0.35
                case Type.DATE:
                    day = timezone.localtime(order.submitted_at).date() + dt.timedelta(
                        days=rng.randint(5, 25)
                    )
                    answers[key] = day.isoformat()
                case Type.NUMBER:
                    answers[key] = self._number(question)
                case Type.PERSON:
                    colleagues = [
                        u for u in self.staff_by_unit[recipient.org_unit_id] if u.pk != recipient.pk
                    ]
                    person = rng.choice(colleagues or [recipient])
                    answers[key] = {"id": person.pk, "name": person.get_full_name() or person.username}
                case Type.LONG_TEXT:
                    answers[key] = rng.choice(PURPOSES if key == "formaal" else REASONS)
                case _:
                    text = rng.choice(TEXTS.get(key, ("Se beskrivelsen.",))).format(**values)
                    if text:
                        answers[key] = text
        return answers

    def _number(self, question: OrderQuestion) -> str:
        picks = {
            "datamengde": ("5", "10", "10", "20", "30", "50"),
            "gb": ("100", "200", "200", "500"),
            "belopsgrense": ("50000", "100000", "250000"),
        }
        if question.key in picks:
            return self.rng.choice(picks[question.key])
        low = int(question.min_value or 0)
        high = int(question.max_value or low + 10)
        return str(self.rng.randint(low, high))

    def approval_for(self, order: OrderPlan, line: LinePlan) -> dict | None:
        """The approval the item's policy asks for, or None when the line is approved at once."""
        item = line.item
        policy = item.approval_policy
        if policy == CatalogItem.ApprovalPolicy.NONE:
            return None
        above = CatalogItem.ApprovalPolicy.MANAGER_ABOVE_THRESHOLD
        if policy == above and (
            item.approval_threshold is None or line.total_price <= item.approval_threshold
        ):
            return None
        if policy == CatalogItem.ApprovalPolicy.GROUP and item.approver_group_id:
            return {"approver": None, "approver_group": item.approver_group, "kind": "group"}
        # As orders.services routes it: the recipient's manager, else the fulfilling group's lead.
        approver = self.manager_of(order.recipient) or self.by_pk.get(line.support_group.lead_id)
        if approver is None or approver.pk == order.recipient.pk:
            return None
        return {"approver": approver, "approver_group": None, "kind": "manager"}

    def plan_line(self, order: OrderPlan, line: LinePlan) -> None:
        """Draw the line's whole life from the submission, then keep what happened before now.

        The steps and tasks are the ones ``orders.services`` takes: approval (if the item's policy asks
        for one), start of fulfilment, pick from stock or order from the supplier, configure (equipment),
        ready for pickup (equipment), deliver, close (the orderer confirms, or the closing job).
        """
        rng = self.rng
        item = line.item
        line.support_group = item.fulfilment_group or item.service.support_group
        t = order.submitted_at
        steps: list[tuple[dt.datetime, str]] = []
        approval = self.approval_for(order, line)
        first = LineState.AWAITING_APPROVAL if approval else LineState.APPROVED
        steps.append((t, first))
        if approval:
            line.approval = approval
            # Most managers decide the same day; some are away, and the line waits a week or more.
            slow = rng.random() < 0.25
            decided = self.business(t, 8, 90) if slow else self.business(t, 0.3, 14)
            if order.fate == "reject" and order.lines.index(line) == 0:
                approval["decision"], approval["decided_at"] = Decision.REJECTED, decided
                approval["comment"] = rng.choice(REJECTIONS[approval["kind"]])
                line.rejection_reason = approval["comment"]
                steps.append((decided, LineState.REJECTED))
                self._finish(order, line, steps)
                return
            approval["decision"], approval["decided_at"] = Decision.APPROVED, decided
            approval["comment"] = rng.choice(APPROVE_COMMENTS)
            steps.append((decided, LineState.APPROVED))
            t = decided
        if order.fate == "cancel":
            cancelled = self.business(order.submitted_at, 0.2, 6)
            if approval and cancelled < approval["decided_at"]:
                # Withdrawn while it waited for approval: the approval is withdrawn with it.
                del steps[1:]
                approval["decision"], approval["decided_at"], approval["comment"] = (
                    Decision.WITHDRAWN,
                    None,
                    "",
                )
            else:
                cancelled = self.business(t, 0.1, 3)
            line.cancel_reason = rng.choice(CANCELLATIONS)
            steps.append((cancelled, LineState.CANCELLED))
            self._finish(order, line, steps)
            return
        # The queue: most lines are picked up the same or the next day, some wait longer.
        started = self.business(t, 16, 56) if rng.random() < 0.2 else self.business(t, 0.5, 14)
        steps.append((started, LineState.IN_FULFILMENT))
        line.started_at = started
        equipment = item.kind == CatalogItem.Kind.EQUIPMENT
        if item.stocked:
            t = self.business(started, 0.1, 2)
            line.tasks.append((TaskKind.PICK_FROM_STOCK, t))
        elif equipment:
            lead = 8 * item.lead_time_days
            t = self.business(started, lead * 0.7, lead * 1.3)
            line.tasks.append((TaskKind.ORDER_FROM_SUPPLIER, t))
        else:
            # Licences and access: the "order" is setting it up in the system or with the supplier.
            t = self.business(started, 0.3, 8 * max(item.lead_time_days - 1, 1))
            line.tasks.append((TaskKind.ORDER_FROM_SUPPLIER, t))
        if equipment:
            t = self.business(t, 0.3, 6)
            line.tasks.append((TaskKind.CONFIGURE, t))
            ready = self.business(t, 0.1, 2)
            steps.append((ready, LineState.READY))
            # Collecting it: often the same day, sometimes not before next week.
            delivered = self.business(ready, 16, 48) if rng.random() < 0.3 else self.business(ready, 0.5, 12)
        else:
            delivered = self.business(t, 0.05, 0.5)
        line.tasks.append((TaskKind.DELIVER, delivered))
        steps.append((delivered, LineState.DELIVERED))
        if rng.random() < 0.35:
            closed = self.business(delivered, 0.5, 16)
            line.confirmed_by_requester = True
        else:
            # The closing job: five business days after delivery.
            closed = self.business(delivered, 40, 40.5)
        steps.append((closed, LineState.CLOSED))
        self._finish(order, line, steps)

    def _finish(self, order: OrderPlan, line: LinePlan, steps: list[tuple[dt.datetime, str]]) -> None:
        """Keep the steps up to the reference time (and the scripted stop), and the state they reach."""
        now = self.now - dt.timedelta(minutes=2)
        kept = [steps[0]]
        for when, state in steps[1:]:
            if when > now or order.stop_at == kept[-1][1]:
                break
            kept.append((when, state))
        line.steps = kept
        line.state = kept[-1][1]
        reached = {state for _when, state in kept}
        approval = line.approval
        if approval and approval["decision"] != Decision.PENDING:
            # A decision after the cut has not been made yet.
            follows = {
                Decision.APPROVED: LineState.APPROVED,
                Decision.REJECTED: LineState.REJECTED,
                Decision.WITHDRAWN: LineState.CANCELLED,
            }[approval["decision"]]
            if follows not in reached:
                approval.update(decision=Decision.PENDING, decided_at=None, comment="")
        if line.approval and line.approval["decision"] not in (Decision.PENDING, Decision.WITHDRAWN):
            line.approval["decided_by"] = self._decider(line.approval)
        if LineState.IN_FULFILMENT not in reached:
            line.tasks, line.started_at = [], None
        else:
            # Steps of the work done so far are ticked; delivering is ticked by the delivery itself.
            delivered = LineState.DELIVERED in reached
            line.tasks = [
                (kind, when if when <= now and (kind != TaskKind.DELIVER or delivered) else None)
                for kind, when in line.tasks
            ]
            line.agent = self._agent(line)
        if line.state == LineState.CANCELLED:
            line.cancelled_by = order.requester
        if line.state != LineState.CLOSED:
            line.confirmed_by_requester = False

    def _decider(self, approval: dict) -> User:
        if approval["approver"] is not None:
            return approval["approver"]
        members = self.approver_members.get(approval["approver_group"].pk) or list(self.users.values())[:1]
        return self.rng.choice(members)

    def _agent(self, line: LinePlan) -> User:
        members = self.members.get(line.support_group.pk) or self.members[self.groups["servicedesk"].pk]
        demo = self.users.get(DEMO_AGENT)
        if demo in members and self.rng.random() < 0.4:
            return demo
        return self.rng.choice(members)

    # --- Scripted orders for the demo logins ------------------------------------------------------------

    def plan_scripted(self) -> None:
        """Orders the demo logins find when they sign in; their times are relative to now."""
        users = self.users
        kari = users.get(DEMO_EMPLOYEE)
        ola = users.get(DEMO_MANAGER)
        if kari is None or ola is None:
            return
        items = self.items

        def order(requester, recipient, when, codes, *, stop_at=None, fate="normal", **line_answers):
            # Early in the morning "today at nine" has not happened yet: move it to just before now.
            when = min(when, self.now - dt.timedelta(minutes=self.rng.randint(15, 50)))
            plan = OrderPlan(
                requester=requester, recipient=recipient, submitted_at=when, stop_at=stop_at, fate=fate
            )
            for code in codes:
                if code in items:
                    plan.lines.append(self.new_line(plan, items[code], 1, **line_answers.get(code, {})))
            if plan.lines:
                self.orders.append(plan)
            return plan

        # Kari: her laptop and headset from last spring, a keyboard set this week, a licence waiting.
        order(kari, kari, self.back(150, 10, 12), ["pc-standard", "hodesett"])
        order(kari, kari, self.back(60, 13, 40), ["dokkingstasjon"])
        order(kari, kari, self.back(4, 9, 5), ["tastatur-mus"], stop_at=LineState.DELIVERED)
        order(kari, kari, self.back(1, 14, 20), ["visio-project"], stop_at=LineState.AWAITING_APPROVAL)
        order(kari, kari, self.back(30, 11, 0), ["adobe-acrobat-pro"], fate="reject")
        # Ola approves for home care: three lines wait for him, and he decided many before.
        home_care = [u for u in self.staff_by_unit.get(ola.org_unit_id, []) if u.pk != ola.pk]
        for index, code in enumerate(("android-telefon", "mobilabonnement", "vpn-tilgang")):
            if home_care:
                person = home_care[(index * 5) % len(home_care)]
                order(
                    person,
                    person,
                    self.back(index, 8 + 2 * index, 30),
                    [code],
                    stop_at=LineState.AWAITING_APPROVAL,
                )
        for index in range(6):
            if home_care:
                person = home_care[(index * 3 + 1) % len(home_care)]
                code = (
                    "iphone",
                    "pc-standard",
                    "mobilabonnement",
                    "android-telefon",
                    "vpn-tilgang",
                    "pc-standard",
                )[index]
                order(person, person, self.back(12 + index * 25, 9 + index % 5, 15), [code])
        # Information security has two access requests waiting.
        for index, code in enumerate(("tilgang-sak-arkiv", "tilgang-gerica")):
            unit = "dokumentsenteret" if code == "tilgang-sak-arkiv" else "bergeland-helsehus"
            staff = [
                u
                for u in self.staff_by_unit.get(self._unit_pk(unit), [])
                if not u.username.startswith("demo.")
            ]
            if staff:
                person = staff[index % len(staff)]
                order(
                    person, person, self.back(index + 1, 10, 45), [code], stop_at=LineState.AWAITING_APPROVAL
                )
        # The service desk's counter: approved lines waiting, one being fulfilled, one ready for pickup.
        for index, (code, stop) in enumerate(
            (
                ("skjerm-27", LineState.APPROVED),
                ("dokkingstasjon", LineState.APPROVED),
                ("hodesett", LineState.APPROVED),
                ("pc-standard", LineState.IN_FULFILMENT),
                ("webkamera", LineState.READY),
            )
        ):
            person = self.orderers[(index * 37 + 11) % len(self.orderers)]
            order(person, person, self.back(1 + index, 8 + index, 10), [code], stop_at=stop)

    def _unit_pk(self, code: str) -> int | None:
        return next((u.pk for u in self.units.values() if u.code == code), None)

    # --- Writing ----------------------------------------------------------------------------------------

    def write(self) -> Result:
        """Write the planned orders, lines, tickets, events, approvals, tasks and assets in bulk."""
        orders = self.orders
        lines = [(o, line) for o in orders for line in o.lines]
        order_numbers = self._numbers(
            OrderSequence, [o.submitted_at for o in orders], lambda year, n: f"ORD-{year}-{n:06d}"
        )
        prefix = NUMBER_PREFIX[Kind.REQUEST]
        ticket_numbers = self._numbers(
            TicketSequence,
            [o.submitted_at for o, _line in lines],
            lambda year, n: f"{prefix}-{year}-{n:06d}",
            kind=Kind.REQUEST,
        )
        self._assign_tags(lines)

        order_rows = []
        for plan, number in zip(orders, order_numbers, strict=True):
            final = all(line.state in FINAL_STATES for line in plan.lines)
            order_rows.append(
                Order(
                    number=number,
                    state=Order.State.COMPLETED if final else Order.State.SUBMITTED,
                    requester=plan.requester,
                    recipient=plan.recipient,
                    delivery_location=self.location(plan),
                    justification=plan.justification,
                    submitted_at=plan.submitted_at,
                    completed_at=max(line.steps[-1][0] for line in plan.lines) if final else None,
                )
            )
        for row, plan in zip(order_rows, orders, strict=True):
            # The cart was started a little before it was sent.
            row.created_at = plan.submitted_at - dt.timedelta(minutes=self.rng.randint(2, 30))
        with _given_timestamps(Order):
            Order.objects.bulk_create(order_rows, batch_size=500)
        row_of = {id(plan): row for plan, row in zip(orders, order_rows, strict=True)}

        tickets, timelines = [], []
        for (plan, line), number in zip(lines, ticket_numbers, strict=True):
            ticket, events = self._ticket(row_of[id(plan)], plan, line, number)
            tickets.append(ticket)
            timelines.append(events)
        Ticket.objects.bulk_create(tickets, batch_size=500)
        event_rows = []
        for ticket, events in zip(tickets, timelines, strict=True):
            for event in events:
                event.ticket = ticket
                event_rows.append(event)
        TicketEvent.objects.bulk_create(event_rows, batch_size=1000)

        line_rows = []
        for (plan, line), ticket in zip(lines, tickets, strict=True):
            times = {state: when for when, state in line.steps}
            final = (
                times.get(LineState.CLOSED) or times.get(LineState.REJECTED) or times.get(LineState.CANCELLED)
            )
            row = OrderLine(
                order=row_of[id(plan)],
                position=plan.lines.index(line) + 1,
                item=line.item,
                quantity=line.quantity,
                answers=line.answers,
                unit_price=line.item.price,
                state=line.state,
                ticket=ticket,
                support_group=line.support_group,
                rejection_reason=line.rejection_reason if line.state == LineState.REJECTED else "",
                cancel_reason=line.cancel_reason if line.state == LineState.CANCELLED else "",
                approved_at=times.get(LineState.APPROVED),
                delivered_at=times.get(LineState.DELIVERED),
                closed_at=final,
            )
            row.created_at, row.updated_at = plan.submitted_at - dt.timedelta(minutes=1), line.steps[-1][0]
            line_rows.append(row)
        with _given_timestamps(OrderLine):
            OrderLine.objects.bulk_create(line_rows, batch_size=500)

        approvals, tasks, assets = [], [], []
        for (plan, line), row in zip(lines, line_rows, strict=True):
            if line.approval:
                a = line.approval
                decided = a["decision"] in (Decision.APPROVED, Decision.REJECTED)
                approval = Approval(
                    line=row,
                    approver=a["approver"],
                    approver_group=a["approver_group"],
                    decision=a["decision"],
                    decided_by=a.get("decided_by") if decided else None,
                    decided_at=a.get("decided_at") if decided else None,
                    comment=a.get("comment", "") if decided else "",
                )
                approval.created_at = plan.submitted_at
                approvals.append(approval)
            for position, (kind, done) in enumerate(line.tasks, start=1):
                tasks.append(
                    FulfilmentTask(
                        line=row,
                        kind=kind,
                        position=position,
                        done_at=done,
                        done_by=line.agent if done else None,
                    )
                )
            for tag, serial in line.assets:
                delivered = row.delivered_at
                day = timezone.localtime(delivered).date()
                months = line.item.warranty_months
                asset = Asset(
                    asset_tag=tag,
                    serial_number=serial,
                    item=line.item,
                    holder=plan.recipient,
                    order_line=row,
                    delivered_on=day,
                    warranty_end=_add_months(day, months) if months else None,
                    state=Asset.State.IN_USE,
                )
                asset._history_date = asset.created = asset.updated = delivered
                asset._history_user = line.agent
                assets.append(asset)
        with _given_timestamps(Approval, Asset):
            Approval.objects.bulk_create(approvals, batch_size=500)
            bulk_create_with_history(assets, Asset, batch_size=500)
        FulfilmentTask.objects.bulk_create(tasks, batch_size=1000)

        by_state = Counter(line.state for _plan, line in lines)
        return Result(
            orders=len(order_rows),
            lines=len(line_rows),
            tickets=len(tickets),
            approvals=len(approvals),
            assets=len(assets),
            events=len(event_rows),
            by_state={
                state: by_state.get(state, 0) for state in LineState.values if state != LineState.DRAFT
            },
        )

    def location(self, plan: OrderPlan) -> str:
        return (plan.recipient.office_location or self.units[plan.recipient.org_unit_id].name)[:150]

    def _numbers(self, model, moments: list[dt.datetime], fmt, **lookup) -> list[str]:
        """Continue the yearly numbering sequence for each moment, in order; move the sequences on."""
        years = [timezone.localtime(m).year for m in moments]
        counters: dict[int, int] = {}
        for year in sorted(set(years)):
            sequence, _created = model.objects.select_for_update().get_or_create(year=year, **lookup)
            counters[year] = sequence.last
            model.objects.filter(pk=sequence.pk).update(last=F("last") + years.count(year))
        numbers = []
        for year in years:
            counters[year] += 1
            numbers.append(fmt(year, counters[year]))
        return numbers

    def _assign_tags(self, lines: list[tuple[OrderPlan, LinePlan]]) -> None:
        """Give every delivered unit of equipment an asset tag (EK-<year>-<number>, in delivery order)
        after those already registered, and a serial number."""
        taken: dict[int, int] = {}
        for tag in Asset.objects.filter(asset_tag__startswith=f"{ASSET_PREFIX}-").values_list(
            "asset_tag", flat=True
        ):
            parts = tag.split("-")
            if len(parts) == 3 and parts[1].isdigit() and parts[2].isdigit():
                taken[int(parts[1])] = max(taken.get(int(parts[1]), 0), int(parts[2]))
        delivered = []
        for _plan, line in lines:
            if line.item.kind == CatalogItem.Kind.EQUIPMENT and line.state in (
                LineState.DELIVERED,
                LineState.CLOSED,
            ):
                when = next(w for w, state in line.steps if state == LineState.DELIVERED)
                delivered.append((when, line))
        delivered.sort(key=lambda pair: pair[0])
        for when, line in delivered:
            year = timezone.localtime(when).year
            for _unit in range(line.quantity):
                taken[year] = taken.get(year, 0) + 1
                line.assets.append((f"{ASSET_PREFIX}-{year}-{taken[year]:05d}", self._serial(line.item.code)))

    def _serial(self, code: str) -> str:
        prefix, length = SERIALS.get(code, ("SN", 8))
        return prefix + "".join(self.rng.choice(SERIAL_ALPHABET) for _ in range(length))

    def _description(self, order: Order, plan: OrderPlan, line: LinePlan) -> str:
        """The ticket text ``orders.services`` writes at submission, in Norwegian."""
        rows = [
            f"- **Bestilling:** {order.number}",
            f"- **Bestilt av:** {plan.requester}",
            f"- **Bestilt til:** {plan.recipient}",
            f"- **Leveringssted:** {order.delivery_location}",
            f"- **Antall:** {line.quantity}",
            f"- **Enhetspris:** {line.item.price:.2f} NOK",
        ]
        rows += [
            f"- **{label}:** {value}"
            for label, value in answers_for_display(item=line.item, answers=line.answers)
        ]
        text = "\n".join(rows)
        if plan.justification:
            text += f"\n\n**Begrunnelse:**\n\n{plan.justification}"
        return text

    def _ticket(
        self, order: Order, plan: OrderPlan, line: LinePlan, number: str
    ) -> tuple[Ticket, list[TicketEvent]]:
        """The line's request ticket in the status its state gives it, with the timeline
        ``orders.services`` would have written on the way there."""
        item = line.item
        status, pending_reason = TICKET_STATUS[LineState(line.state)]
        events: list[TicketEvent] = []
        version = 1
        current = Status.NEW
        agent = line.agent

        def event(type_, when, author, *, public=True, body="", bump=True, **data):
            nonlocal version
            if bump and type_ != TicketEvent.Type.CREATED:
                version += 1
            events.append(
                TicketEvent(
                    type=type_,
                    author=author,
                    created_at=when,
                    is_public=public,
                    body=body,
                    body_html=_markdown(body) if body else "",
                    data={**data, "version": version},
                )
            )

        def move(when, author, to, *, body="", reason="", code=""):
            nonlocal current
            data = {"from": str(current), "to": str(to), "pending_reason": reason, "resolution_code": code}
            event(TicketEvent.Type.STATUS, when, author, body=body, **data)
            current = to

        def note(when, body):
            event(TicketEvent.Type.NOTE, when, agent, public=False, body=body)

        event(TicketEvent.Type.CREATED, plan.submitted_at, plan.requester, channel=str(Channel.PORTAL))
        resolved_at = closed_at = None
        resolution_code = resolution_note = ""
        assignee = None
        tasks = dict(line.tasks)
        decided_by = (line.approval or {}).get("decided_by")
        for when, state in line.steps:
            if state == LineState.AWAITING_APPROVAL:
                move(when, None, Status.PENDING, body="Venter på godkjenning.", reason=PendingReason.APPROVAL)
            elif state == LineState.APPROVED and current != Status.NEW:
                comment = (line.approval or {}).get("comment", "")
                move(when, None, Status.NEW, body=f"Godkjent av {decided_by}. {comment}".strip())
            elif state == LineState.IN_FULFILMENT:
                assignee = agent
                # ticket_update: the assignee, and new → assigned, in one change; then the start.
                event(
                    TicketEvent.Type.ASSIGNMENT,
                    when,
                    agent,
                    public=False,
                    field="assignee",
                    **{"from": "", "to": str(agent)},
                )
                event(
                    TicketEvent.Type.FIELD,
                    when,
                    agent,
                    bump=False,
                    field="status",
                    **{"from": str(Status.NEW.label), "to": str(Status.ASSIGNED.label)},
                )
                current = Status.ASSIGNED
                move(when, agent, Status.IN_PROGRESS, body="Leveransen er startet.")
                for kind in (TaskKind.PICK_FROM_STOCK, TaskKind.ORDER_FROM_SUPPLIER, TaskKind.CONFIGURE):
                    done = tasks.get(kind)
                    if done is None:
                        continue
                    if kind == TaskKind.PICK_FROM_STOCK:
                        note(done, f"Plukket {line.quantity} fra lager.")
                    else:
                        note(done, f"Utført: {TaskKind(kind).label}.")
            elif state == LineState.READY:
                move(
                    when,
                    agent,
                    Status.PENDING,
                    body=f"Klar til henting på {order.delivery_location}.",
                    reason=PendingReason.REQUESTER,
                )
            elif state == LineState.DELIVERED:
                text = f"Levert til {plan.recipient} på {order.delivery_location}."
                if line.assets:
                    text += " Utstyrsnummer: " + ", ".join(tag for tag, _serial in line.assets) + "."
                resolution_code, resolution_note, resolved_at = ResolutionCode.SOLVED, text, when
                move(when, agent, Status.RESOLVED, body=text, code=resolution_code)
            elif state == LineState.CLOSED:
                closed_at = when
                body = f"Lukket av {plan.requester}." if line.confirmed_by_requester else ""
                move(when, None, Status.CLOSED, body=body)
            elif state == LineState.REJECTED:
                text = f"Avvist av {decided_by}: {line.rejection_reason}"
                resolution_code, resolution_note = ResolutionCode.CANCELLED, text
                move(when, None, Status.CANCELLED, body=text)
            elif state == LineState.CANCELLED:
                text = f"Avbestilt av {line.cancelled_by}. {line.cancel_reason}"
                resolution_code, resolution_note = ResolutionCode.CANCELLED, text
                move(when, None, Status.CANCELLED, body=text)
        if current != status:
            raise AssertionError(f"{line.item.code}: {line.state} ends at {current}, not {status}")
        description = self._description(order, plan, line)
        ticket = Ticket(
            number=number,
            kind=Kind.REQUEST,
            title=f"{item.name_nb} × {line.quantity}"[:200],
            description=description,
            description_html=_markdown(description),
            requester=plan.recipient,
            created_by=plan.requester,
            service=item.service,
            support_group=line.support_group,
            assignee=assignee,
            status=status,
            pending_reason=pending_reason,
            impact=3,
            urgency=2,
            priority=DEFAULT_MATRIX[(3, 2)],
            category=TICKET_CATEGORY[item.kind],
            channel=Channel.PORTAL,
            opened_at=plan.submitted_at,
            # A request's first response is its resolution: internal notes and moves do not count.
            first_response_at=resolved_at,
            resolved_at=resolved_at,
            closed_at=closed_at,
            updated_at=events[-1].created_at,
            resolution_code=resolution_code,
            resolution_note=resolution_note,
            external_id=f"{EXTERNAL_PREFIX}{number}",
            version=version,
        )
        return ticket, events


@contextlib.contextmanager
def _given_timestamps(*models):
    """Let bulk_create keep the past times set on the rows instead of stamping auto_now(_add) fields with now.

    This is history being imported; the flags are restored on exit, also on error.
    """
    fields = [
        f
        for model in models
        for f in model._meta.concrete_fields
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]
    saved = [(f, f.auto_now, f.auto_now_add) for f in fields]
    for f in fields:
        f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, auto_now, auto_now_add in saved:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


@functools.lru_cache(maxsize=2048)
def _markdown(text: str) -> str:
    return render_markdown(text)


def _add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=candidate)
        except ValueError:
            continue
    raise ValueError(day)

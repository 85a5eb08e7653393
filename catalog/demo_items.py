"""The demo municipality's orderable catalogue, built by ``manage.py seed_demo`` (see ``seed_items``).

About thirty items on the demo services: devices, phones, licences, access to the line-of-business
systems and the everyday requests (shared mailbox, new employee, access card). Codes are the stable keys:
a second run updates an item whose data here changed and leaves the others alone. Stock counts are
only set when an item is created; after that they belong to the fulfilment process.
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

from django.db import transaction

from catalog.models import ApproverGroup, CatalogItem, OrderQuestion, Service
from people.models import OrgUnit, SupportGroup, User

NONE = CatalogItem.ApprovalPolicy.NONE
MANAGER = CatalogItem.ApprovalPolicy.MANAGER
ABOVE = CatalogItem.ApprovalPolicy.MANAGER_ABOVE_THRESHOLD
GROUP = CatalogItem.ApprovalPolicy.GROUP

EQUIPMENT = CatalogItem.Kind.EQUIPMENT
LICENCE = CatalogItem.Kind.LICENCE
ACCESS = CatalogItem.Kind.ACCESS
OTHER = CatalogItem.Kind.OTHER

T = OrderQuestion.Type

# Approver groups and their members: demo usernames, or "manager:<unit code>" for that unit's manager.
APPROVER_GROUPS = (
    {
        "code": "informasjonssikkerhet",
        "name_nb": "Informasjonssikkerhet",
        "name_en": "Information security",
        "members": ("demo.admin", "manager:it-drift", "manager:dokumentsenteret"),
    },
    {
        "code": "lisensforvaltning",
        "name_nb": "Lisensforvaltning",
        "name_en": "Licence management",
        "members": ("demo.tjenesteeier", "manager:it-applikasjoner"),
    },
)


def choice(value: str, nb: str, en: str) -> dict:
    return {"value": value, "label_nb": nb, "label_en": en}


def Q(key: str, type_: str, nb: str, en: str, *, required: bool = True, **options) -> dict:
    """One order question; options are help_nb/help_en, min_value/max_value and choices."""
    return {"key": key, "type": type_, "label_nb": nb, "label_en": en, "required": required, **options}


KEYBOARD = Q(
    "tastatur",
    T.CHOICE,
    "Tastaturoppsett",
    "Keyboard layout",
    choices=[choice("nb", "Norsk", "Norwegian"), choice("en", "Engelsk (US)", "English (US)")],
)
EXTRA_CHARGER = Q("ekstra-lader", T.YES_NO, "Trenger du ekstra lader?", "Do you need an extra charger?")
DELIVERY_DATE = Q(
    "leveringsdato",
    T.DATE,
    "Ønsket leveringsdato",
    "Preferred delivery date",
    required=False,
    help_nb="La feltet stå tomt hvis det passer så snart som mulig.",
    help_en="Leave empty for as soon as possible.",
)
REASON = Q(
    "begrunnelse",
    T.LONG_TEXT,
    "Begrunnelse",
    "Justification",
    help_nb="Skriv kort hva du skal bruke det til i jobben.",
    help_en="Say briefly what you need it for in your work.",
)
ACCESS_FROM = Q("fra-dato", T.DATE, "Fra hvilken dato?", "From which date?", required=False)


def access_role_question(*roles: tuple[str, str, str]) -> dict:
    return Q(
        "rolle",
        T.CHOICE,
        "Hvilken rolle trenger du?",
        "Which role do you need?",
        help_nb="Velg den minste rollen som dekker oppgavene dine.",
        help_en="Choose the smallest role that covers your tasks.",
        choices=[choice(*role) for role in roles],
    )


# The items, in catalogue order. "service" is a demo service code; "fulfilment_group" a support group
# code (None: the service's group); "units" org unit codes the item is limited to (units below are
# included); "roles" role codes it is limited to; "stock" the count at creation.
ITEMS = (
    # --- PC og nettbrett ------------------------------------------------------------------------
    {
        "code": "pc-standard",
        "service": "klient-pc",
        "kind": EQUIPMENT,
        "name_nb": "Windows-PC standard (bærbar)",
        "name_en": "Standard Windows laptop",
        "summary_nb": "Bærbar 14-tommers PC for kontorarbeid, ferdig satt opp med Microsoft 365.",
        "summary_en": "A 14-inch laptop for office work, set up with Microsoft 365.",
        "description_nb": (
            "Standard-PC-en passer for de fleste: e-post, Teams, Office og fagsystemene i nettleseren. "
            "Den har 16 GB minne, 512 GB lagring og batteri for en hel arbeidsdag. "
            "PC-en kommer ferdig installert og kryptert. Du logger på med kommunekontoen din første gang "
            "du starter den. Vi har den på lager, så den kommer vanligvis i løpet av få dager."
        ),
        "description_en": (
            "The standard laptop suits most people: email, Teams, Office and the business systems in the "
            "browser. It has 16 GB of memory, 512 GB of storage and a battery that lasts a working day. "
            "It arrives installed and encrypted. Sign in with your municipal account the first time you "
            "start it. We keep it in stock, so it usually arrives within a few days."
        ),
        "price": Decimal("12990"),
        "lead_time_days": 3,
        "max_quantity": 5,
        "stocked": True,
        "stock": 14,
        "reorder_level": 5,
        "approval_policy": ABOVE,
        "approval_threshold": Decimal("5000"),
        # Stocked standard equipment is handed out by the service desk's counter.
        "fulfilment_group": "servicedesk",
        "warranty_months": 36,
        "questions": (KEYBOARD, EXTRA_CHARGER, DELIVERY_DATE),
    },
    {
        "code": "pc-kraftig",
        "service": "klient-pc",
        "kind": EQUIPMENT,
        "name_nb": "Windows-PC kraftig (for krevende programmer)",
        "name_en": "High-performance Windows laptop",
        "summary_nb": "For tegning, kart, video og store regneark. Bestilles fra leverandør.",
        "summary_en": "For drawing, maps, video and large spreadsheets. Ordered from the supplier.",
        "description_nb": (
            "En kraftigere bærbar PC med eget grafikkort, 32 GB minne og 1 TB lagring. "
            "Den er for deg som bruker tegneprogrammer, kartverktøy (GIS) eller redigerer video. "
            "Lederen din må godkjenne bestillingen. PC-en bestilles fra leverandøren og settes opp av "
            "Klient/PC, så regn med omtrent tre uker."
        ),
        "description_en": (
            "A more powerful laptop with its own graphics card, 32 GB of memory and 1 TB of storage. "
            "It is for people who use drawing software, map tools (GIS) or edit video. "
            "Your manager must approve the order. It is ordered from the supplier and set up by "
            "Client/PC, so allow about three weeks."
        ),
        "price": Decimal("21990"),
        "lead_time_days": 15,
        "max_quantity": 2,
        "approval_policy": MANAGER,
        "fulfilment_group": "klient",
        "warranty_months": 36,
        "questions": (
            KEYBOARD,
            Q(
                "programmer",
                T.MULTI_CHOICE,
                "Hvilke programmer skal du bruke?",
                "Which programs will you use?",
                choices=[
                    choice("autocad", "AutoCAD", "AutoCAD"),
                    choice("gis", "Kartverktøy (GIS)", "Map tools (GIS)"),
                    choice("video", "Videoredigering", "Video editing"),
                    choice("annet", "Annet", "Other"),
                ],
            ),
            REASON,
        ),
    },
    {
        "code": "chromebook-skole",
        "service": "klient-pc",
        "kind": EQUIPMENT,
        "name_nb": "Chromebook for skole",
        "name_en": "Chromebook for schools",
        "summary_nb": "Enkel bærbar for elever og lærere, med Feide-pålogging.",
        "summary_en": "A simple laptop for pupils and teachers, with Feide sign-in.",
        "description_nb": (
            "Chromebooken er laget for bruk i klasserommet. Elevene logger på med Feide og finner "
            "læringsplattformen med en gang. Skolen kan bestille flere på en gang til en klasse. "
            "Bestillinger over 10 000 kroner må godkjennes av rektor."
        ),
        "description_en": (
            "The Chromebook is made for the classroom. Pupils sign in with Feide and find the learning "
            "platform straight away. A school can order several at once for a class. "
            "Orders above 10,000 kroner need the head teacher's approval."
        ),
        "price": Decimal("3490"),
        "lead_time_days": 5,
        "max_quantity": 30,
        "stocked": True,
        "stock": 64,
        "reorder_level": 20,
        "approval_policy": ABOVE,
        "approval_threshold": Decimal("10000"),
        "fulfilment_group": "skole-ikt",
        "warranty_months": 24,
        "units": ("oppvekst-skole",),
        "questions": (
            Q(
                "brukes-av",
                T.CHOICE,
                "Hvem skal bruke maskinene?",
                "Who will use the machines?",
                choices=[choice("elever", "Elever", "Pupils"), choice("ansatte", "Ansatte", "Staff")],
            ),
            Q(
                "klasse",
                T.TEXT,
                "Klasse eller trinn",
                "Class or year",
                required=False,
                help_nb="For eksempel 5B eller 8. trinn.",
                help_en="For example 5B or year 8.",
            ),
        ),
    },
    {
        "code": "macbook-kommunikasjon",
        "service": "klient-pc",
        "kind": EQUIPMENT,
        "name_nb": "MacBook for kommunikasjon og design",
        "name_en": "MacBook for communication and design",
        "summary_nb": "For grafisk design, foto og video i kommunikasjonsavdelingen.",
        "summary_en": "For graphic design, photos and video in the communications team.",
        "description_nb": (
            "MacBook Pro med Adobe-programmene installert. Den er bare for kommunikasjonsavdelingen, "
            "som lager trykksaker, nettsider og video for kommunen. Lederen din må godkjenne bestillingen."
        ),
        "description_en": (
            "A MacBook Pro with the Adobe apps installed. It is only for the communications team, who make "
            "print material, web pages and video for the municipality. Your manager must approve the order."
        ),
        "price": Decimal("24990"),
        "lead_time_days": 15,
        "max_quantity": 1,
        "approval_policy": MANAGER,
        "fulfilment_group": "klient",
        "warranty_months": 36,
        "units": ("kommunikasjon",),
        "questions": (KEYBOARD, REASON),
    },
    {
        "code": "skjerm-27",
        "service": "klient-pc",
        "kind": EQUIPMENT,
        "name_nb": "27-tommers skjerm",
        "name_en": "27-inch monitor",
        "summary_nb": "Stor skjerm til pulten, kobles til PC-en med én kabel.",
        "summary_en": "A large desk monitor that connects to your laptop with one cable.",
        "description_nb": (
            "En 27-tommers skjerm med høy oppløsning og justerbar fot. Den kobles til PC-en eller "
            "dokkingstasjonen med én USB-C-kabel, som også lader PC-en. Vi monterer den på pulten din."
        ),
        "description_en": (
            "A 27-inch high-resolution monitor on an adjustable stand. It connects to your laptop or dock "
            "with a single USB-C cable, which also charges the laptop. We set it up on your desk."
        ),
        "price": Decimal("3290"),
        "lead_time_days": 2,
        "max_quantity": 2,
        "stocked": True,
        "stock": 3,
        "reorder_level": 6,
        "approval_policy": NONE,
        "fulfilment_group": "servicedesk",
        "warranty_months": 36,
        "questions": (
            Q(
                "antall-skjermer",
                T.CHOICE,
                "Hvor mange skjermer har du på pulten fra før?",
                "How many monitors are already on your desk?",
                choices=[choice("0", "Ingen", "None"), choice("1", "Én", "One"), choice("2", "To", "Two")],
            ),
            Q(
                "plassering",
                T.TEXT,
                "Hvor står pulten din?",
                "Where is your desk?",
                help_nb="Bygg, etasje og rom.",
                help_en="Building, floor and room.",
            ),
        ),
    },
    {
        "code": "dokkingstasjon",
        "service": "klient-pc",
        "kind": EQUIPMENT,
        "name_nb": "Dokkingstasjon USB-C",
        "name_en": "USB-C docking station",
        "summary_nb": "Koble PC-en til skjerm, tastatur, nett og strøm med én kabel.",
        "summary_en": "Connect your laptop to monitor, keyboard, network and power with one cable.",
        "description_nb": (
            "Dokkingstasjonen står på pulten og har plass til to skjermer, tastatur, mus og nettverkskabel. "
            "Du kobler PC-en til med én kabel når du kommer på jobb."
        ),
        "description_en": (
            "The dock sits on your desk and takes two monitors, keyboard, mouse and a network cable. "
            "Plug your laptop in with one cable when you arrive at work."
        ),
        "price": Decimal("2490"),
        "lead_time_days": 2,
        "max_quantity": 2,
        "stocked": True,
        "stock": 4,
        "reorder_level": 4,
        "approval_policy": NONE,
        "fulfilment_group": "servicedesk",
        "warranty_months": 36,
        "questions": (),
    },
    {
        "code": "hodesett",
        "service": "klient-pc",
        "kind": EQUIPMENT,
        "name_nb": "Hodesett for Teams (trådløst)",
        "name_en": "Wireless headset for Teams",
        "summary_nb": "Trådløst hodesett med støydemping og mikrofon, godkjent for Teams.",
        "summary_en": "A wireless noise-cancelling headset with microphone, certified for Teams.",
        "description_nb": (
            "Hodesettet demper støy rundt deg, så du hører og blir hørt i Teams-møter også i åpne "
            "kontorlandskap. Det kobles til PC-en med en liten USB-mottaker og til mobilen med Bluetooth."
        ),
        "description_en": (
            "The headset shuts out the noise around you, so you hear and are heard in Teams meetings "
            "even in open-plan offices. It connects to your laptop with a small USB receiver and to your "
            "phone over Bluetooth."
        ),
        "price": Decimal("1490"),
        "lead_time_days": 2,
        "max_quantity": 2,
        "stocked": True,
        "stock": 25,
        "reorder_level": 8,
        "approval_policy": NONE,
        "fulfilment_group": "servicedesk",
        "warranty_months": 24,
        "questions": (
            Q(
                "modell",
                T.CHOICE,
                "Modell",
                "Model",
                choices=[
                    choice("stereo", "Med to øreklokker", "Both ears"),
                    choice("mono", "Med én øreklokke", "One ear"),
                ],
            ),
        ),
    },
    {
        "code": "tastatur-mus",
        "service": "klient-pc",
        "kind": EQUIPMENT,
        "name_nb": "Tastatur og mus",
        "name_en": "Keyboard and mouse",
        "summary_nb": "Trådløst tastatur med norsk oppsett og en trådløs mus.",
        "summary_en": "A wireless keyboard with Norwegian layout and a wireless mouse.",
        "description_nb": (
            "Et trådløst sett med tastatur og mus til pulten. Velg ergonomisk mus hvis du får vondt i "
            "hånden av å bruke vanlig mus."
        ),
        "description_en": (
            "A wireless keyboard and mouse set for your desk. Choose the ergonomic mouse if an ordinary "
            "mouse hurts your hand."
        ),
        "price": Decimal("690"),
        "lead_time_days": 2,
        "max_quantity": 3,
        "stocked": True,
        "stock": 30,
        "reorder_level": 10,
        "approval_policy": NONE,
        "fulfilment_group": "servicedesk",
        "warranty_months": 12,
        "questions": (
            Q(
                "ergonomisk-mus",
                T.YES_NO,
                "Vil du ha ergonomisk (vertikal) mus?",
                "Do you want an ergonomic (vertical) mouse?",
            ),
        ),
    },
    {
        "code": "webkamera",
        "service": "klient-pc",
        "kind": EQUIPMENT,
        "name_nb": "Webkamera",
        "name_en": "Webcam",
        "summary_nb": "Webkamera i full HD til skjermen, for Teams-møter.",
        "summary_en": "A full-HD webcam for your monitor, for Teams meetings.",
        "description_nb": (
            "Kameraet festes på toppen av skjermen og kobles til med USB. Det passer når PC-en står "
            "lukket i dokkingstasjonen."
        ),
        "description_en": (
            "The camera clips on top of your monitor and connects over USB. Useful when your laptop sits "
            "closed in the dock."
        ),
        "price": Decimal("990"),
        "lead_time_days": 2,
        "max_quantity": 2,
        "stocked": True,
        "stock": 12,
        "reorder_level": 4,
        "approval_policy": NONE,
        "fulfilment_group": "servicedesk",
        "warranty_months": 24,
        "questions": (),
    },
    # --- Telefoni og mobil ----------------------------------------------------------------------
    {
        "code": "iphone",
        "service": "telefoni",
        "kind": EQUIPMENT,
        "name_nb": "iPhone",
        "name_en": "iPhone",
        "summary_nb": "Jobbmobil med e-post, Teams og Authenticator ferdig satt opp.",
        "summary_en": "A work phone with email, Teams and Authenticator set up.",
        "description_nb": (
            "En iPhone som jobbtelefon. Den leveres med deksel og skjermbeskytter og er meldt inn i "
            "kommunens mobilhåndtering, så e-post og Teams virker med en gang. Husk å bestille "
            "mobilabonnement også hvis du ikke har det fra før. Lederen din må godkjenne bestillingen."
        ),
        "description_en": (
            "An iPhone as your work phone. It comes with a case and screen protector and is enrolled in "
            "the municipality's device management, so email and Teams work straight away. Remember to "
            "order a mobile subscription as well if you do not have one. Your manager must approve the order."
        ),
        "price": Decimal("9990"),
        "lead_time_days": 3,
        "max_quantity": 1,
        "stocked": True,
        "stock": 6,
        "reorder_level": 3,
        "approval_policy": MANAGER,
        "fulfilment_group": "nettverk",
        "warranty_months": 24,
        "questions": (
            Q(
                "flytte-nummer",
                T.YES_NO,
                "Skal nummeret flyttes fra en annen telefon?",
                "Should the number move from another phone?",
            ),
            Q(
                "gammel-telefon",
                T.TEXT,
                "Nummeret som skal flyttes",
                "The number to move",
                required=False,
            ),
        ),
    },
    {
        "code": "android-telefon",
        "service": "telefoni",
        "kind": EQUIPMENT,
        "name_nb": "Android-telefon",
        "name_en": "Android phone",
        "summary_nb": "Robust jobbmobil, godt egnet i hjemmetjenesten og ute på anlegg.",
        "summary_en": "A rugged work phone, well suited for home care and outdoor work.",
        "description_nb": (
            "En solid Android-telefon som tåler vann og støv. Den passer godt for deg som bruker mobilen "
            "ute hos brukere eller på anlegg, og kan brukes til dokumentasjon i fagsystemet. "
            "Bestillingen må godkjennes av lederen din."
        ),
        "description_en": (
            "A sturdy Android phone that withstands water and dust. It suits people who use their phone "
            "when visiting patients or on site, and can be used for records in the business system. "
            "Your manager must approve the order."
        ),
        "price": Decimal("5490"),
        "lead_time_days": 3,
        "max_quantity": 1,
        "stocked": True,
        "stock": 8,
        "reorder_level": 3,
        "approval_policy": ABOVE,
        "approval_threshold": Decimal("5000"),
        "fulfilment_group": "nettverk",
        "warranty_months": 24,
        "questions": (
            Q(
                "flytte-nummer",
                T.YES_NO,
                "Skal nummeret flyttes fra en annen telefon?",
                "Should the number move from another phone?",
            ),
        ),
    },
    {
        "code": "mobilabonnement",
        "service": "telefoni",
        "kind": OTHER,
        "name_nb": "Mobilabonnement",
        "name_en": "Mobile subscription",
        "summary_nb": "Abonnement med fri tale og SMS. Prisen er per år.",
        "summary_en": "A subscription with unlimited calls and texts. The price is per year.",
        "description_nb": (
            "Jobbabonnement i kommunens avtale med fri tale og SMS i Norge og EU. Velg hvor mye data du "
            "trenger i måneden; du kan endre det senere. Kostnaden belastes enheten din."
        ),
        "description_en": (
            "A work subscription under the municipality's agreement with unlimited calls and texts in "
            "Norway and the EU. Choose how much data you need per month; you can change it later. "
            "The cost is charged to your unit."
        ),
        "price": Decimal("2388"),
        "lead_time_days": 3,
        "max_quantity": 1,
        "approval_policy": MANAGER,
        "questions": (
            Q(
                "datamengde",
                T.NUMBER,
                "Datamengde (GB per måned)",
                "Data allowance (GB per month)",
                min_value=Decimal("1"),
                max_value=Decimal("100"),
            ),
            Q("nytt-nummer", T.YES_NO, "Trenger du nytt nummer?", "Do you need a new number?"),
        ),
    },
    # --- Microsoft 365 og programvare -----------------------------------------------------------
    {
        "code": "m365-e3",
        "service": "microsoft-365",
        "kind": LICENCE,
        "name_nb": "Microsoft 365 E3-lisens",
        "name_en": "Microsoft 365 E3 licence",
        "summary_nb": "Full Office på PC, e-post og Teams. Prisen er per år.",
        "summary_en": "Full Office on your PC, email and Teams. The price is per year.",
        "description_nb": (
            "De fleste ansatte har lisensen fra før. Bestill den hvis du bare har nettleserversjonen "
            "(F3-lisens) og trenger Word, Excel og Outlook installert på PC-en."
        ),
        "description_en": (
            "Most staff already have this licence. Order it if you only have the browser version "
            "(F3 licence) and need Word, Excel and Outlook installed on your PC."
        ),
        "price": Decimal("4380"),
        "lead_time_days": 1,
        "max_quantity": 1,
        "approval_policy": MANAGER,
        "questions": (),
    },
    {
        "code": "visio-project",
        "service": "microsoft-365",
        "kind": LICENCE,
        "name_nb": "Visio- eller Project-lisens",
        "name_en": "Visio or Project licence",
        "summary_nb": "For flytskjema og tegninger (Visio) eller prosjektplaner (Project). Per år.",
        "summary_en": "For flowcharts and diagrams (Visio) or project plans (Project). Per year.",
        "description_nb": (
            "Lisensforvaltningen godkjenner disse lisensene, fordi kommunen har et begrenset antall. "
            "Fortell kort hva du skal bruke programmet til."
        ),
        "description_en": (
            "Licence management approves these licences, because the municipality has a limited number. "
            "Say briefly what you will use the program for."
        ),
        "price": Decimal("2150"),
        "lead_time_days": 2,
        "max_quantity": 1,
        "approval_policy": GROUP,
        "approver_group": "lisensforvaltning",
        "questions": (
            Q(
                "program",
                T.CHOICE,
                "Hvilket program?",
                "Which program?",
                choices=[
                    choice("visio", "Visio Plan 2", "Visio Plan 2"),
                    choice("project", "Project Plan 3", "Project Plan 3"),
                ],
            ),
            REASON,
        ),
    },
    {
        "code": "adobe-acrobat-pro",
        "service": "microsoft-365",
        "kind": LICENCE,
        "name_nb": "Adobe Acrobat Pro",
        "name_en": "Adobe Acrobat Pro",
        "summary_nb": "Rediger, slå sammen og signer PDF-filer. Prisen er per år.",
        "summary_en": "Edit, merge and sign PDF files. The price is per year.",
        "description_nb": (
            "Alle kan lese PDF-filer uten ekstra lisens. Acrobat Pro trenger du hvis du skal redigere "
            "PDF-er, lage skjemaer eller slå sammen mange dokumenter, for eksempel i byggesaker."
        ),
        "description_en": (
            "Everyone can read PDF files without an extra licence. You need Acrobat Pro to edit PDFs, make "
            "forms or merge many documents, for instance in building cases."
        ),
        "price": Decimal("2390"),
        "lead_time_days": 2,
        "max_quantity": 1,
        "approval_policy": MANAGER,
        "fulfilment_group": "klient",
        "questions": (),
    },
    {
        "code": "programvare-annen",
        "service": "klient-pc",
        "kind": LICENCE,
        "name_nb": "Programvareinstallasjon (annen)",
        "name_en": "Other software installation",
        "summary_nb": "Et program som ikke står i katalogen. Vi sjekker sikkerhet og lisens først.",
        "summary_en": "A program that is not in the catalogue. We check security and licensing first.",
        "description_nb": (
            "Trenger du et program som ikke finnes i Firmaportalen på PC-en din, bestiller du det her. "
            "Vi vurderer sikkerhet, personvern og lisens før vi installerer. Lederen din må godkjenne."
        ),
        "description_en": (
            "If you need a program that is not in the Company Portal on your PC, order it here. "
            "We assess security, privacy and licensing before installing it. Your manager must approve."
        ),
        "price": Decimal("0"),
        "lead_time_days": 5,
        "max_quantity": 1,
        "approval_policy": MANAGER,
        "fulfilment_group": "klient",
        "questions": (
            Q("programnavn", T.TEXT, "Navn på programmet", "Name of the program"),
            Q(
                "lenke",
                T.TEXT,
                "Lenke til produsentens side",
                "Link to the maker's website",
                required=False,
            ),
            REASON,
        ),
    },
    # --- Samhandling ----------------------------------------------------------------------------
    {
        "code": "teams-omrade",
        "service": "microsoft-365",
        "kind": OTHER,
        "name_nb": "Nytt Teams-område",
        "name_en": "New Teams team",
        "summary_nb": "Et Teams-område for et prosjekt, en arbeidsgruppe eller enheten din.",
        "summary_en": "A Teams team for a project, a working group or your unit.",
        "description_nb": (
            "Vi oppretter Teams-området med navnet og eierne du oppgir. Et område må ha minst to eiere, "
            "slik at noen alltid kan legge til og fjerne medlemmer. Ikke lagre personopplysninger om "
            "innbyggere i Teams; de hører hjemme i fagsystemet."
        ),
        "description_en": (
            "We create the team with the name and owners you give. A team needs at least two owners, so "
            "someone can always add and remove members. Do not store personal data about residents in "
            "Teams; it belongs in the business system."
        ),
        "price": Decimal("0"),
        "lead_time_days": 2,
        "max_quantity": 1,
        "approval_policy": NONE,
        "questions": (
            Q("navn", T.TEXT, "Navn på området", "Name of the team"),
            Q("medeier", T.PERSON, "Medeier", "Co-owner"),
            Q("formaal", T.LONG_TEXT, "Hva skal området brukes til?", "What will the team be used for?"),
        ),
    },
    {
        "code": "felles-postboks",
        "service": "epost",
        "kind": ACCESS,
        "name_nb": "Felles postboks",
        "name_en": "Shared mailbox",
        "summary_nb": "En felles e-postadresse for enheten, for eksempel post.helsestasjonen@.",
        "summary_en": "A shared email address for your unit, such as post.helsestasjonen@.",
        "description_nb": (
            "En felles postboks har sin egen adresse og innboks, og alle som har tilgang ser de samme "
            "e-postene. Bestill ny postboks eller tilgang til en som finnes fra før."
        ),
        "description_en": (
            "A shared mailbox has its own address and inbox, and everyone with access sees the same mail. "
            "Order a new mailbox or access to an existing one."
        ),
        "price": Decimal("0"),
        "lead_time_days": 2,
        "max_quantity": 1,
        "approval_policy": MANAGER,
        "questions": (
            Q(
                "ny-eller-tilgang",
                T.CHOICE,
                "Hva trenger du?",
                "What do you need?",
                choices=[
                    choice("ny", "Ny postboks", "A new mailbox"),
                    choice("tilgang", "Tilgang til en postboks som finnes", "Access to an existing mailbox"),
                ],
            ),
            Q("adresse", T.TEXT, "E-postadresse", "Email address"),
        ),
    },
    {
        "code": "distribusjonsliste",
        "service": "epost",
        "kind": OTHER,
        "name_nb": "Distribusjonsliste",
        "name_en": "Distribution list",
        "summary_nb": "Én adresse som sender e-posten videre til mange mottakere.",
        "summary_en": "One address that forwards email to many recipients.",
        "description_nb": (
            "En distribusjonsliste er nyttig når samme melding ofte skal til de samme menneskene, "
            "for eksempel alle ansatte på en skole. Du blir eier av listen og kan endre medlemmene selv."
        ),
        "description_en": (
            "A distribution list helps when the same message often goes to the same people, such as all "
            "staff at a school. You become the list's owner and can change its members yourself."
        ),
        "price": Decimal("0"),
        "lead_time_days": 1,
        "max_quantity": 1,
        "approval_policy": NONE,
        "questions": (
            Q("adresse", T.TEXT, "Ønsket adresse", "Preferred address"),
            Q(
                "eksterne",
                T.YES_NO,
                "Skal folk utenfor kommunen kunne sende til listen?",
                "May people outside the municipality send to the list?",
            ),
        ),
    },
    {
        "code": "ekstra-lagring",
        "service": "fillagring",
        "kind": OTHER,
        "name_nb": "Ekstra lagringsplass",
        "name_en": "Extra storage space",
        "summary_nb": "Mer plass på et felles filområde. Prisen er per 100 GB per år.",
        "summary_en": "More space on a shared file area. The price is per 100 GB per year.",
        "description_nb": (
            "Er fellesområdet til enheten fullt, kan vi utvide det. Rydd gjerne først: gamle kopier og "
            "store videofiler tar ofte mest plass."
        ),
        "description_en": (
            "If your unit's shared area is full, we can extend it. Consider tidying first: old copies and "
            "large video files often take the most space."
        ),
        "price": Decimal("600"),
        "lead_time_days": 2,
        "max_quantity": 10,
        "approval_policy": MANAGER,
        "questions": (
            Q("omrade", T.TEXT, "Hvilket filområde?", "Which file area?"),
            Q(
                "gb",
                T.NUMBER,
                "Hvor mye ekstra plass (GB)?",
                "How much extra space (GB)?",
                min_value=Decimal("100"),
                max_value=Decimal("1000"),
            ),
        ),
    },
    # --- Tilgang og fagsystemer -----------------------------------------------------------------
    {
        "code": "tilgang-sak-arkiv",
        "service": "saksbehandling",
        "kind": ACCESS,
        "name_nb": "Tilgang til sak- og arkivsystemet",
        "name_en": "Access to the case and archive system",
        "summary_nb": "Rolle i systemet der kommunen behandler saker og journalfører post.",
        "summary_en": "A role in the system where the municipality handles cases and registers mail.",
        "description_nb": (
            "Tilgangen gis etter at Informasjonssikkerhet har godkjent den, fordi systemet inneholder "
            "taushetsbelagte opplysninger. Du får kurs i journalføring fra Dokumentsenteret."
        ),
        "description_en": (
            "Access is granted once Information security has approved it, because the system holds "
            "confidential information. The records centre gives you a course in registering documents."
        ),
        "price": Decimal("0"),
        "lead_time_days": 3,
        "max_quantity": 1,
        "approval_policy": GROUP,
        "approver_group": "informasjonssikkerhet",
        "questions": (
            access_role_question(
                ("lese", "Lesetilgang", "Read only"),
                ("saksbehandler", "Saksbehandler", "Case officer"),
                ("leder", "Leder (godkjenning av dokumenter)", "Manager (approves documents)"),
                ("arkivar", "Arkivar", "Archivist"),
            ),
            REASON,
        ),
    },
    {
        "code": "tilgang-okonomi",
        "service": "okonomi-lonn",
        "kind": ACCESS,
        "name_nb": "Tilgang til økonomisystemet",
        "name_en": "Access to the finance system",
        "summary_nb": "For bestilling, fakturabehandling og rapporter i økonomisystemet.",
        "summary_en": "For purchasing, invoice handling and reports in the finance system.",
        "description_nb": (
            "Velg rollen du trenger. Informasjonssikkerhet godkjenner tilgangen, og Regnskap gir deg en "
            "kort innføring."
        ),
        "description_en": (
            "Choose the role you need. Information security approves the access, and Accounts gives you a "
            "short introduction."
        ),
        "price": Decimal("0"),
        "lead_time_days": 3,
        "max_quantity": 1,
        "approval_policy": GROUP,
        "approver_group": "informasjonssikkerhet",
        "questions": (
            access_role_question(
                ("rapport", "Rapporter (lesetilgang)", "Reports (read only)"),
                ("innkjop", "Innkjøper", "Purchaser"),
                ("faktura", "Fakturabehandler", "Invoice handler"),
            ),
            REASON,
        ),
    },
    {
        "code": "tilgang-hr-lonn",
        "service": "okonomi-lonn",
        "kind": ACCESS,
        "name_nb": "Tilgang til HR- og lønnssystemet",
        "name_en": "Access to the HR and payroll system",
        "summary_nb": "For ledere og HR: personalsaker, fravær og lønn.",
        "summary_en": "For managers and HR: personnel matters, absence and pay.",
        "description_nb": (
            "Systemet inneholder personopplysninger om ansatte, så tilgangen godkjennes av "
            "Informasjonssikkerhet og gis bare for de enhetene du har ansvar for."
        ),
        "description_en": (
            "The system holds personal data about staff, so access is approved by Information security "
            "and only covers the units you are responsible for."
        ),
        "price": Decimal("0"),
        "lead_time_days": 3,
        "max_quantity": 1,
        "approval_policy": GROUP,
        "approver_group": "informasjonssikkerhet",
        "questions": (
            access_role_question(
                ("leder", "Leder (fravær og godkjenning)", "Manager (absence and approvals)"),
                ("hr", "HR-rådgiver", "HR adviser"),
                ("lonn", "Lønnsmedarbeider", "Payroll officer"),
            ),
            REASON,
            ACCESS_FROM,
        ),
    },
    {
        "code": "tilgang-gerica",
        "service": "fagsystem-gerica",
        "kind": ACCESS,
        "name_nb": "Tilgang til Gerica",
        "name_en": "Access to Gerica",
        "summary_nb": "Journalsystemet for pleie og omsorg, på PC og mobil.",
        "summary_en": "The record system for health and care, on PC and mobile.",
        "description_nb": (
            "Alle som dokumenterer helsehjelp trenger egen tilgang til Gerica. Tilgangen gis bare til "
            "ansatte i Helse og velferd, etter godkjenning fra Informasjonssikkerhet."
        ),
        "description_en": (
            "Everyone who records health care needs their own Gerica access. It is only given to staff in "
            "Health and welfare, after approval by Information security."
        ),
        "price": Decimal("0"),
        "lead_time_days": 2,
        "max_quantity": 1,
        "approval_policy": GROUP,
        "approver_group": "informasjonssikkerhet",
        "units": ("helse",),
        "questions": (
            access_role_question(
                ("helsefag", "Helsefagarbeider", "Health worker"),
                ("sykepleier", "Sykepleier", "Nurse"),
                ("vedtak", "Saksbehandler for vedtak", "Case officer for decisions"),
            ),
            Q("mobil", T.YES_NO, "Trenger du Gerica på mobil?", "Do you need Gerica on your phone?"),
            REASON,
        ),
    },
    {
        "code": "tilgang-barnehagesystem",
        "service": "fagsystem-barnehage",
        "kind": ACCESS,
        "name_nb": "Tilgang til fagsystem for barnehage",
        "name_en": "Access to the kindergarten system",
        "summary_nb": "For opptak, oppmøte og kontakt med foreldre.",
        "summary_en": "For admissions, attendance and contact with parents.",
        "description_nb": (
            "Pedagogiske ledere og styrere får tilgang til barna i sin egen barnehage. "
            "Styreren godkjenner tilgangen."
        ),
        "description_en": (
            "Lead teachers and heads get access to the children of their own kindergarten. "
            "The head approves the access."
        ),
        "price": Decimal("0"),
        "lead_time_days": 2,
        "max_quantity": 1,
        "approval_policy": MANAGER,
        "units": ("oppvekst-barnehage",),
        "questions": (
            access_role_question(
                ("ansatt", "Ansatt (oppmøte)", "Staff (attendance)"),
                ("pedleder", "Pedagogisk leder", "Lead teacher"),
                ("styrer", "Styrer", "Head"),
            ),
        ),
    },
    {
        "code": "tilgang-skoleadministrativt",
        "service": "skole-laeringsplattform",
        "kind": ACCESS,
        "name_nb": "Tilgang til skoleadministrativt system",
        "name_en": "Access to the school administration system",
        "summary_nb": "Fravær, karakterer, timeplan og elevopplysninger.",
        "summary_en": "Absence, grades, timetable and pupil records.",
        "description_nb": (
            "Lærere får tilgang til klassene og fagene sine. Skolesekretærer og ledelsen kan få bredere "
            "tilgang. Rektor godkjenner bestillingen."
        ),
        "description_en": (
            "Teachers get access to their classes and subjects. School secretaries and the school's "
            "leadership can get wider access. The head teacher approves the order."
        ),
        "price": Decimal("0"),
        "lead_time_days": 2,
        "max_quantity": 1,
        "approval_policy": MANAGER,
        "units": ("oppvekst-skole",),
        "questions": (
            access_role_question(
                ("laerer", "Lærer", "Teacher"),
                ("kontakt", "Kontaktlærer", "Form teacher"),
                ("sekretaer", "Skolesekretær", "School secretary"),
                ("ledelse", "Skoleledelse", "School leadership"),
            ),
            Q("klasser", T.TEXT, "Klasser og fag", "Classes and subjects", required=False),
        ),
    },
    {
        "code": "vpn-tilgang",
        "service": "identitet",
        "kind": ACCESS,
        "name_nb": "VPN-tilgang (hjemmekontor)",
        "name_en": "VPN access (working from home)",
        "summary_nb": "Sikker tilkobling til fagsystemer som bare virker på kommunens nett.",
        "summary_en": "A secure connection to business systems that only work on the municipal network.",
        "description_nb": (
            "E-post, Teams og de fleste fagsystemer virker hjemmefra uten VPN. Du trenger VPN bare for "
            "systemer som krever at du sitter på kommunens nett, som enkelte tegne- og arkivsystemer."
        ),
        "description_en": (
            "Email, Teams and most business systems work from home without VPN. You only need VPN for "
            "systems that require the municipal network, such as some drawing and archive systems."
        ),
        "price": Decimal("0"),
        "lead_time_days": 2,
        "max_quantity": 1,
        "approval_policy": MANAGER,
        "questions": (REASON, ACCESS_FROM),
    },
    {
        "code": "skriverko",
        "service": "utskrift",
        "kind": ACCESS,
        "name_nb": "Tilgang til skriverkø",
        "name_en": "Access to a print queue",
        "summary_nb": "Skriv ut på felles skrivere i et annet bygg enn ditt eget.",
        "summary_en": "Print on the shared printers in a building other than your own.",
        "description_nb": (
            "Du har allerede tilgang til skriverne i bygget der du jobber. Bestill tilgang hvis du også "
            "jobber fast et annet sted."
        ),
        "description_en": (
            "You already have access to the printers in the building where you work. Order access if you "
            "also work regularly somewhere else."
        ),
        "price": Decimal("0"),
        "lead_time_days": 1,
        "max_quantity": 1,
        "approval_policy": NONE,
        "questions": (
            Q(
                "bygg",
                T.CHOICE,
                "Hvilket bygg?",
                "Which building?",
                choices=[
                    choice("radhuset", "Rådhuset", "Town hall"),
                    choice("teknisk", "Teknisk bygg", "Technical building"),
                    choice("bergeland", "Bergeland helsehus", "Bergeland health centre"),
                    choice("kulturhuset", "Kulturhuset", "Culture house"),
                ],
            ),
        ),
    },
    {
        "code": "adgangskort",
        "service": "identitet",
        "kind": EQUIPMENT,
        "name_nb": "Nøkkelkort og adgangskort",
        "name_en": "Key card and access card",
        "summary_nb": "Kort med bilde som åpner dørene du trenger og henter utskrifter.",
        "summary_en": "A photo card that opens the doors you need and releases your print-outs.",
        "description_nb": (
            "Kortet brukes til dører, utskrift og kantine. Ta med legitimasjon når du henter det i "
            "Servicedesken, så tar vi bilde på stedet. Har du mistet kortet, sperrer vi det gamle med en gang."
        ),
        "description_en": (
            "The card opens doors, releases print-outs and works in the canteen. Bring ID when you collect "
            "it at the service desk, and we take your photo there. If you lost your card, we block the "
            "old one at once."
        ),
        "price": Decimal("150"),
        "lead_time_days": 3,
        "max_quantity": 1,
        "approval_policy": MANAGER,
        "fulfilment_group": "servicedesk",
        "questions": (
            Q(
                "grunn",
                T.CHOICE,
                "Hvorfor trenger du kort?",
                "Why do you need a card?",
                choices=[
                    choice("ny", "Jeg er ny", "I am new"),
                    choice("mistet", "Jeg har mistet kortet", "I have lost my card"),
                    choice("odelagt", "Kortet virker ikke", "My card does not work"),
                ],
            ),
            Q(
                "dorer",
                T.MULTI_CHOICE,
                "Hvilke bygg trenger du adgang til?",
                "Which buildings do you need access to?",
                choices=[
                    choice("radhuset", "Rådhuset", "Town hall"),
                    choice("teknisk", "Teknisk bygg", "Technical building"),
                    choice("bergeland", "Bergeland helsehus", "Bergeland health centre"),
                    choice("skole", "Skolen min", "My school"),
                ],
            ),
        ),
    },
    # --- For ledere -----------------------------------------------------------------------------
    {
        "code": "ny-ansatt",
        "service": "identitet",
        "kind": OTHER,
        "name_nb": "Ny ansatt (startpakke)",
        "name_en": "New employee (starter pack)",
        "summary_nb": "Brukerkonto, e-post, PC, telefon og tilganger til en ny medarbeider.",
        "summary_en": "Account, email, laptop, phone and access for a new colleague.",
        "description_nb": (
            "Bestill minst to uker før den nye starter. Vi lager brukerkonto og e-post, gjør klar PC og "
            "telefon og gir tilgangene du krysser av for. Den nye får startpassordet på SMS første "
            "arbeidsdag. Bare ledere kan bestille startpakken."
        ),
        "description_en": (
            "Order at least two weeks before the new person starts. We create the account and mailbox, "
            "prepare a laptop and phone and grant the access you tick. The new colleague gets the first "
            "password by text message on their first day. Only managers can order the starter pack."
        ),
        "price": Decimal("0"),
        "lead_time_days": 10,
        "max_quantity": 1,
        "approval_policy": NONE,
        "fulfilment_group": "servicedesk",
        "roles": ("approver",),
        "questions": (
            Q(
                "ny-ansatt",
                T.PERSON,
                "Ny ansatt",
                "New employee",
                help_nb="Den nye finnes i katalogen når HR har registrert ansettelsen.",
                help_en="The new person appears in the directory once HR has registered the employment.",
            ),
            Q("startdato", T.DATE, "Startdato", "Start date"),
            Q(
                "utstyr",
                T.MULTI_CHOICE,
                "Hva trenger den nye?",
                "What does the new person need?",
                choices=[
                    choice("pc", "Bærbar PC", "Laptop"),
                    choice("mobil", "Mobiltelefon", "Mobile phone"),
                    choice("kort", "Adgangskort", "Access card"),
                    choice("skjerm", "Skjerm", "Monitor"),
                ],
            ),
        ),
    },
    {
        "code": "sluttet-ansatt",
        "service": "identitet",
        "kind": OTHER,
        "name_nb": "Ansatt som slutter",
        "name_en": "Employee leaving",
        "summary_nb": "Steng tilganger, hent inn utstyr og bestem hva som skjer med e-posten.",
        "summary_en": "Close access, collect equipment and decide what happens to the mailbox.",
        "description_nb": (
            "Bestill i god tid før siste arbeidsdag. Kontoen stenges kvelden etter siste dag, og vi "
            "henter inn PC, telefon og adgangskort. Bare ledere kan bestille dette."
        ),
        "description_en": (
            "Order well before the last working day. The account is closed the evening after the last "
            "day, and we collect the laptop, phone and access card. Only managers can order this."
        ),
        "price": Decimal("0"),
        "lead_time_days": 5,
        "max_quantity": 1,
        "approval_policy": NONE,
        "fulfilment_group": "servicedesk",
        "roles": ("approver",),
        "questions": (
            Q("ansatt", T.PERSON, "Hvem slutter?", "Who is leaving?"),
            Q("siste-dag", T.DATE, "Siste arbeidsdag", "Last working day"),
            Q(
                "epost",
                T.CHOICE,
                "Hva skal skje med e-posten?",
                "What should happen to the mailbox?",
                choices=[
                    choice("slett", "Slettes etter 30 dager", "Deleted after 30 days"),
                    choice("videresend", "Videresendes til meg i 3 måneder", "Forwarded to me for 3 months"),
                ],
            ),
        ),
    },
    {
        "code": "attestasjonsrett",
        "service": "okonomi-lonn",
        "kind": ACCESS,
        "name_nb": "Attestasjons- og anvisningsrett",
        "name_en": "Right to certify and authorise invoices",
        "summary_nb": "For ledere som skal godkjenne fakturaer for enheten sin.",
        "summary_en": "For managers who approve invoices for their unit.",
        "description_nb": (
            "Ledere med budsjettansvar får rett til å attestere og anvise fakturaer for sitt ansvarsområde. "
            "Informasjonssikkerhet kontrollerer fullmakten før tilgangen gis."
        ),
        "description_en": (
            "Managers with budget responsibility get the right to certify and authorise invoices for their "
            "area. Information security checks the authorisation before access is given."
        ),
        "price": Decimal("0"),
        "lead_time_days": 3,
        "max_quantity": 1,
        "approval_policy": GROUP,
        "approver_group": "informasjonssikkerhet",
        "roles": ("approver",),
        "questions": (
            Q("ansvar", T.TEXT, "Ansvarsnummer (koststed)", "Cost centre"),
            Q(
                "belopsgrense",
                T.NUMBER,
                "Beløpsgrense (kr)",
                "Amount limit (NOK)",
                min_value=Decimal("0"),
                max_value=Decimal("5000000"),
            ),
        ),
    },
    {
        "code": "lokal-admin",
        "service": "klient-pc",
        "kind": ACCESS,
        "name_nb": "Lokal administratortilgang på PC",
        "name_en": "Local administrator rights on a PC",
        "summary_nb": "For IT-ansatte som må installere og feilsøke på egen maskin.",
        "summary_en": "For IT staff who install and troubleshoot on their own machine.",
        "description_nb": (
            "Tilgangen gis i et tidsbegrenset administratorvindu, og all bruk logges. "
            "Informasjonssikkerhet godkjenner."
        ),
        "description_en": (
            "Access is given as a time-limited administrator window, and all use is logged. "
            "Information security approves."
        ),
        "price": Decimal("0"),
        "lead_time_days": 1,
        "max_quantity": 1,
        "approval_policy": GROUP,
        "approver_group": "informasjonssikkerhet",
        "fulfilment_group": "infrastruktur",
        "roles": ("agent",),
        "questions": (REASON,),
    },
    # --- Utgått ---------------------------------------------------------------------------------
    {
        "code": "bordtelefon",
        "service": "telefoni",
        "kind": EQUIPMENT,
        "name_nb": "Bordtelefon",
        "name_en": "Desk phone",
        "summary_nb": "Erstattet av mobil og Teams.",
        "summary_en": "Replaced by mobile phones and Teams.",
        "description_nb": "Kommunen leverer ikke lenger bordtelefoner. Bestill mobiltelefon i stedet.",
        "description_en": "The municipality no longer supplies desk phones. Order a mobile phone instead.",
        "price": Decimal("1890"),
        "lead_time_days": 5,
        "max_quantity": 1,
        "approval_policy": MANAGER,
        "state": CatalogItem.State.RETIRED,
        "warranty_months": 24,
        "questions": (),
    },
)

# Item fields the seed owns and keeps in step with the table above (stock_count only on creation).
ITEM_FIELDS = (
    "service_id",
    "kind",
    "name_nb",
    "name_en",
    "summary_nb",
    "summary_en",
    "description_nb",
    "description_en",
    "price",
    "lead_time_days",
    "max_quantity",
    "stocked",
    "reorder_level",
    "approval_policy",
    "approval_threshold",
    "approver_group_id",
    "fulfilment_group_id",
    "warranty_months",
    "visible_to_roles",
    "state",
    "sort_order",
)
QUESTION_FIELDS = (
    "position",
    "type",
    "label_nb",
    "label_en",
    "help_nb",
    "help_en",
    "required",
    "min_value",
    "max_value",
    "choices",
)


class DemoDataMissing(Exception):
    """The services, groups or people from seed_demo's municipality are not there."""


def _resolve_user(ref: str, managers: dict[str, int | None]) -> int:
    if ref.startswith("manager:"):
        manager_id = managers.get(ref.removeprefix("manager:"))
        if manager_id is None:
            raise DemoDataMissing(f"Unit {ref.removeprefix('manager:')} has no manager.")
        return manager_id
    try:
        return User.objects.values_list("pk", flat=True).get(username=ref)
    except User.DoesNotExist:
        raise DemoDataMissing(f"Demo user {ref} is missing: run seed_demo.") from None


@transaction.atomic
def seed_items() -> Counter[tuple[str, str]]:
    """Create or update the approver groups, items and questions; return (model, created/updated) counts."""
    stats: Counter[tuple[str, str]] = Counter()
    services = {s.code: s.pk for s in Service.objects.filter(code__in={i["service"] for i in ITEMS})}
    groups = dict(SupportGroup.objects.values_list("code", "pk"))
    units = dict(OrgUnit.objects.values_list("code", "pk"))
    managers = dict(OrgUnit.objects.values_list("code", "manager_id"))
    missing = {i["service"] for i in ITEMS} - services.keys()
    if missing:
        raise DemoDataMissing(f"Services {', '.join(sorted(missing))} are missing: run seed_demo first.")

    approver_groups: dict[str, ApproverGroup] = {}
    existing_groups = {g.code: g for g in ApproverGroup.objects.prefetch_related("members")}
    for spec in APPROVER_GROUPS:
        group = existing_groups.get(spec["code"])
        values = {"name_nb": spec["name_nb"], "name_en": spec["name_en"]}
        if group is None:
            group = ApproverGroup.objects.create(code=spec["code"], **values)
            stats["catalog.approvergroup", "created"] += 1
        elif any(getattr(group, k) != v for k, v in values.items()):
            for name, value in values.items():
                setattr(group, name, value)
            group.save()
            stats["catalog.approvergroup", "updated"] += 1
        wanted = {_resolve_user(ref, managers) for ref in spec["members"]}
        have = {u.pk for u in group.members.all()} if spec["code"] in existing_groups else set()
        # Members added by an administrator are kept; only missing demo members are added.
        if wanted - have:
            group.members.add(*sorted(wanted - have))
            stats["catalog.approvergroup_members", "created"] += len(wanted - have)
        approver_groups[spec["code"]] = group

    existing = {
        i.code: i
        for i in CatalogItem.objects.filter(code__in=[s["code"] for s in ITEMS]).prefetch_related(
            "questions", "visible_to_org_units"
        )
    }
    for position, spec in enumerate(ITEMS, start=1):
        values = {
            "service_id": services[spec["service"]],
            "kind": spec["kind"],
            "name_nb": spec["name_nb"],
            "name_en": spec["name_en"],
            "summary_nb": spec["summary_nb"],
            "summary_en": spec["summary_en"],
            "description_nb": spec["description_nb"],
            "description_en": spec["description_en"],
            "price": spec["price"],
            "lead_time_days": spec["lead_time_days"],
            "max_quantity": spec["max_quantity"],
            "stocked": spec.get("stocked", False),
            "reorder_level": spec.get("reorder_level", 0),
            "approval_policy": spec["approval_policy"],
            "approval_threshold": spec.get("approval_threshold"),
            "approver_group_id": (
                approver_groups[spec["approver_group"]].pk if spec.get("approver_group") else None
            ),
            "fulfilment_group_id": groups[spec["fulfilment_group"]] if spec.get("fulfilment_group") else None,
            "warranty_months": spec.get("warranty_months", 0),
            "visible_to_roles": list(spec.get("roles", ())),
            "state": spec.get("state", CatalogItem.State.LIVE),
            "sort_order": position * 10,
        }
        item = existing.get(spec["code"])
        if item is None:
            item = CatalogItem(code=spec["code"], stock_count=spec.get("stock", 0), **values)
            item.full_clean()
            item.save()
            stats["catalog.catalogitem", "created"] += 1
            current_questions: dict[str, OrderQuestion] = {}
            current_units: set[int] = set()
        else:
            changed = [name for name in ITEM_FIELDS if getattr(item, name) != values[name]]
            if changed:
                for name in changed:
                    setattr(item, name, values[name])
                item.full_clean()
                item.save()
                stats["catalog.catalogitem", "updated"] += 1
            current_questions = {q.key: q for q in item.questions.all()}
            current_units = {u.pk for u in item.visible_to_org_units.all()}
        wanted_units = {units[code] for code in spec.get("units", ())}
        if wanted_units != current_units:
            item.visible_to_org_units.set(sorted(wanted_units))
            stats["catalog.catalogitem_units", "updated"] += 1
        _sync_questions(item, spec["questions"], current_questions, stats)
    return stats


def _sync_questions(
    item: CatalogItem, specs: tuple[dict, ...], current: dict[str, OrderQuestion], stats: Counter
) -> None:
    """Create, update or delete the item's questions so they match the table (by key)."""
    to_create = []
    for position, spec in enumerate(specs, start=1):
        values = {
            "position": position * 10,
            "type": spec["type"],
            "label_nb": spec["label_nb"],
            "label_en": spec["label_en"],
            "help_nb": spec.get("help_nb", ""),
            "help_en": spec.get("help_en", ""),
            "required": spec["required"],
            "min_value": spec.get("min_value"),
            "max_value": spec.get("max_value"),
            "choices": list(spec.get("choices", ())),
        }
        question = current.pop(spec["key"], None)
        if question is None:
            question = OrderQuestion(item=item, key=spec["key"], **values)
            question.full_clean(validate_unique=False, validate_constraints=False)
            to_create.append(question)
            continue
        changed = [name for name in QUESTION_FIELDS if getattr(question, name) != values[name]]
        if changed:
            for name in changed:
                setattr(question, name, values[name])
            question.save(update_fields=changed)
            stats["catalog.orderquestion", "updated"] += 1
    if to_create:
        OrderQuestion.objects.bulk_create(to_create)
        stats["catalog.orderquestion", "created"] += len(to_create)
    if current:
        # A question dropped from the table: old answers keep their key in the order lines.
        OrderQuestion.objects.filter(pk__in=[q.pk for q in current.values()]).delete()
        stats["catalog.orderquestion", "deleted"] += len(current)

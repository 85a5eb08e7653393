"""A year of change enablement for the demo municipality, built by ``manage.py seed_changes`` (and
``seed_demo``).

About 150 changes over the twelve months before the reference time and the six weeks after it: standard
changes from six templates (the monthly patching of clients and servers every month), normal changes
through assessment, CAB votes and the calendar, a few emergency changes with their retrospective
reviews, and a few that failed or were backed out and caused incidents. Two freeze windows (exam weeks
and year end) and the maintenance windows of the changes that cause downtime complete the calendar.
At the reference time there is an agenda for the CAB, changes scheduled in the coming weeks, one change
being implemented, one in review, and a few drafts and changes in assessment.

Every change is written through ``changes/services.py`` with past ``now=`` values, so tickets, numbers,
timelines, approvals and maintenance windows are what the product itself records. As for the incident
history (``incidents/demo_incidents.py``) there are two passes: plan every change as a script of timed
steps, placing each window where it collides with no other change or freeze window (two collide on
purpose, and the change manager overrides them), then run all steps in global time order. Everything
comes from ``random.Random(RANDOM_SEED)`` and the reference time, so the same ``now`` gives the same data.
The run is one transaction; the broadcasts and notifications it queues are dropped before it commits.
Idempotent: if the demo changes are there (tickets whose external id starts with ``EXTERNAL_PREFIX``),
nothing is written; the six templates are created whenever they are missing.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import random
import time
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import Count
from django.utils import timezone, translation

from catalog.models import Service
from changes import risk as risk_questions
from changes import services as change_services
from changes.models import (
    Change,
    ChangeApproval,
    ChangeKind,
    ChangeTask,
    FreezeWindow,
    MaintenanceWindow,
    StandardChangeTemplate,
)
from changes.selectors import impact_set
from changes.transitions import ON_CALENDAR, ChangeMove
from incidents import services as incident_services
from incidents.calendar_days import add_business_seconds, is_business_day
from incidents.models import Outage
from people.models import SupportGroup, User
from tickets import services as ticket_services
from tickets.models import (
    Category,
    Channel,
    Kind,
    Notification,
    ResolutionCode,
    Status,
    Ticket,
    TicketEvent,
    TicketLink,
)
from tickets.transitions import Move

RANDOM_SEED = 2026
DEFAULT_COUNT = 150
# Not "demo-" (the incident history) nor "demoorder-" (the orders): each seed skips on its own prefix.
EXTERNAL_PREFIX = "demochange-"
CHANGE_MANAGER = "demo.endring"
CAB_MEMBERS = ("demo.gruppeleder", "demo.tjenesteeier")
DEMO_AGENT = "demo.agent"
HISTORY_DAYS = 365
HORIZON_DAYS = 42

State = Change.State
# States a change of the present may stop in before it is approved (their times are set by the script).
PLANNING = frozenset({State.DRAFT, State.SUBMITTED, State.ASSESSMENT, State.AWAITING_APPROVAL})
Outcome = Change.Outcome
Decision = ChangeApproval.Decision

# --- Standard change templates ------------------------------------------------------------------------

TEMPLATES = (
    {
        "code": "patch-windows-klienter",
        "name_nb": "Månedlig patching av Windows-klienter",
        "name_en": "Monthly patching of Windows clients",
        "description": "Månedens sikkerhetsoppdateringer fra Microsoft rulles ut til alle Windows-PC-er via "
        "Intune, først til pilotgruppen i IT og deretter til alle. Brukerne blir bedt om å starte på nytt "
        "innen to dager. Ingen planlagt nedetid.",
        "services": ("klient-pc",),
        "group": "klient",
        "implementation_plan": "1. Godkjenn månedens oppdateringer i Intune etter to dager i pilotgruppen.\n"
        "2. Åpne utrullingen for ring 1 (IT og superbrukere), deretter ring 2 (alle).\n"
        "3. Følg samsvarsrapporten gjennom dagen.\n"
        "4. Send påminnelse til brukere som ikke har startet på nytt.",
        "backout_plan": "Stopp utrullingen i Intune og avinstaller oppdateringen som gir feil med en egen "
        "avinstallasjonspakke. PC-er som ikke starter, gjenopprettes fra gjenopprettingsmenyen.",
        "test_plan": "Pilotgruppen kontrollerer innlogging, Teams, utskrift og fagsystemene før ring 2 åpnes.",
        "causes_downtime": False,
        "duration_minutes": 240,
        "tasks": (
            "Godkjenne månedens oppdateringer i Intune",
            "Åpne utrullingen for pilotgruppen",
            "Åpne utrullingen for alle klienter",
            "Kontrollere samsvarsrapporten",
            "Følge opp PC-er som ikke har fått oppdateringene",
        ),
    },
    {
        "code": "patch-servere",
        "name_nb": "Månedlig patching av servere",
        "name_en": "Monthly patching of servers",
        "description": "Månedens sikkerhetsoppdateringer installeres på applikasjons- og databaseserverne i "
        "datasenteret. Fagsystemene er nede mens serverne starter på nytt. Vinduet er tirsdag kveld uka "
        "etter Microsofts oppdateringsdag.",
        "services": ("saksbehandling", "fagsystem-gerica", "okonomi-lonn", "fagsystem-barnehage"),
        "group": "infrastruktur",
        "implementation_plan": "1. Kontroller at nattens sikkerhetskopi er fullført.\n"
        "2. Ta øyeblikksbilder av de virtuelle serverne.\n"
        "3. Installer oppdateringene på databaseserverne, start dem på nytt og kontroller tjenestene.\n"
        "4. Gjør det samme på applikasjonsserverne.\n"
        "5. Test innlogging i hvert fagsystem og gi beskjed til vakttelefonen.",
        "backout_plan": "Rull serveren tilbake til øyeblikksbildet fra før oppdateringen. Databaser "
        "gjenopprettes fra nattens sikkerhetskopi om nødvendig.",
        "test_plan": "Innlogging og et enkelt søk i saksbehandlingssystemet, Gerica, økonomisystemet og "
        "barnehagesystemet.",
        "causes_downtime": True,
        "duration_minutes": 240,
        "tasks": (
            "Kontrollere nattens sikkerhetskopi",
            "Ta øyeblikksbilder av serverne",
            "Patche databaseserverne",
            "Patche applikasjonsserverne",
            "Teste fagsystemene og melde fra til vakttelefonen",
        ),
    },
    {
        "code": "distribusjonsliste",
        "name_nb": "Legge bruker til distribusjonsliste",
        "name_en": "Add a user to a distribution list",
        "description": "En bruker legges til en distribusjonsliste i e-postsystemet etter bestilling "
        "godkjent av eieren av listen.",
        "services": ("epost",),
        "group": "servicedesk",
        "implementation_plan": "1. Kontroller at eieren av listen har godkjent bestillingen.\n"
        "2. Legg brukeren til i listen i Exchange-administrasjonen.\n"
        "3. Send en testmelding til listen og bekreft at brukeren får den.",
        "backout_plan": "Fjern brukeren fra listen igjen.",
        "test_plan": "",
        "causes_downtime": False,
        "duration_minutes": 15,
        "tasks": (
            "Kontrollere godkjenningen fra eieren av listen",
            "Legge brukeren til i listen",
            "Bekrefte med en testmelding",
        ),
    },
    {
        "code": "antivirus-signaturer",
        "name_nb": "Oppdatere antivirus-signaturer",
        "name_en": "Update antivirus signatures",
        "description": "Manuell oppdatering av antivirusmotor og signaturer på maskiner som ikke henter dem "
        "selv: de isolerte klientene i helse og skanne-PC-ene i dokumentsenteret.",
        "services": ("klient-pc",),
        "group": "klient",
        "implementation_plan": "1. Last ned månedens frakoblede pakke fra leverandørens portal og "
        "kontroller signaturen.\n"
        "2. Distribuer pakken til de isolerte klientene.\n"
        "3. Kontroller versjonsnummeret i administrasjonskonsollen.",
        "backout_plan": "Gå tilbake til forrige signaturpakke fra administrasjonskonsollen.",
        "test_plan": "Kjør en testskanning med EICAR-testfilen på én klient.",
        "causes_downtime": False,
        "duration_minutes": 30,
        "tasks": (
            "Laste ned og kontrollere pakken",
            "Distribuere til de isolerte klientene",
            "Kontrollere versjonen i konsollen",
        ),
    },
    {
        "code": "utvide-lagringskvote",
        "name_nb": "Utvide lagringskvote",
        "name_en": "Extend a storage quota",
        "description": "Kvoten på et felles filområde økes etter bestilling fra enheten.",
        "services": ("fillagring",),
        "group": "infrastruktur",
        "implementation_plan": "1. Kontroller at det er ledig kapasitet i lagringsklyngen.\n"
        "2. Øk kvoten på filområdet til bestilt størrelse.\n"
        "3. Bekreft den nye kvoten overfor bestilleren.",
        "backout_plan": "Sett kvoten tilbake til forrige verdi (bare hvis området ikke allerede bruker mer).",
        "test_plan": "",
        "causes_downtime": False,
        "duration_minutes": 30,
        "tasks": ("Kontrollere ledig kapasitet", "Øke kvoten", "Bekrefte overfor bestilleren"),
    },
    {
        "code": "fornye-ssl-sertifikat",
        "name_nb": "Fornye SSL-sertifikat",
        "name_en": "Renew an SSL certificate",
        "description": "Et TLS-sertifikat på en av kommunens nettjenester fornyes før det utløper. "
        "Sertifikatet bestilles hos den faste leverandøren og byttes uten nedetid.",
        "services": ("saksbehandling",),
        "group": "infrastruktur",
        "implementation_plan": "1. Bestill nytt sertifikat med samme navn og nøkkellengde.\n"
        "2. Installer sertifikatet på lastbalansereren ved siden av det gamle.\n"
        "3. Bytt til det nye sertifikatet og last konfigurasjonen på nytt.\n"
        "4. Kontroller kjeden og utløpsdatoen med en ekstern test.",
        "backout_plan": "Bytt tilbake til det gamle sertifikatet, som ligger på lastbalansereren til det "
        "utløper.",
        "test_plan": "Ekstern SSL-test og innlogging fra en PC utenfor kommunens nett.",
        "causes_downtime": False,
        "duration_minutes": 60,
        "tasks": (
            "Bestille nytt sertifikat",
            "Installere sertifikatet på lastbalansereren",
            "Bytte og laste konfigurasjonen på nytt",
            "Kontrollere med ekstern test",
            "Oppdatere sertifikatoversikten",
        ),
    },
)

MONTHS = (
    "januar",
    "februar",
    "mars",
    "april",
    "mai",
    "juni",
    "juli",
    "august",
    "september",
    "oktober",
    "november",
    "desember",
)
DISTRIBUTION_LISTS = (
    "Alle ansatte Haugen skole",
    "Ledergruppen helse og omsorg",
    "Verneombud",
    "Byggesak – saksbehandlere",
    "Kulturnatt-komiteen",
    "Beredskapsgruppen",
    "Foreldrekontakter Fjellvang skole",
    "Hjemmetjenesten – sykepleiere",
    "Økonomikontakter i enhetene",
    "Nyhetsbrev fra rådmannen",
)
QUOTA_AREAS = (
    "Byggesak",
    "Arealplan",
    "Dokumentsenteret",
    "Kommunikasjon",
    "Hovedbiblioteket",
    "Kulturskolen",
    "Regnskap",
    "Haugen skole",
    "Vei og park",
)
WEBSITES = (
    "innsyn.eksempel.kommune.no",
    "postmottak.eksempel.kommune.no",
    "byggesak.eksempel.kommune.no",
    "eksempel.kommune.no",
)
BUILDINGS = (
    "Rådhuset",
    "Teknisk bygg",
    "Bergeland helsehus",
    "Hovedbiblioteket",
    "Kulturskolen",
    "Servicetorget",
)
SCHOOLS = ("Haugen skole", "Fjellvang skole", "Nordbo ungdomsskole")

# --- Normal and emergency changes ---------------------------------------------------------------------


@dataclass(frozen=True)
class Spec:
    """One kind of normal or emergency change: what is done, where, how risky and how.

    Texts may use {bygg} (a building), {skole} (a school) and {versjon} (a version number).
    """

    title: str
    services: tuple[str, ...]
    group: str
    risk: str  # low / medium / high
    description: str
    reason: str
    plan: str
    backout: str
    tasks: tuple[str, ...]
    test: str = ""
    downtime: bool = False
    hours: float = 2
    slot: str = "evening"  # evening (Mon–Thu), weekend (Saturday) or day (business hours)
    review: str = ""  # emergency changes: the retrospective review


NORMAL = (
    Spec(
        "Oppgradere fastvare på svitsjene i {bygg}",
        ("nettverk-kontor",),
        "nettverk",
        "medium",
        "Svitsjene i {bygg} kjører en fastvareversjon som leverandøren slutter å støtte. Den nye versjonen "
        "retter to kjente sikkerhetshull.",
        "Sikkerhetshull i dagens versjon, og støtten fra leverandøren går ut.",
        "1. Ta sikkerhetskopi av konfigurasjonen.\n2. Last opp ny fastvare til svitsjene i {bygg}.\n"
        "3. Start svitsjene på nytt én etasje om gangen.\n4. Kontroller at alle porter og tilgangspunkter er "
        "oppe.",
        "Start svitsjene fra reservepartisjonen med forrige fastvare og last inn lagret konfigurasjon.",
        (
            "Ta sikkerhetskopi av svitsjkonfigurasjonen",
            "Oppgradere fastvaren",
            "Kontrollere porter og tilgangspunkter",
            "Melde fra til servicedesk",
        ),
        test="Test kablet nett, trådløst og telefoni i hver etasje etter omstarten.",
        downtime=True,
        hours=2,
    ),
    Spec(
        "Bytte trådløse tilgangspunkter på {skole}",
        ("nettverk-skole",),
        "nettverk",
        "medium",
        "De trådløse tilgangspunktene på {skole} er åtte år gamle og klarer ikke lenger en hel klasse med "
        "Chromebooks samtidig. De byttes til nye med Wi-Fi 6.",
        "Elever og lærere mister nettet i timene; klagene har økt hele høsten.",
        "1. Monter de nye tilgangspunktene ved siden av de gamle.\n2. Flytt kablene ett rom om gangen.\n"
        "3. Slå av de gamle tilgangspunktene i kontrolleren.\n4. Mål dekningen i alle klasserom.",
        "Flytt kablene tilbake til de gamle tilgangspunktene, som henger til dagen etter.",
        (
            "Montere nye tilgangspunkter",
            "Flytte kablene rom for rom",
            "Fjerne de gamle fra kontrolleren",
            "Måle dekningen i klasserommene",
        ),
        test="Dekningsmåling i alle klasserom og test med 30 Chromebooks samtidig i ett rom.",
        downtime=True,
        hours=4,
    ),
    Spec(
        "Oppgradere domenekontrollerne til Windows Server 2025",
        ("identitet",),
        "infrastruktur",
        "high",
        "De fire domenekontrollerne byttes én om gangen til nye servere med Windows Server 2025. Innlogging "
        "skal virke hele tiden, men alt i kommunen avhenger av dem.",
        "Dagens versjon er ute av støtte neste år, og nye sikkerhetsfunksjoner krever det nye funksjonsnivået.",
        "1. Installer og fremm to nye domenekontrollere.\n2. Flytt FSMO-rollene.\n"
        "3. Degrader de to gamle.\n4. Gjenta for de to siste.\n5. Kontroller replikeringen.",
        "De gamle domenekontrollerne degraderes først når de nye har replikert i et døgn; til da kan rollene "
        "flyttes tilbake.",
        (
            "Installere nye domenekontrollere",
            "Flytte FSMO-rollene",
            "Degradere de gamle",
            "Kontrollere replikeringen",
        ),
        test="Innlogging på PC, e-post, VPN og fagsystemer fra hver lokasjon.",
        hours=6,
        slot="weekend",
    ),
    Spec(
        "Innføre oppbevaringsregler for Teams-chat",
        ("microsoft-365",),
        "applikasjoner",
        "medium",
        "Chatmeldinger i Teams slettes automatisk etter to år, i tråd med arkivplanen. Kanalinnlegg beholdes.",
        "Arkivlova og personvernet: vi skal ikke lagre chatter lenger enn nødvendig.",
        "1. Opprett oppbevaringsregelen i Purview i testmodus.\n2. Kontroller rapporten etter en uke.\n"
        "3. Slå på regelen for alle.",
        "Slå av regelen i Purview; ingenting slettes før det har gått to år.",
        ("Opprette regelen i testmodus", "Kontrollere rapporten", "Slå på regelen for alle"),
        test="Regelen er prøvd på IT-avdelingens egne kontoer i en uke.",
        hours=1,
        slot="day",
    ),
    Spec(
        "Stramme inn SPF og DMARC for kommunens e-postdomene",
        ("epost",),
        "applikasjoner",
        "medium",
        "DMARC-regelen settes fra «none» til «quarantine», slik at falske e-poster i kommunens navn havner i "
        "søppelpost hos mottakerne.",
        "Svindelforsøk med falske avsendere i kommunens navn har økt.",
        "1. Gå gjennom DMARC-rapportene for de siste fire ukene.\n2. Legg til de siste legitime avsenderne i "
        "SPF.\n3. Endre DMARC-posten til quarantine.",
        "Sett DMARC-posten tilbake til none; endringen slår gjennom i DNS innen en time.",
        (
            "Gå gjennom DMARC-rapportene",
            "Oppdatere SPF-posten",
            "Endre DMARC-posten",
            "Følge med på rapportene",
        ),
        hours=1,
        slot="day",
    ),
    Spec(
        "Oppgradere saksbehandlingssystemet til versjon {versjon}",
        ("saksbehandling",),
        "applikasjoner",
        "high",
        "Saksbehandlings- og arkivsystemet oppgraderes til versjon {versjon}. Oppgraderingen endrer "
        "databasen og krever at systemet er stengt.",
        "Ny versjon kreves for ny integrasjon med SvarUt og retter feil i journalføringen.",
        "1. Steng systemet og ta full sikkerhetskopi.\n2. Kjør oppgraderingen av databasen.\n"
        "3. Oppgrader applikasjonsserverne.\n4. Test med superbrukerne fra dokumentsenteret.\n"
        "5. Åpne systemet.",
        "Gjenopprett databasen fra sikkerhetskopien og installer forrige versjon på applikasjonsserverne.",
        (
            "Ta full sikkerhetskopi",
            "Oppgradere databasen",
            "Oppgradere applikasjonsserverne",
            "Teste med superbrukerne",
            "Åpne systemet og varsle brukerne",
        ),
        test="Testmiljøet er oppgradert og testet av dokumentsenteret i to uker.",
        downtime=True,
        hours=6,
        slot="weekend",
    ),
    Spec(
        "Oppdatere fagsystemet for barnehage før nytt opptak",
        ("fagsystem-barnehage",),
        "applikasjoner",
        "medium",
        "Leverandøren har en ny versjon med endringer i opptaksmodulen og nye satser for foreldrebetaling.",
        "Opptaket åpner snart, og de nye satsene må være på plass.",
        "1. Ta sikkerhetskopi.\n2. Installer ny versjon.\n3. Kontroller satsene sammen med barnehagekontoret.",
        "Installer forrige versjon og gjenopprett databasen fra sikkerhetskopien.",
        ("Ta sikkerhetskopi", "Installere ny versjon", "Kontrollere satsene med barnehagekontoret"),
        downtime=True,
        hours=2,
    ),
    Spec(
        "Installere servicepakke for Gerica",
        ("fagsystem-gerica",),
        "applikasjoner",
        "medium",
        "Servicepakken retter feil i legemiddelmodulen og i overføringen til KS SvarUt.",
        "Feilene i legemiddelmodulen gir ekstra arbeid for sykepleierne hver dag.",
        "1. Varsle hjemmetjenesten og helsehuset, som går over til papirrutinen.\n2. Ta sikkerhetskopi.\n"
        "3. Installer servicepakken.\n4. Test legemiddelkurven sammen med en sykepleier.",
        "Gjenopprett fra sikkerhetskopien; leverandøren har vakt i vinduet.",
        (
            "Varsle helse om papirrutinen",
            "Ta sikkerhetskopi",
            "Installere servicepakken",
            "Teste legemiddelkurven",
        ),
        test="Servicepakken er testet i testmiljøet av to sykepleiere.",
        downtime=True,
        hours=3,
    ),
    Spec(
        "Installere kvartalsoppdatering av økonomisystemet",
        ("okonomi-lonn",),
        "applikasjoner",
        "medium",
        "Leverandørens kvartalsvise oppdatering av økonomi- og lønnssystemet, med nye rapporter og feilrettinger.",
        "Feilrettinger i fakturaflyten og nye krav til rapportering.",
        "1. Kontroller at ingen lønnskjøring pågår.\n2. Ta sikkerhetskopi.\n3. Installer oppdateringen.\n"
        "4. Test fakturaflyt og lønnsrapport.",
        "Gjenopprett databasen og installer forrige versjon.",
        (
            "Kontrollere at ingen lønnskjøring pågår",
            "Ta sikkerhetskopi",
            "Installere oppdateringen",
            "Teste fakturaflyt og lønnsrapport",
        ),
        downtime=True,
        hours=3,
    ),
    Spec(
        "Utvide lagringsklyngen med nye disker",
        ("fillagring",),
        "infrastruktur",
        "low",
        "Lagringsklyngen er 85 % full. Åtte nye disker settes inn i den ledige hylla og legges til i klyngen.",
        "Filområdene vokser raskere enn planlagt.",
        "1. Sett inn diskene.\n2. Legg dem til i lagringspoolen.\n3. Kontroller at ombalanseringen går.",
        "Diskene kan tas ut av poolen igjen før ombalanseringen er ferdig.",
        ("Sette inn diskene", "Legge dem til i poolen", "Kontrollere ombalanseringen"),
        hours=2,
        slot="day",
    ),
    Spec(
        "Ny skriverkø for {bygg}",
        ("utskrift",),
        "klient",
        "low",
        "De nye multifunksjonsskriverne i {bygg} får en felles kø med «følg meg»-utskrift.",
        "Nye skrivere er levert, og de gamle køene skal fases ut.",
        "1. Opprett køen på utskriftsserveren.\n2. Legg den ut til brukerne i {bygg} via Intune.\n"
        "3. Test utskrift og skanning.",
        "Fjern køen; de gamle køene står til den nye er i bruk.",
        ("Opprette køen", "Rulle ut køen", "Teste utskrift og skanning"),
        hours=1,
        slot="day",
    ),
    Spec(
        "Oppgradere sentralbordløsningen",
        ("telefoni",),
        "nettverk",
        "medium",
        "Sentralbordløsningen og køene til servicetorget oppgraderes til leverandørens nye versjon.",
        "Ny versjon gir tilbakeringing i kø og retter feil i statistikken.",
        "1. Eksporter køoppsettet.\n2. Oppgrader sentralbordet.\n3. Test kø, viderekobling og tilbakeringing.\n"
        "4. Melde fra til servicetorget.",
        "Leverandøren ruller tilbake til forrige versjon; køoppsettet importeres på nytt.",
        (
            "Eksportere køoppsettet",
            "Oppgradere sentralbordet",
            "Teste kø og tilbakeringing",
            "Melde fra til servicetorget",
        ),
        test="Testet i leverandørens testmiljø med vårt køoppsett.",
        downtime=True,
        hours=3,
    ),
    Spec(
        "Rulle ut nye Microsoft 365-apper til alle PC-er",
        ("klient-pc",),
        "klient",
        "medium",
        "Alle PC-er går over til den månedlige kanalen for Microsoft 365-appene.",
        "Nye funksjoner i Teams og Outlook kommer bare i den nye kanalen.",
        "1. Endre kanalen for pilotgruppen.\n2. Endre kanalen for alle etter en uke uten feil.\n"
        "3. Følg med på samsvarsrapporten.",
        "Sett kanalen tilbake; appene går tilbake ved neste oppdatering.",
        ("Endre kanalen for pilotgruppen", "Endre kanalen for alle", "Følge samsvarsrapporten"),
        hours=4,
        slot="day",
    ),
    Spec(
        "Oppgradere læringsplattformen til ny versjon",
        ("skole-laeringsplattform",),
        "skole-ikt",
        "medium",
        "Læringsplattformen oppgraderes til leverandørens nye versjon med ny vurderingsmodul.",
        "Lærerne har bedt om den nye vurderingsmodulen; den gamle versjonen får ikke feilrettinger.",
        "1. Varsle skolene.\n2. Leverandøren oppgraderer plattformen.\n3. Test innlevering og vurdering med en "
        "lærer fra hver skole.",
        "Leverandøren ruller tilbake til forrige versjon fra øyeblikksbildet.",
        ("Varsle skolene", "Oppgradere plattformen", "Teste innlevering og vurdering"),
        test="Testet av tre lærere i leverandørens testmiljø.",
        downtime=True,
        hours=2,
    ),
    Spec(
        "Bytte brannmur mot internett",
        ("nettverk-kontor",),
        "nettverk",
        "high",
        "Kommunens to brannmurer mot internett byttes til nye. Alt som går mot internett er nede i vinduet.",
        "Brannmurene er ute av støtte, og kapasiteten er for liten for dagens trafikk.",
        "1. Flytt konfigurasjonen til de nye brannmurene.\n2. Bytt den passive brannmuren.\n"
        "3. Flytt trafikken og bytt den aktive.\n4. Test VPN, e-post og innbyggertjenestene.",
        "Koble de gamle brannmurene inn igjen; de står i stativet til uka etter.",
        (
            "Flytte konfigurasjonen",
            "Bytte den passive brannmuren",
            "Flytte trafikken og bytte den aktive",
            "Teste VPN, e-post og innbyggertjenestene",
        ),
        test="Konfigurasjonen er testet i leverandørens lab.",
        downtime=True,
        hours=5,
        slot="weekend",
    ),
    Spec(
        "Fornye signeringssertifikatet for innlogging",
        ("identitet",),
        "infrastruktur",
        "medium",
        "Signeringssertifikatet til innloggingstjenesten utløper om en måned og fornyes. Alle tjenester som "
        "bruker innloggingen, må få det nye sertifikatet.",
        "Utløper sertifikatet, kan ingen logge inn på noe.",
        "1. Legg til det nye sertifikatet som sekundært.\n2. Oppdater tjenestene som ikke henter det selv.\n"
        "3. Gjør det nye sertifikatet primært.",
        "Gjør det gamle sertifikatet primært igjen; det gjelder til det utløper.",
        ("Legge til nytt sertifikat", "Oppdatere tjenestene", "Bytte primært sertifikat"),
        hours=2,
        slot="day",
    ),
    Spec(
        "Øke maksimal vedleggsstørrelse i e-post",
        ("epost",),
        "applikasjoner",
        "low",
        "Grensen for vedlegg økes fra 25 MB til 35 MB, slik at byggesak kan motta tegninger på e-post.",
        "Søkere får e-posten sin i retur når tegningene er for store.",
        "1. Endre grensen i Exchange Online.\n2. Endre grensen i e-postfilteret.\n3. Test med et stort vedlegg.",
        "Sett grensene tilbake.",
        ("Endre grensen i Exchange Online", "Endre grensen i e-postfilteret", "Teste med stort vedlegg"),
        hours=1,
        slot="day",
    ),
    Spec(
        "Innføre følsomhetsetiketter i Microsoft 365",
        ("microsoft-365", "fillagring"),
        "applikasjoner",
        "high",
        "Dokumenter og e-post kan merkes «Intern», «Fortrolig» og «Strengt fortrolig». Fortrolige dokumenter "
        "krypteres.",
        "Personvernet krever bedre styring av fortrolige dokumenter, særlig i helse og barnevern.",
        "1. Publiser etikettene for pilotgruppen.\n2. Kurs for pilotgruppen.\n3. Publiser for alle.",
        "Trekk tilbake publiseringen; krypterte dokumenter kan fortsatt åpnes av eierne.",
        ("Publisere etikettene for pilotgruppen", "Holde kurs", "Publisere for alle"),
        hours=2,
        slot="day",
    ),
    Spec(
        "Ny integrasjon mellom saksbehandlingssystemet og SvarUt",
        ("saksbehandling",),
        "applikasjoner",
        "medium",
        "Utgående brev sendes automatisk via KS SvarUt i stedet for å skrives ut og postlegges.",
        "Sparer porto og tid i dokumentsenteret.",
        "1. Sett opp integrasjonen i produksjon.\n2. Send et testbrev til en ansatt.\n3. Slå på for alle enheter.",
        "Slå av integrasjonen; brevene går til utskrift som før.",
        ("Sette opp integrasjonen", "Sende testbrev", "Slå på for alle enheter"),
        hours=2,
        slot="day",
    ),
    Spec(
        "Innføre nytt innholdsfilter for skolenettet",
        ("nettverk-skole",),
        "nettverk",
        "medium",
        "Innholdsfilteret i skolenettet byttes til en skytjeneste med egne regler per trinn.",
        "Dagens filter slipper gjennom for mye og blokkerer læringsressurser.",
        "1. Sett opp reglene per trinn.\n2. Flytt én skole om gangen.\n3. Følg med på henvendelser fra lærerne.",
        "Flytt skolene tilbake til det gamle filteret, som står på til prosjektet er ferdig.",
        ("Sette opp reglene", "Flytte skolene", "Følge opp henvendelser"),
        downtime=True,
        hours=2,
    ),
    Spec(
        "Flytte virtuelle servere til nye vertsmaskiner",
        ("okonomi-lonn", "fagsystem-barnehage"),
        "infrastruktur",
        "low",
        "Serverne for økonomi og barnehage flyttes til nye vertsmaskiner mens de kjører.",
        "De gamle vertsmaskinene går ut av garanti.",
        "1. Flytt serverne med live migrering.\n2. Kontroller ytelsen.\n3. Sett de gamle vertene i vedlikehold.",
        "Flytt serverne tilbake til de gamle vertene.",
        ("Flytte serverne", "Kontrollere ytelsen", "Sette de gamle vertene i vedlikehold"),
        hours=3,
    ),
    Spec(
        "Portere mobilnumrene til ny operatør",
        ("telefoni",),
        "nettverk",
        "medium",
        "Etter ny rammeavtale flyttes alle mobilabonnementene til den nye operatøren. Numrene beholdes.",
        "Ny rammeavtale fra årsskiftet.",
        "1. Bestill porteringen for alle numre.\n2. Del ut nye SIM-kort på forhånd.\n"
        "3. Følg porteringen og svar på henvendelser.",
        "Porteringen kan ikke reverseres samme dag; numre som feiler, flyttes tilbake av operatøren.",
        ("Bestille porteringen", "Dele ut SIM-kort", "Følge porteringen"),
        hours=4,
        slot="day",
    ),
    Spec(
        "Aktivere elektronisk fakturabehandling for alle enheter",
        ("okonomi-lonn",),
        "applikasjoner",
        "medium",
        "Alle enheter går over til å godkjenne inngående fakturaer i økonomisystemet (EHF).",
        "Papirfakturaer tar for lang tid og gir purringer.",
        "1. Sett opp godkjenningsflyten for hver enhet.\n2. Slå på mottak av EHF.\n3. Kurs for enhetslederne.",
        "Slå av flyten; fakturaene går til regnskap som før.",
        ("Sette opp godkjenningsflyten", "Slå på mottak av EHF", "Holde kurs for enhetslederne"),
        hours=2,
        slot="day",
    ),
    Spec(
        "Koble Gerica til kjernejournal",
        ("fagsystem-gerica",),
        "applikasjoner",
        "high",
        "Gerica får oppslag i nasjonal kjernejournal, slik at sykepleierne ser pasientens legemidler fra "
        "fastlegen.",
        "Tryggere legemiddelhåndtering i hjemmetjenesten.",
        "1. Installer sertifikatet fra Norsk helsenett.\n2. Slå på integrasjonen.\n"
        "3. Test oppslag med en testpasient.",
        "Slå av integrasjonen.",
        ("Installere sertifikatet", "Slå på integrasjonen", "Teste oppslag"),
        hours=2,
    ),
    Spec(
        "Flytte felles postbokser til Exchange Online",
        ("epost",),
        "applikasjoner",
        "medium",
        "De siste 40 felles postboksene flyttes fra den lokale e-postserveren til Exchange Online.",
        "Den lokale e-postserveren skal slås av.",
        "1. Synkroniser postboksene på forhånd.\n2. Fullfør flyttingen.\n3. Kontroller tilgangene.",
        "Postbokser som feiler, flyttes tilbake til den lokale serveren.",
        ("Synkronisere postboksene", "Fullføre flyttingen", "Kontrollere tilgangene"),
        hours=3,
    ),
    Spec(
        "Utvide gjestenettet i {bygg}",
        ("nettverk-kontor",),
        "nettverk",
        "low",
        "Gjestenettet gjøres tilgjengelig i møterommene i {bygg}.",
        "Besøkende og innleide konsulenter trenger nett.",
        "1. Legg gjestenettet på tilgangspunktene i møterommene.\n2. Test innlogging med engangskode.",
        "Fjern gjestenettet fra tilgangspunktene.",
        ("Legge ut gjestenettet", "Teste innlogging"),
        hours=1,
        slot="day",
    ),
    Spec(
        "Innføre ny skanneløsning til OneDrive",
        ("utskrift",),
        "klient",
        "low",
        "Skanning fra multifunksjonsskriverne går rett til brukerens OneDrive i stedet for til e-post.",
        "Store skannede filer fyller opp postboksene.",
        "1. Sett opp skanneprofilen.\n2. Rull ut til alle skrivere.\n3. Test fra en skriver i hvert bygg.",
        "Sett skanneprofilen tilbake til e-post.",
        ("Sette opp skanneprofilen", "Rulle ut til skriverne", "Teste fra hvert bygg"),
        hours=2,
        slot="day",
    ),
)

# Changes the scripts name directly (the CAB agenda, the failures and so on).
LAUNCH_PORTAL = Spec(
    "Lansere innbyggerportalen Min side",
    ("innbyggerportal",),
    "applikasjoner",
    "high",
    "Innbyggerportalen Min side åpnes for alle innbyggere med innlogging via ID-porten. Innbyggerne ser "
    "sakene sine, kan sende inn skjemaer og følge byggesaker.",
    "Politisk vedtak om digitale innbyggertjenester; pressemelding og kampanje er planlagt.",
    "1. Åpne portalen for ID-porten i produksjon.\n2. Publiser lenken på kommunens nettsider.\n"
    "3. Følg med på feilloggen og henvendelser til servicetorget de første dagene.",
    "Steng portalen bak en vedlikeholdsside og fjern lenken fra nettsidene.",
    (
        "Åpne for ID-porten i produksjon",
        "Publisere lenken",
        "Bemanne servicetorget ekstra",
        "Følge feilloggen",
    ),
    test="Brukertestet med 12 innbyggere og gjennomgått av personvernombudet.",
    hours=3,
    slot="day",
)
MIGRATE_SHARES = Spec(
    "Flytte felles filområder for byplan til SharePoint",
    ("fillagring", "microsoft-365"),
    "infrastruktur",
    "medium",
    "Byplans felles filområder (byggesak og arealplan, om lag 2 TB) flyttes til SharePoint-områder med "
    "samme mappestruktur.",
    "Filserveren skal fases ut, og byggesak vil dele dokumenter med eksterne konsulenter.",
    "1. Forhåndskopier filene med migreringsverktøyet.\n2. Sett filområdene i skrivebeskyttet modus.\n"
    "3. Kjør siste kopiering om kvelden.\n4. Åpne SharePoint-områdene neste morgen.",
    "Ta bort skrivebeskyttelsen på filområdene; ingenting er slettet der.",
    ("Forhåndskopiere filene", "Skrivebeskytte filområdene", "Kjøre siste kopiering", "Åpne SharePoint"),
    hours=4,
)
MFA_FOR_ALL = Spec(
    "Krav om flerfaktorautentisering for alle ansatte",
    ("identitet",),
    "infrastruktur",
    "high",
    "Alle ansatte må bruke Microsoft Authenticator eller en nøkkel ved innlogging utenfor kommunens nett.",
    "Kontoene til to ansatte ble overtatt etter phishing i høst.",
    "1. Slå på kravet for én sektor om gangen.\n2. Ekstra bemanning i servicedesk de første dagene.",
    "Slå av kravet for sektoren i tilgangsregelen.",
    ("Slå på kravet sektor for sektor", "Bemanne servicedesk ekstra"),
    hours=4,
    slot="day",
)
QUEUE_MESSAGE = Spec(
    "Ny velkomstmelding og kø for servicedesk i telefonisystemet",
    ("telefoni",),
    "servicedesk",
    "low",
    "Servicedesk vil ha en egen kø for passordhjelp med automatisk svar om selvbetjening.",
    "Mange av samtalene gjelder passord, som innbyggerne kan ordne selv.",
    "",
    "",
    (),
    hours=1,
    slot="day",
)
RETIRE_FILESERVER = Spec(
    "Fase ut den gamle filserveren",
    ("fillagring",),
    "infrastruktur",
    "medium",
    "Den gamle filserveren slås av når de siste områdene er flyttet.",
    "Serveren er ute av støtte.",
    "1. Kontroller at ingen har skrevet til serveren på en måned.\n2. Slå av serveren.",
    "Slå serveren på igjen.",
    ("Kontrollere siste skriving", "Slå av serveren"),
    hours=1,
    slot="day",
)

# Normal changes that failed or were backed out, and the incident each caused.
FAILURES = (
    {
        "spec": Spec(
            "Oppgradere Gerica til ny hovedversjon",
            ("fagsystem-gerica",),
            "applikasjoner",
            "high",
            "Gerica oppgraderes til ny hovedversjon med ny legemiddelmodul og nytt skjermbilde for "
            "tiltaksplaner.",
            "Den gamle hovedversjonen får ikke sikkerhetsrettinger etter sommeren.",
            "1. Varsle helse om papirrutinen.\n2. Ta sikkerhetskopi.\n3. Oppgrader databasen og "
            "applikasjonen.\n4. Test med sykepleiere fra hjemmetjenesten.",
            "Gjenopprett databasen fra sikkerhetskopien og installer forrige versjon.",
            ("Varsle helse", "Ta sikkerhetskopi", "Oppgradere", "Teste med sykepleierne"),
            test="Testet i testmiljøet, men uten de lokale legemiddelmalene.",
            downtime=True,
            hours=4,
        ),
        "outcome": Outcome.BACKED_OUT,
        "unit": "hjemmetjenesten",
        "incident": (
            "Gerica: legemiddelkurven åpner seg ikke",
            "Etter oppgraderingen i går kveld får ingen av oss åpnet legemiddelkurven i Gerica. Vi har gått "
            "over til papirlistene, men de er ikke oppdatert.",
        ),
        "category": Category.SOFTWARE,
        "severity": Outage.Severity.DEGRADED,
        "resolution": "Oppgraderingen er rullet tilbake, og legemiddelkurven virker igjen. Leverandøren "
        "retter feilen med de lokale malene før et nytt forsøk.",
        "review": "De lokale legemiddelmalene var ikke med i testmiljøet, så feilen ble ikke oppdaget før "
        "sykepleierne begynte morgenrunden. Vi rullet tilbake etter planen, og det tok to timer. Tiltak: "
        "testmiljøet kopieres fra produksjon før neste forsøk, og en sykepleier tester legemiddelkurven i "
        "vinduet før vi åpner.",
    },
    {
        "spec": Spec(
            "Bytte kjernesvitsj i Rådhuset",
            ("nettverk-kontor",),
            "nettverk",
            "high",
            "Kjernesvitsjen i Rådhuset byttes til ny modell. Alle etasjer er uten nett mens kablene flyttes.",
            "Den gamle svitsjen er ute av støtte, og reservestrømforsyningen har feilet to ganger.",
            "1. Monter den nye svitsjen.\n2. Flytt konfigurasjonen.\n3. Flytt kablene etasje for etasje.\n"
            "4. Test nett og telefoni i hver etasje.",
            "Flytt kablene tilbake til den gamle svitsjen, som står i stativet til uka etter.",
            ("Montere svitsjen", "Flytte konfigurasjonen", "Flytte kablene", "Teste hver etasje"),
            downtime=True,
            hours=4,
            slot="weekend",
        ),
        "outcome": Outcome.FAILED,
        "unit": "regnskap",
        "incident": (
            "Ingen nett i 3. etasje i Rådhuset",
            "Ingen av oss i 3. etasje har nett eller telefon i dag morges. De andre etasjene virker.",
        ),
        "category": Category.NETWORK,
        "severity": Outage.Severity.DOWN,
        "resolution": "VLAN-et for 3. etasje manglet på den nye kjernesvitsjen. Det er lagt inn, og nett og "
        "telefoni virker igjen.",
        "review": "Konfigurasjonen ble flyttet med et skript som hoppet over ett VLAN, og testen i vinduet "
        "dekket ikke 3. etasje. Ansatte i 3. etasje var uten nett i over to timer mandag morgen. Tiltak: "
        "konfigurasjonen sammenlignes linje for linje før vi flytter kabler, og alle etasjer testes med "
        "både PC og telefon.",
    },
    {
        "spec": Spec(
            "Nye regler i søppelpostfilteret",
            ("epost",),
            "applikasjoner",
            "medium",
            "Søppelpostfilteret får strengere regler mot falske fakturaer og lenker til falske "
            "innloggingssider.",
            "Flere ansatte har fått falske fakturaer som så ekte ut.",
            "1. Legg inn de nye reglene.\n2. Følg med på karantenen den første dagen.",
            "Slå av de nye reglene og slipp ut e-post fra karantenen.",
            ("Legge inn reglene", "Følge med på karantenen"),
            hours=1,
            slot="day",
        ),
        "outcome": Outcome.BACKED_OUT,
        "unit": "servicetorget",
        "incident": (
            "E-post fra NAV og Skatteetaten kommer ikke fram",
            "Vi venter på flere e-poster fra NAV og Skatteetaten i dag, men ingenting kommer. Innbyggere "
            "ringer og sier de har sendt oss e-post.",
        ),
        "category": Category.SOFTWARE,
        "severity": Outage.Severity.DEGRADED,
        "resolution": "De nye reglene i søppelpostfilteret stoppet e-post fra offentlige avsendere. Reglene "
        "er slått av, og e-posten er sluppet ut av karantenen.",
        "review": "En av de nye reglene slo ut på signerte PDF-vedlegg, som offentlige etater bruker. Om lag "
        "300 e-poster satt i karantene i fire timer. Tiltak: nye regler kjøres i overvåkingsmodus i en uke "
        "før de blokkerer.",
    },
    {
        "spec": Spec(
            "Oppdatere skriverdriverne via Intune",
            ("utskrift",),
            "klient",
            "medium",
            "Skriverdriverne på alle PC-er oppdateres til leverandørens nye universaldriver.",
            "Den gamle driveren har et sikkerhetshull.",
            "1. Rull ut driveren til pilotgruppen.\n2. Rull ut til alle.\n3. Følg med på henvendelser.",
            "Rull ut den gamle driveren på nytt.",
            ("Rulle ut til pilotgruppen", "Rulle ut til alle", "Følge med på henvendelser"),
            hours=2,
            slot="day",
        ),
        "outcome": Outcome.FAILED,
        "unit": "haugen-skole",
        "incident": (
            "Utskriftene blir bare rare tegn",
            "Alt vi skriver ut på lærerværelset, kommer ut som sider med rare tegn. Det gjelder alle PC-ene.",
        ),
        "category": Category.PRINTING,
        "severity": Outage.Severity.DEGRADED,
        "resolution": "Den nye driveren passer ikke de eldste skriverne på skolene. Skolene har fått en egen "
        "driver, og utskriftene er normale igjen.",
        "review": "Pilotgruppen hadde ingen av de eldste skrivermodellene, som bare står på skolene. "
        "Utskrift på tre skoler virket ikke en dag. Tiltak: pilotgruppen får én PC fra hver skole, og de "
        "eldste skriverne byttes i vår.",
    },
)

EMERGENCY = (
    Spec(
        "Kritisk sikkerhetsoppdatering av VPN-løsningen",
        ("nettverk-kontor",),
        "nettverk",
        "high",
        "Leverandøren varsler om en sårbarhet i VPN-løsningen som utnyttes aktivt. Oppdateringen må inn i "
        "kveld.",
        "Aktivt utnyttet sårbarhet; Nasjonalt cybersikkerhetssenter anbefaler å oppdatere straks.",
        "1. Ta sikkerhetskopi av konfigurasjonen.\n2. Installer oppdateringen på den passive noden.\n"
        "3. Bytt node og oppdater den andre.\n4. Test VPN.",
        "Start nodene fra forrige versjon.",
        ("Ta sikkerhetskopi", "Oppdatere første node", "Oppdatere andre node", "Teste VPN"),
        downtime=True,
        hours=1.5,
        review="Oppdateringen gikk etter planen; VPN var nede i tolv minutter. Vi fikk varselet fra "
        "leverandøren fire timer etter at det kom, fordi det gikk til en felles postboks ingen fulgte med på "
        "om kvelden. Tiltak: sikkerhetsvarsler går nå også til vakttelefonen.",
    ),
    Spec(
        "Nødoppdatering av Exchange-hybridserveren",
        ("epost",),
        "applikasjoner",
        "high",
        "Microsoft har sluppet en ekstraordinær sikkerhetsoppdatering for Exchange som må installeres på "
        "hybridserveren.",
        "Sårbarheten gir fjernstyring av serveren uten innlogging.",
        "1. Installer oppdateringen.\n2. Start serveren på nytt.\n3. Kjør Microsofts kontrollskript.",
        "Avinstaller oppdateringen og start på nytt.",
        ("Installere oppdateringen", "Starte på nytt", "Kjøre kontrollskriptet"),
        hours=1,
        review="Installert og kontrollert uten funn. Skriptet fant ingen tegn til innbrudd. Læring: "
        "hybridserveren bør fases ut, slik at vi slipper slike kvelder; det er meldt som egen endring.",
    ),
    Spec(
        "Bytte defekt kontroller i lagringssystemet",
        ("fillagring",),
        "infrastruktur",
        "medium",
        "Den ene kontrolleren i lagringssystemet har feilet. Systemet går på én kontroller og må få ny før "
        "den andre også feiler.",
        "Ingen redundans i lagringssystemet.",
        "1. Leverandøren bytter kontrolleren.\n2. Kontroller at begge kontrollerne er aktive.",
        "Ikke aktuelt; den defekte kontrolleren kan ikke settes inn igjen.",
        ("Bytte kontrolleren", "Kontrollere redundansen"),
        hours=2,
        review="Leverandøren byttet kontrolleren innen fire timer etter avtalen. Ingen nedetid. Læring: "
        "overvåkingen varslet bare på e-post; varselet går nå også som SMS til vakt.",
    ),
    Spec(
        "Utvide full databasedisk for Gerica",
        ("fagsystem-gerica",),
        "infrastruktur",
        "medium",
        "Loggdisken til databasen for Gerica er 98 % full, og databasen stopper når den er full.",
        "Gerica stopper for hele pleie og omsorg hvis disken blir full.",
        "1. Utvid disken i virtualiseringsplattformen.\n2. Utvid filsystemet.\n3. Kontroller ledig plass.",
        "Ikke aktuelt; en utvidet disk kan ikke krympes, men det skader ikke.",
        ("Utvide disken", "Utvide filsystemet", "Kontrollere ledig plass"),
        hours=1,
        review="Utvidet uten nedetid. Årsaken var en loggjobb som ikke ryddet etter seg etter oppgraderingen. "
        "Jobben er rettet, og vi varsler nå ved 80 % i stedet for 95 %.",
    ),
    Spec(
        "Rulle tilbake feilaktig oppdatering av Teams-klienten",
        ("klient-pc",),
        "klient",
        "medium",
        "Gårsdagens oppdatering av Teams-klienten gjør at Teams krasjer ved oppstart på mange PC-er.",
        "Hundrevis av ansatte får ikke brukt Teams.",
        "1. Stopp utrullingen.\n2. Rull ut forrige versjon til alle PC-er.\n3. Kontroller samsvarsrapporten.",
        "Ikke aktuelt; forrige versjon er den som virket.",
        ("Stoppe utrullingen", "Rulle ut forrige versjon", "Kontrollere samsvarsrapporten"),
        hours=2,
        review="Tilbakerullingen nådde 95 % av PC-ene innen to timer. Oppdateringen hadde gått rett til alle "
        "fordi pilotringen var slått av ved en feil. Tiltak: pilotringen kontrolleres i den månedlige "
        "gjennomgangen.",
    ),
    Spec(
        "Fornye utløpt sertifikat for trådløst nett",
        ("nettverk-kontor",),
        "nettverk",
        "high",
        "Sertifikatet til innloggingen på det trådløse nettet utløp i natt. Ingen PC-er kobler seg til.",
        "Alle som bruker trådløst nett på kontorene, er uten nett.",
        "1. Utsted nytt sertifikat.\n2. Installer det på RADIUS-serverne.\n3. Test tilkobling.",
        "Ikke aktuelt; det gamle sertifikatet er utløpt.",
        ("Utstede nytt sertifikat", "Installere på RADIUS-serverne", "Teste tilkobling"),
        hours=1,
        review="Sertifikatet sto ikke i sertifikatoversikten, så ingen fikk varsel før det utløp. Trådløst "
        "nett var nede i tre timer. Tiltak: alle sertifikater er gått gjennom og lagt inn i oversikten med "
        "varsel 30 dager før utløp.",
    ),
)
SCHOOL_FIREWALL = Spec(
    "Bytte brannmur i skolenettet",
    ("nettverk-skole",),
    "nettverk",
    "medium",
    "Brannmuren mellom skolenettet og kommunens nett byttes. Skolenettet er nede i vinduet.",
    "Brannmuren er ute av støtte.",
    "1. Flytt konfigurasjonen.\n2. Bytt brannmuren.\n3. Test læringsplattformen og internett fra en skole.",
    "Koble den gamle brannmuren inn igjen.",
    ("Flytte konfigurasjonen", "Bytte brannmuren", "Teste fra en skole"),
    downtime=True,
    hours=2,
)
# The emergency change in the exam freeze, which the change manager lets through with an override.
EXAM_EMERGENCY = Spec(
    "Kritisk sikkerhetsoppdatering av læringsplattformen",
    ("skole-laeringsplattform",),
    "skole-ikt",
    "high",
    "Leverandøren av læringsplattformen varsler om en sårbarhet som gir tilgang til andres innleveringer. "
    "Oppdateringen tar ti minutter.",
    "Elevenes eksamensbesvarelser kan leses av andre.",
    "1. Leverandøren installerer oppdateringen etter dagens eksamen.\n2. Test innlevering.",
    "Leverandøren ruller tilbake fra øyeblikksbildet.",
    ("Installere oppdateringen", "Teste innlevering"),
    hours=1,
    review="Oppdateringen ble installert etter dagens eksamen og testet av eksamensansvarlig. Ingen tegn "
    "til at sårbarheten var utnyttet. Læring: vi avtaler med leverandøren at kritiske rettinger i "
    "eksamensperioden varsles til skole-IKT direkte.",
)
EXAM_OVERRIDE = (
    "Sårbarheten gir tilgang til eksamensbesvarelser og kan ikke vente til etter eksamensperioden. "
    "Oppdateringen gjøres etter dagens eksamen, og eksamensansvarlig er enig."
)
PARALLEL_OVERRIDE = (
    "Leverandøren bytter brannmuren og oppgraderer læringsplattformen samme kveld. Læringsplattformen er "
    "likevel nede i vinduet, så vi tar begge jobbene på én gang."
)
FIXED_OVERRIDE = (
    "Tidspunktet er avtalt med leverandøren og kan ikke flyttes. Tjenesteeier har godtatt risikoen."
)

# Texts of the approval process.
APPROVE_COMMENTS = ("", "", "", "Ok.", "Godkjent.", "Greit, husk å varsle servicedesk.")
CAB_APPROVE_COMMENTS = (
    "",
    "",
    "Godkjent.",
    "Godkjent. Pass på at leverandøren er tilgjengelig i vinduet.",
    "Ok fra meg; varsle brukerne i god tid.",
    "Godkjent. Tilbakerullingsplanen ser god ut.",
)
INFO_REQUESTS = (
    (
        "Hvem varsler brukerne, og når? Det står ikke i planen.",
        "5. Varsle brukerne på intranett og i Teams to dager før og samme morgen.",
    ),
    (
        "Er leverandøren tilgjengelig i vinduet hvis noe går galt?",
        "5. Leverandøren har bekreftet vakt i hele vinduet (avtale i vedlegg).",
    ),
    (
        "Hvordan tester vi etterpå at integrasjonene virker? Beskriv testen.",
        "5. Test av hver integrasjon med testdata etter oppgraderingen; sjekkliste fra leverandøren.",
    ),
    (
        "Hva gjør brukerne hvis vinduet blir lenger enn planlagt?",
        "5. Papirrutinen gjelder til vi melder at systemet er oppe; beskjed går til enhetslederne.",
    ),
)
REJECTIONS = (
    "Planen for tilbakerulling er for tynn. Beskriv hvordan vi kommer tilbake hvis oppgraderingen feiler "
    "halvveis, og meld endringen på nytt.",
    "Kolliderer med innføringen av nytt lønnssystem. Ta den opp igjen etter nyttår.",
    "Leverandøren har ikke bekreftet at versjonen er testet med våre integrasjoner.",
    "Nytten står ikke i forhold til risikoen nå. Vi ser på det igjen i neste budsjettår.",
)
CANCELLATIONS = (
    "Leverandøren har utsatt leveransen. Ny endring meldes når vi har dato.",
    "Behovet falt bort fordi enheten flytter til nye lokaler.",
    "Slått sammen med en større endring.",
    "Registrert to ganger.",
)
STANDARD_CANCELLATIONS = (
    "Brukeren har sluttet før endringen ble gjort.",
    "Bestillingen ble trukket av enheten.",
)
NOTICES = (
    "Brukerne er varslet på intranett og i Teams.",
    "Leverandøren har bekreftet tidspunktet.",
    "Vakttelefonen er informert om vinduet.",
)
SUCCESS_REVIEWS = (
    "Gikk etter planen, ferdig før tiden.",
    "Ingen avvik. Brukerne merket ingenting.",
    "Gikk som planlagt. Testene etterpå var grønne.",
)
PROBLEM_REVIEWS = (
    "Ferdig, men vinduet ble en halvtime for kort fordi omstarten tok lengre tid enn ventet. Neste gang "
    "setter vi av mer tid.",
    "Endringen virker, men to brukere måtte få hjelp av servicedesk dagen etter. Varslingen bør være "
    "tydeligere.",
    "Én av testene feilet og ble rettet i vinduet. Testplanen er oppdatert.",
)
STANDARD_PROBLEMS = (
    "Tre servere trengte en ekstra omstart; ferdig 40 minutter etter planen.",
    "Noen PC-er fikk ikke oppdateringen første dag og ble fulgt opp dagen etter.",
)

# The freeze windows: (name, English name, (month, day) start, (month, day) end exclusive, service codes).
EXAM_FREEZE = (
    "Eksamensperiode",
    "Exam period",
    (5, 18),
    (6, 20),
    ("nettverk-skole", "skole-laeringsplattform"),
    "Skriftlig og muntlig eksamen i grunnskolen. Ingen endringer på skolenettet og læringsplattformen.",
)
YEAR_END_FREEZE = (
    "Årsavslutning",
    "Year-end closing",
    (12, 18),
    (1, 6),
    (),
    "Regnskaps- og lønnsavslutning og redusert bemanning i jule- og nyttårsuka. Bare hasteendringer.",
)

SLOTS = {
    "evening": ((0, 1, 2, 3), (17, 18, 19, 20)),
    "weekend": ((5,), (8, 9, 10)),
    "day": ((0, 1, 2, 3, 4), (9, 10, 11, 12, 13, 14)),
}
# Season of change: quiet in July and at Christmas, busy in spring and autumn.
SEASON = {1: 0.8, 2: 1.0, 3: 1.2, 4: 1.0, 5: 1.0, 6: 1.0, 7: 0.25, 8: 1.0, 9: 1.3, 10: 1.3, 11: 1.2, 12: 0.6}


def fill(text: str, values: dict) -> str:
    return text.format_map(values) if "{" in text else text


@functools.cache
def _answers_by_level() -> dict[str, list[dict[str, str]]]:
    """Every full set of risk answers, grouped by the level it gives (changes/risk.py)."""
    grouped: dict[str, list[dict[str, str]]] = {}
    codes = [question.code for question in risk_questions.QUESTIONS]
    for combination in itertools.product(*[[c[0] for c in q.choices] for q in risk_questions.QUESTIONS]):
        answers = dict(zip(codes, combination, strict=True))
        _score, level = risk_questions.assess(answers)
        grouped.setdefault(str(level), []).append(answers)
    return grouped


class DemoDataMissing(Exception):
    """The municipality (users, groups, services) from seed_demo is not there."""


@dataclass
class Result:
    skipped: bool = False
    changes: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)
    by_state: dict[str, int] = field(default_factory=dict)
    by_outcome: dict[str, int] = field(default_factory=dict)
    templates: int = 0
    templates_created: int = 0
    freeze_windows: int = 0
    maintenance_windows: int = 0
    approvals: int = 0
    incidents: int = 0
    overrides: int = 0
    events: int = 0
    seconds: float = 0.0


@dataclass
class Step:
    at: dt.datetime
    op: str
    kwargs: dict


@dataclass
class Script:
    """One change as a list of timed steps, and what the execution made of it."""

    index: int
    kind: str
    owner: User
    title: str
    fate: str
    steps: list[Step] = field(default_factory=list)
    change: Change | None = None
    incident: Ticket | None = None

    def emit(self, at: dt.datetime, op: str, **kwargs) -> dt.datetime:
        self.steps.append(Step(at, op, kwargs))
        return at


@dataclass
class Booking:
    start: dt.datetime
    end: dt.datetime
    impact: frozenset[int]


class Calendar:
    """The windows planned so far and the freeze windows, checked as the services check conflicts
    (changes/selectors.py, conflicts_for): overlapping in time and meeting in their impact sets."""

    def __init__(self) -> None:
        self.bookings: list[Booking] = []
        self.freezes: list[tuple[dt.datetime, dt.datetime, frozenset[int] | None]] = []

    def free(self, start: dt.datetime, end: dt.datetime, impact: frozenset[int]) -> bool:
        for booking in self.bookings:
            if booking.start < end and booking.end > start and booking.impact & impact:
                return False
        for f_start, f_end, covered in self.freezes:
            if f_start < end and f_end > start and (covered is None or covered & impact):
                return False
        return True

    def book(self, start: dt.datetime, end: dt.datetime, impact: frozenset[int]) -> None:
        self.bookings.append(Booking(start, end, impact))


def already_seeded() -> bool:
    return Ticket.objects.filter(external_id__startswith=EXTERNAL_PREFIX).exists()


def ensure_templates() -> tuple[dict[str, StandardChangeTemplate], int]:
    """Create the standard change templates that are missing (by code); existing ones are left as edited."""
    existing = {
        t.code: t for t in StandardChangeTemplate.objects.filter(code__in=[t["code"] for t in TEMPLATES])
    }
    groups = {g.code: g for g in SupportGroup.objects.all()}
    services = {s.code: s for s in Service.objects.all()}
    created = 0
    for spec in TEMPLATES:
        if spec["code"] in existing or spec["group"] not in groups:
            continue
        template = StandardChangeTemplate(
            code=spec["code"],
            name_nb=spec["name_nb"],
            name_en=spec["name_en"],
            description=spec["description"],
            implementer_group=groups[spec["group"]],
            implementation_plan=spec["implementation_plan"],
            backout_plan=spec["backout_plan"],
            test_plan=spec["test_plan"],
            causes_downtime=spec["causes_downtime"],
            duration_minutes=spec["duration_minutes"],
            tasks="\n".join(spec["tasks"]),
        )
        template.full_clean()
        template.save()
        template.services.set([services[code] for code in spec["services"] if code in services])
        existing[spec["code"]] = template
        created += 1
    return existing, created


def generate(*, now: dt.datetime | None = None, count: int = DEFAULT_COUNT) -> Result:
    """Generate the change history in one transaction, or do nothing if it is already there."""
    started = time.monotonic()
    # Timeline bodies are stored text: write them in the site's own language.
    with translation.override(settings.LANGUAGE_CODE), transaction.atomic():
        if not User.objects.filter(username=CHANGE_MANAGER).exists():
            raise DemoDataMissing(
                "Run `manage.py seed_demo` first: the changes need its people and services."
            )
        templates, created = ensure_templates()
        if already_seeded():
            return Result(skipped=True, templates_created=created, seconds=time.monotonic() - started)
        generator = Generator(now=now or timezone.now(), count=count, templates=templates)
        generator.run()
        result = generator.summary()
        result.templates_created = created
    result.seconds = time.monotonic() - started
    return result


class Generator:
    """Plans the change scripts for one reference time and executes them through the change services."""

    def __init__(self, *, now: dt.datetime, count: int, templates: dict | None = None):
        if timezone.is_naive(now):
            now = timezone.make_aware(now)
        self.now = now.astimezone(dt.UTC)
        self.count = count
        self.rng = random.Random(RANDOM_SEED)
        self.zone = timezone.get_default_timezone()
        self.today = self.day_of(self.now)
        self.history_start = self.today - dt.timedelta(days=HISTORY_DAYS)
        self.horizon = self.today + dt.timedelta(days=HORIZON_DAYS)
        self.scripts: list[Script] = []
        self.calendar = Calendar()
        self.spec_days: dict[str, list[dt.date]] = {}  # when each normal change's window falls
        self.freeze_specs: list[tuple[tuple, dt.datetime, dt.datetime]] = []
        self.created = 0
        self.incidents = 0
        self._load(templates)

    # --- Master data ------------------------------------------------------------------------------------

    def _load(self, templates: dict | None) -> None:
        users = {u.username: u for u in User.objects.filter(is_active=True).select_related("org_unit")}
        groups = {g.code: g for g in SupportGroup.objects.order_by("pk")}
        if CHANGE_MANAGER not in users or DEMO_AGENT not in users or "servicedesk" not in groups:
            raise DemoDataMissing(
                "Run `manage.py seed_demo` first: the changes need its people and services."
            )
        self.users = users
        self.manager = users[CHANGE_MANAGER]
        self.cab = [users[name] for name in CAB_MEMBERS if name in users]
        self.groups = groups
        self.members: dict[str, list[User]] = {}
        for code, group in groups.items():
            names = (
                group.members.filter(is_active=True).order_by("username").values_list("username", flat=True)
            )
            # One instance per person, so the permission and role caches on it are filled once.
            self.members[code] = [users[name] for name in names if name in users]
        self.services = {s.code: s for s in Service.objects.select_related("support_group")}
        self.templates = templates if templates is not None else ensure_templates()[0]
        self.by_unit: dict[str, list[User]] = {}
        agents = {u.pk for people in self.members.values() for u in people}
        for user in sorted(users.values(), key=lambda u: u.username):
            if user.org_unit_id and user.pk not in agents and not user.username.startswith("demo."):
                self.by_unit.setdefault(user.org_unit.code, []).append(user)
        self._impact: dict[tuple[str, ...], frozenset[int]] = {}
        # Changes already on the calendar (made in the product, not by this seed) must not collide either.
        for change in Change.objects.filter(
            state__in=ON_CALENDAR - {State.CLOSED}, planned_start__isnull=False, planned_end__isnull=False
        ).prefetch_related("services"):
            impact = frozenset(impact_set(s.pk for s in change.services.all()))
            self.calendar.book(change.planned_start, change.planned_end, impact)

    def impact(self, codes: Iterable[str]) -> frozenset[int]:
        key = tuple(sorted(codes))
        if key not in self._impact:
            self._impact[key] = frozenset(impact_set(self.services[code].pk for code in key))
        return self._impact[key]

    def pick_owner(self, group_code: str) -> User:
        people = self.members.get(group_code) or self.members["servicedesk"]
        weights = [3.0 if u.username in {DEMO_AGENT, "demo.gruppeleder"} else 1.0 for u in people]
        return self.rng.choices(people, weights)[0]

    def pick_employee(self, unit: str) -> User:
        pool = self.by_unit.get(unit) or [u for people in self.by_unit.values() for u in people]
        return self.rng.choice(pool)

    def new_script(self, kind: str, owner: User, title: str, fate: str) -> Script:
        script = Script(index=len(self.scripts), kind=kind, owner=owner, title=title, fate=fate)
        self.scripts.append(script)
        return script

    # --- Calendar -------------------------------------------------------------------------------------

    def local(self, day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=self.zone).astimezone(dt.UTC)

    def day_of(self, moment: dt.datetime) -> dt.date:
        return timezone.localtime(moment, self.zone).date()

    def office(self, day: dt.date, low: float = 8.25, high: float = 15.5) -> dt.datetime:
        """A random moment in office hours on that day."""
        minutes = self.rng.randint(int(low * 60), int(high * 60))
        return self.local(day, minutes // 60, minutes % 60) + dt.timedelta(seconds=self.rng.randint(0, 59))

    def work(self, moment: dt.datetime, low: float, high: float) -> dt.datetime:
        """Some business hours (Mon–Fri 08–16, Norwegian holidays off) after the moment."""
        seconds = int(self.rng.uniform(low, high) * 3600)
        return add_business_seconds(moment, max(seconds, 60)) + dt.timedelta(seconds=self.rng.randint(0, 59))

    def minutes(self, moment: dt.datetime, low: float, high: float) -> dt.datetime:
        return moment + dt.timedelta(minutes=self.rng.uniform(low, high))

    def raised_before(self, start: dt.datetime, low: int, high: int) -> dt.datetime:
        """Office hours on a business day low–high days before the start, and before it."""
        day = self.day_of(start) - dt.timedelta(days=self.rng.randint(low, high))
        while not is_business_day(day):
            day -= dt.timedelta(days=1)
        moment = self.office(day)
        return moment if moment < start - dt.timedelta(minutes=15) else self.minutes(start, -90, -20)

    def business_days_back(self, back: int) -> dt.date:
        """The business day `back` business days before the reference date."""
        day = self.today
        while back > 0:
            day -= dt.timedelta(days=1)
            if is_business_day(day):
                back -= 1
        return day

    def recent(self, back: int, low: float = 8.25, high: float = 15.5) -> dt.datetime:
        """Office hours on a business day before today (back ≥ 1), so always in the past."""
        return self.office(self.business_days_back(back), low, high)

    def cab_meeting(self, after: dt.datetime) -> dt.datetime:
        """The weekly CAB meeting (Thursdays at 10, the next business day if Thursday is a holiday) at least
        a day after the moment."""
        day = self.day_of(after + dt.timedelta(hours=20))
        while True:
            while day.weekday() != 3:
                day += dt.timedelta(days=1)
            meeting_day = day
            while not is_business_day(meeting_day):
                meeting_day += dt.timedelta(days=1)
            meeting = self.local(meeting_day, 10)
            if meeting >= after + dt.timedelta(hours=20):
                return meeting
            day += dt.timedelta(days=1)

    def find_window(
        self,
        target: dt.date,
        low: dt.date,
        high: dt.date,
        slot: str,
        duration: dt.timedelta,
        impact: frozenset[int],
        hours: Iterable[int] | None = None,
    ) -> tuple[dt.datetime, dt.datetime] | None:
        """The free window nearest the target day within low–high, in the slot's days and hours; booked."""
        weekdays, slot_hours = SLOTS[slot]
        hours = list(hours or slot_hours)
        reach = max((target - low).days, (high - target).days, 0)
        for distance in range(reach + 1):
            for day in (target + dt.timedelta(days=distance), target - dt.timedelta(days=distance)):
                if not low <= day <= high or day.weekday() not in weekdays:
                    continue
                if slot != "weekend" and not is_business_day(day):
                    continue
                for hour in self.rng.sample(hours, len(hours)):
                    start = self.local(day, hour, self.rng.choice((0, 0, 30)))
                    end = start + duration
                    if self.calendar.free(start, end, impact):
                        self.calendar.book(start, end, impact)
                        return start, end
                if distance == 0:
                    break
        return None

    def seasonal_days(self, low: dt.date, high: dt.date, n: int) -> list[dt.date]:
        days = [low + dt.timedelta(days=k) for k in range((high - low).days + 1)]
        if not days:
            return []
        weights = [SEASON[d.month] for d in days]
        return sorted(self.rng.choices(days, weights, k=n))

    # --- Planning -------------------------------------------------------------------------------------

    def run(self) -> None:
        """Plan, write the freeze windows, execute; call inside a transaction (``generate`` does)."""
        connection = transaction.get_connection()
        queued_before = len(connection.run_on_commit)
        self.plan()
        self.write_freezes()
        self.execute()
        self._drop_notifications(connection, queued_before)

    def plan(self) -> None:
        self.plan_freezes()
        self.plan_showcase()
        self.plan_patching()
        self.plan_failures()
        self.plan_emergencies()
        self.plan_pool()
        self.cut()

    def cut(self) -> None:
        """Nothing may happen after the reference time: drop any step there (the rest is the future)."""
        limit = self.now - dt.timedelta(seconds=30)
        for script in self.scripts:
            script.steps = [step for step in script.steps if step.at <= limit]

    def plan_freezes(self) -> None:
        """The exam weeks that ended last (in the history) and the year end that comes next (or now)."""
        for spec, pick_future in ((EXAM_FREEZE, False), (YEAR_END_FREEZE, True)):
            _nb, _en, (m1, d1), (m2, d2), codes, _reason = spec
            occurrences = []
            for year in range(self.today.year - 2, self.today.year + 2):
                start = self.local(dt.date(year, m1, d1), 0)
                end_year = year + 1 if (m2, d2) < (m1, d1) else year
                end = self.local(dt.date(end_year, m2, d2), 0)
                occurrences.append((start, end))
            if pick_future:
                start, end = next((s, e) for s, e in occurrences if e > self.now)
            else:
                start, end = [(s, e) for s, e in occurrences if e <= self.now][-1]
            covered = self.impact_of_freeze(codes)
            self.calendar.freezes.append((start, end, covered))
            self.freeze_specs.append((spec, start, end))
        for freeze in FreezeWindow.objects.prefetch_related("services"):
            covered = frozenset(s.pk for s in freeze.services.all()) or None
            self.calendar.freezes.append((freeze.start, freeze.end, covered))

    def impact_of_freeze(self, codes: Iterable[str]) -> frozenset[int] | None:
        pks = frozenset(self.services[code].pk for code in codes if code in self.services)
        return pks or None

    def write_freezes(self) -> None:
        for (name_nb, name_en, _s, _e, codes, reason), start, end in self.freeze_specs:
            freeze = FreezeWindow(name_nb=name_nb, name_en=name_en, start=start, end=end, reason=reason)
            freeze.full_clean()
            freeze.save()
            freeze.services.set([self.services[code] for code in codes if code in self.services])

    # Normal changes -------------------------------------------------------------------------------------

    def spec_values(self) -> dict:
        return {
            "bygg": self.rng.choice(BUILDINGS),
            "skole": self.rng.choice(SCHOOLS),
            "versjon": f"{self.rng.randint(2024, 2026)}.{self.rng.randint(1, 4)}",
        }

    def answers_for(self, level: str) -> dict[str, str]:
        return dict(self.rng.choice(_answers_by_level()[level]))

    def plan_normal(
        self,
        spec: Spec,
        window: tuple[dt.datetime, dt.datetime] | None,
        *,
        fate: str,
        created: dt.datetime | None = None,
        owner: User | None = None,
        stop: str | None = None,
        info: bool = False,
        override: str = "",
        values: dict | None = None,
    ) -> Script | None:
        """Plan a normal change from its creation to its fate (an outcome, or rejected or cancelled).

        stop: the state to stop in (the changes of the present). The times run forward from the creation
        with business-hour gaps; when the approval would come too late for the window (or after the
        reference time), the creation moves earlier until it fits. None if there is no window for it.
        """
        if window is None:
            return None
        self.spec_days.setdefault(spec.title, []).append(self.day_of(window[0]))
        values = values or self.spec_values()
        owner = owner or self.pick_owner(spec.group)
        title = fill(spec.title, values)
        script = self.new_script(ChangeKind.NORMAL, owner, title, fate)
        answers = self.answers_for(spec.risk)
        cab = spec.risk != "low"
        create = {
            "kind": ChangeKind.NORMAL,
            "title": title,
            "description": fill(spec.description, values),
            "reason": spec.reason,
            "services": [self.services[code] for code in spec.services],
            "support_group": self.groups.get(spec.group),
            "impact": {"many": 1, "unit": 2}.get(answers["users"], 3),
            "planned_start": window[0],
            "planned_end": window[1],
            "implementation_plan": fill(spec.plan, values),
            "backout_plan": spec.backout,
            "test_plan": spec.test,
            "risk_answers": answers,
            "causes_downtime": spec.downtime,
            "tasks": spec.tasks,
        }
        gaps = [self.rng.uniform(a, b) for a, b in ((0.2, 6), (1, 14), (0.5, 10), (1, 12), (2, 16), (0.5, 8))]
        created = created or self.office(self.day_of(window[0]) - dt.timedelta(days=self.rng.randint(12, 28)))
        early = fate in {"rejected_assessment", "cancel_draft", "cancel_submitted"}
        deadline = min(window[0] - dt.timedelta(hours=20), self.now - dt.timedelta(minutes=30))
        times = self._normal_times(created, gaps, cab=cab, info=info)
        # The changes of the present that stop before approval get their times set by the caller.
        while stop not in PLANNING and times["assessment" if early else "approved"] >= deadline:
            created -= times["assessment" if early else "approved"] - deadline + dt.timedelta(days=1)
            created = self.office(self.day_of(created))
            times = self._normal_times(created, gaps, cab=cab, info=info)
        script.emit(created, "create", **create)
        if fate == "cancel_draft":
            reason = self.rng.choice(CANCELLATIONS)
            script.emit(self.work(created, 2, 30), "move", actor=owner, to=State.CANCELLED, reason=reason)
            return script
        t = script.emit(times["submitted"], "move", actor=owner, to=State.SUBMITTED)
        if stop == State.SUBMITTED:
            return script
        if fate == "cancel_submitted":
            reason = self.rng.choice(CANCELLATIONS)
            script.emit(self.work(t, 1, 20), "move", actor=owner, to=State.CANCELLED, reason=reason)
            return script
        t = script.emit(times["assessment"], "move", actor=self.manager, to=State.ASSESSMENT)
        # The change's ticket is in progress from here; assigning it earlier would leave a draft's or a
        # submitted change's ticket "assigned" instead of "new".
        script.emit(self.minutes(t, 2, 20), "assign", actor=owner)
        if stop == State.ASSESSMENT:
            return script
        if fate == "rejected_assessment":
            reason = self.rng.choice(REJECTIONS)
            script.emit(self.work(t, 1, 8), "move", actor=self.manager, to=State.REJECTED, reason=reason)
            return script
        script.emit(
            times["awaiting"],
            "move",
            actor=self.manager,
            to=State.AWAITING_APPROVAL,
            override_reason=override,
        )
        if stop == State.AWAITING_APPROVAL:
            return script
        if info:
            question, addition = self.rng.choice(INFO_REQUESTS)
            asker = self.rng.choice(self.cab) if cab else self.manager
            script.emit(times["info"], "vote", actor=asker, decision=Decision.INFO, comment=question)
            plan = create["implementation_plan"] + "\n" + addition
            script.emit(times["updated"], "update", actor=owner, data={"implementation_plan": plan})
            script.emit(times["resent"], "move", actor=self.manager, to=State.AWAITING_APPROVAL)
        self.plan_votes(script, times["approved"], cab=cab, fate=fate)
        if fate == "rejected_vote":
            return script
        return self.plan_implementation(
            script, window, fate=fate, stop=stop, approved=times["approved"], downtime=spec.downtime
        )

    def _normal_times(self, created: dt.datetime, gaps: list[float], *, cab: bool, info: bool) -> dict:
        times = {"created": created}
        times["submitted"] = add_business_seconds(created, int(gaps[0] * 3600))
        times["assessment"] = add_business_seconds(times["submitted"], int(gaps[1] * 3600))
        times["awaiting"] = add_business_seconds(times["assessment"], int(gaps[2] * 3600))
        before_votes = times["awaiting"]
        if info:
            times["info"] = (
                self.cab_meeting(times["awaiting"]) + dt.timedelta(minutes=7)
                if cab
                else add_business_seconds(times["awaiting"], int(gaps[3] * 3600))
            )
            times["updated"] = add_business_seconds(times["info"], int(gaps[4] * 3600))
            times["resent"] = add_business_seconds(times["updated"], int(gaps[5] * 3600))
            before_votes = times["resent"]
        if cab:
            times["approved"] = self.cab_meeting(before_votes) + dt.timedelta(minutes=25)
        else:
            times["approved"] = add_business_seconds(before_votes, int(gaps[3] * 3600))
        return times

    def plan_votes(self, script: Script, decided: dt.datetime, *, cab: bool, fate: str) -> None:
        """The votes of the (last) round: at the CAB meeting, or the change manager alone."""
        if not cab:
            if fate == "rejected_vote":
                script.emit(
                    decided,
                    "vote",
                    actor=self.manager,
                    decision=Decision.REJECTED,
                    comment=self.rng.choice(REJECTIONS),
                )
            else:
                script.emit(
                    decided,
                    "vote",
                    actor=self.manager,
                    decision=Decision.APPROVED,
                    comment=self.rng.choice(APPROVE_COMMENTS),
                )
            return
        meeting = decided - dt.timedelta(minutes=25)
        members = list(self.cab)
        self.rng.shuffle(members)
        if fate == "rejected_vote":
            first, second = members[0], members[-1]
            script.emit(
                meeting + dt.timedelta(minutes=5), "vote", actor=first, decision=Decision.APPROVED, comment=""
            )
            script.emit(
                meeting + dt.timedelta(minutes=12),
                "vote",
                actor=second,
                decision=Decision.REJECTED,
                comment=self.rng.choice(REJECTIONS),
            )
            return
        for position, member in enumerate(members):
            script.emit(
                meeting + dt.timedelta(minutes=5 + 6 * position),
                "vote",
                actor=member,
                decision=Decision.APPROVED,
                comment=self.rng.choice(CAB_APPROVE_COMMENTS),
            )
        script.emit(
            decided,
            "vote",
            actor=self.manager,
            decision=Decision.APPROVED,
            comment=self.rng.choice(APPROVE_COMMENTS),
        )

    def plan_implementation(
        self,
        script: Script,
        window: tuple[dt.datetime, dt.datetime],
        *,
        fate: str,
        stop: str | None,
        approved: dt.datetime,
        downtime: bool,
        closer: User | None = None,
        tasks: int | None = None,
    ) -> Script:
        """From scheduled: a notice, the implementation with its tasks, the review and the close."""
        owner = script.owner
        start, end = window
        if downtime and fate != "cancel_scheduled" and self.rng.random() < 0.6:
            day = self.day_of(start - dt.timedelta(days=self.rng.randint(1, 3)))
            while not is_business_day(day):
                day -= dt.timedelta(days=1)
            notice = self.office(day)
            if approved < notice < start:
                script.emit(notice, "note", actor=owner, body=self.rng.choice(NOTICES))
        if stop == State.SCHEDULED:
            return script
        if fate == "cancel_scheduled":
            when = max(self.minutes(approved, 60, 600), start - dt.timedelta(days=self.rng.randint(1, 4)))
            script.emit(
                min(when, start - dt.timedelta(hours=2)),
                "move",
                actor=owner,
                to=State.CANCELLED,
                reason=self.rng.choice(CANCELLATIONS),
            )
            return script
        actual_start = self.minutes(start, 0, 8)
        script.emit(actual_start, "move", actor=owner, to=State.IMPLEMENTING, actual_start=actual_start)
        planned = (end - start).total_seconds() / 60
        share = {"successful": (0.5, 0.95), "with_problems": (0.95, 1.3)}.get(fate, (0.8, 1.1))
        actual_end = actual_start + dt.timedelta(minutes=planned * self.rng.uniform(*share))
        count = script.steps[0].kwargs.get("tasks") if script.steps[0].op == "create" else None
        n_tasks = tasks if tasks is not None else len(count or ())
        for position in range(n_tasks):
            at = actual_start + (actual_end - actual_start) * (position + 1) / (n_tasks + 1)
            script.emit(at, "task", actor=owner, position=position)
        if stop == State.IMPLEMENTING:
            return script
        review_at = self.minutes(actual_end, 1, 6)
        script.emit(review_at, "move", actor=owner, to=State.REVIEW, actual_end=actual_end)
        if stop == State.REVIEW:
            return script
        closer = closer or self.manager
        if script.kind == ChangeKind.STANDARD:
            closed = self.work(review_at, 0.2, 3)
        else:
            closed = self.office(self.day_of(self.work(review_at, 6, 30)))
            closed = max(closed, self.minutes(review_at, 30, 90))
        outcome = {
            "with_problems": Outcome.WITH_PROBLEMS,
            "failed": Outcome.FAILED,
            "backed_out": Outcome.BACKED_OUT,
        }.get(fate, Outcome.SUCCESSFUL)
        note = ""
        if outcome == Outcome.WITH_PROBLEMS:
            note = self.rng.choice(
                STANDARD_PROBLEMS if script.kind == ChangeKind.STANDARD else PROBLEM_REVIEWS
            )
        elif script.kind == ChangeKind.NORMAL and self.rng.random() < 0.35:
            note = self.rng.choice(SUCCESS_REVIEWS)
        script.emit(closed, "move", actor=closer, to=State.CLOSED, outcome=outcome, review_note=note)
        return script

    # The present --------------------------------------------------------------------------------------

    def window_near(self, spec: Spec, low: int, high: int) -> tuple[dt.datetime, dt.datetime] | None:
        """A free window for the spec between low and high days from today; later if those days are
        taken (by a freeze window, say)."""
        target = self.today + dt.timedelta(days=self.rng.randint(low, high))
        duration, impact = dt.timedelta(hours=spec.hours), self.impact(spec.services)
        for extra in (0, 21, 42):
            lo, hi = self.today + dt.timedelta(days=low), self.today + dt.timedelta(days=high + extra)
            window = self.find_window(target, lo, hi, spec.slot, duration, impact)
            if window is not None:
                return window
        return None

    def plan_showcase(self) -> None:
        """The changes of the present: implementing, in review, on the CAB agenda, drafts and so on."""
        by_title = {spec.title: spec for spec in NORMAL}
        # One change being implemented right now, with half its tasks done.
        spec = by_title["Oppgradere sentralbordløsningen"]
        start = (self.now - dt.timedelta(minutes=75)).replace(second=0, microsecond=0)
        start -= dt.timedelta(minutes=start.minute % 15)
        window = (start, start + dt.timedelta(hours=spec.hours))
        override = self._book_fixed(window, spec.services)
        script = self.plan_normal(
            spec,
            window,
            fate="successful",
            stop=State.IMPLEMENTING,
            created=self.recent(18),
            override=override,
        )
        tasks = [s for s in script.steps if s.op == "task"]
        script.steps = [s for s in script.steps if s.op != "task"] + tasks[: len(tasks) // 2]
        # One in review: implemented on a recent evening, waiting for the change manager to close it.
        spec = by_title["Installere kvartalsoppdatering av økonomisystemet"]
        start = self.local(self.business_days_back(1), 18)
        if start + dt.timedelta(hours=spec.hours + 1) > self.now:
            start = self.local(self.business_days_back(2), 18)
        window = (start, start + dt.timedelta(hours=spec.hours))
        override = self._book_fixed(window, spec.services)
        self.plan_normal(
            spec, window, fate="successful", stop=State.REVIEW, created=self.recent(20), override=override
        )
        self.plan_cab_agenda(by_title)
        # Drafts, one submitted and two in assessment.
        self.plan_draft(QUEUE_MESSAGE, None, owner=self.users[DEMO_AGENT], created=self.recent(1, 12, 15))
        self.plan_draft(
            RETIRE_FILESERVER, self.window_near(RETIRE_FILESERVER, 30, 40), created=self.recent(3)
        )
        script = self.plan_normal(
            MFA_FOR_ALL, self.window_near(MFA_FOR_ALL, 24, 38), fate="successful", stop=State.SUBMITTED
        )
        self._retime(script, [self.recent(4), self.recent(1)])
        spec = by_title["Bytte trådløse tilgangspunkter på {skole}"]
        script = self.plan_normal(
            spec, self.window_near(spec, 12, 32), fate="successful", stop=State.ASSESSMENT
        )
        self._retime(script, [self.recent(7), self.recent(6), self.recent(3)])
        spec = by_title["Innføre oppbevaringsregler for Teams-chat"]
        script = self.plan_normal(
            spec, self.window_near(spec, 10, 30), fate="successful", stop=State.ASSESSMENT
        )
        self._retime(script, [self.recent(4), self.recent(3), self.recent(1)])

    def _retime(self, script: Script | None, times: list[dt.datetime]) -> None:
        """Set the first moves of a change of the present to the given times (all past), in order."""
        if script is None:
            return
        moves = [s for s in script.steps if s.op in {"create", "move"}]
        for step, at in zip(moves, sorted(times), strict=False):
            step.at = at
        for step in script.steps:
            if step.op == "assign":
                step.at = self.minutes(moves[2].at, 2, 15)
        script.steps.sort(key=lambda s: s.at)

    def _book_fixed(self, window: tuple[dt.datetime, dt.datetime], codes: Iterable[str]) -> str:
        """Book a window that cannot move; return an override reason if it collides (in a freeze, say)."""
        impact = self.impact(codes)
        free = self.calendar.free(*window, impact)
        self.calendar.book(*window, impact)
        return "" if free else FIXED_OVERRIDE

    def plan_draft(self, spec: Spec, window, *, created: dt.datetime, owner: User | None = None) -> Script:
        values = self.spec_values()
        owner = owner or self.pick_owner(spec.group)
        script = self.new_script(ChangeKind.NORMAL, owner, fill(spec.title, values), "draft")
        # No assignee: the ticket of a draft stays "new".
        script.emit(
            created,
            "create",
            kind=ChangeKind.NORMAL,
            title=script.title,
            description=fill(spec.description, values),
            reason=spec.reason,
            services=[self.services[code] for code in spec.services],
            support_group=self.groups.get(spec.group),
            planned_start=window[0] if window else None,
            planned_end=window[1] if window else None,
            implementation_plan=fill(spec.plan, values),
            backout_plan=spec.backout,
            risk_answers=self.answers_for(spec.risk),
            causes_downtime=spec.downtime,
            tasks=spec.tasks,
        )
        return script

    def plan_cab_agenda(self, by_title: dict[str, Spec]) -> None:
        """Changes awaiting the CAB, planned for the next two to four weeks: the change manager's vote is
        pending on all of them, and some members have voted."""
        gruppeleder, tjenesteeier = (self.users[name] for name in CAB_MEMBERS)
        recent = self.recent
        # Both members have approved; the change manager decides.
        script = self.plan_normal(
            LAUNCH_PORTAL,
            self.window_near(LAUNCH_PORTAL, 12, 22),
            fate="successful",
            stop=State.AWAITING_APPROVAL,
        )
        if script is not None:
            self._retime(script, [recent(16), recent(15), recent(12), recent(6)])
            comment = "Nettverk og brannmur er klare."
            script.emit(recent(5), "vote", actor=gruppeleder, decision=Decision.APPROVED, comment=comment)
            comment = "Kommunikasjon har pressemeldingen klar. Godkjent."
            script.emit(recent(2), "vote", actor=tjenesteeier, decision=Decision.APPROVED, comment=comment)
        # One member has approved.
        spec = by_title["Bytte brannmur mot internett"]
        script = self.plan_normal(
            spec, self.window_near(spec, 9, 20), fate="successful", stop=State.AWAITING_APPROVAL
        )
        if script is not None:
            self._retime(script, [recent(14), recent(13), recent(9), recent(3)])
            comment = "Godkjent. Jeg er selv med i vinduet."
            script.emit(recent(2), "vote", actor=gruppeleder, decision=Decision.APPROVED, comment=comment)
        # Sent to the CAB two days ago; nobody has voted yet.
        spec = by_title["Oppgradere læringsplattformen til ny versjon"]
        platform = self.window_near(spec, 8, 24)
        script = self.plan_normal(spec, platform, fate="successful", stop=State.AWAITING_APPROVAL)
        self._retime(script, [recent(10), recent(9), recent(5), recent(2, 8.25, 11)])
        # The school firewall in the same window, on purpose: the change manager overrides the conflict.
        if platform is not None:
            self.calendar.book(*platform, self.impact(SCHOOL_FIREWALL.services))
            script = self.plan_normal(
                SCHOOL_FIREWALL,
                platform,
                fate="successful",
                stop=State.AWAITING_APPROVAL,
                override=PARALLEL_OVERRIDE,
            )
            self._retime(script, [recent(8), recent(7), recent(4), recent(1, 8.25, 11)])
            comment = "Fornuftig å ta dem samtidig."
            voted = self.minutes(self.now, -240, -60)
            script.emit(voted, "vote", actor=tjenesteeier, decision=Decision.APPROVED, comment=comment)
        # Back from a request for information, in its second round.
        script = self.plan_normal(
            MIGRATE_SHARES,
            self.window_near(MIGRATE_SHARES, 9, 26),
            fate="successful",
            stop=State.AWAITING_APPROVAL,
        )
        if script is not None:
            self._retime(script, [recent(14), recent(13), recent(11), recent(9)])
            question = (
                "Hvordan håndteres tilgangene til byggesaksmappene som i dag styres av AD-grupper? "
                "Beskriv det i planen."
            )
            script.emit(recent(8), "vote", actor=tjenesteeier, decision=Decision.INFO, comment=question)
            plan = MIGRATE_SHARES.plan + (
                "\n5. AD-gruppene for byggesak og arealplan får de samme tilgangene i SharePoint; eierne "
                "kontrollerer tilgangene før åpning."
            )
            script.emit(recent(7), "update", actor=script.owner, data={"implementation_plan": plan})
            script.emit(recent(6), "move", actor=self.manager, to=State.AWAITING_APPROVAL)
            script.emit(recent(5), "vote", actor=gruppeleder, decision=Decision.APPROVED, comment="")
        # A low-risk change waiting for the change manager alone.
        spec = by_title["Ny skriverkø for {bygg}"]
        script = self.plan_normal(
            spec, self.window_near(spec, 4, 10), fate="successful", stop=State.AWAITING_APPROVAL
        )
        self._retime(script, [recent(3, 8.25, 10), recent(3, 13, 15.5), recent(2), recent(1)])

    # Standard changes ----------------------------------------------------------------------------------

    def plan_standard(
        self,
        template_code: str,
        window: tuple[dt.datetime, dt.datetime],
        *,
        title: str = "",
        created: dt.datetime | None = None,
        owner: User | None = None,
        fate: str = "successful",
    ) -> Script | None:
        template = self.templates.get(template_code)
        if template is None:
            return None
        owner = owner or self.pick_owner(template.implementer_group.code)
        start, end = window
        script = self.new_script(ChangeKind.STANDARD, owner, title or template.name_nb, fate)
        created = created or self.raised_before(start, 0, 3)
        created = min(
            created, self.now - dt.timedelta(hours=self.rng.uniform(2, 60)), start - dt.timedelta(minutes=10)
        )
        script.emit(created, "create", template=template, planned_start=start, planned_end=end, title=title)
        scheduled = script.emit(self.minutes(created, 1, 8), "move", actor=owner, to=State.SCHEDULED)
        script.emit(self.minutes(scheduled, 0.2, 2), "assign", actor=owner)
        if start > self.now:
            return script
        if fate == "cancel_scheduled":
            script.emit(
                self.minutes(scheduled, 10, max(11, (start - scheduled).total_seconds() / 60 - 5)),
                "move",
                actor=owner,
                to=State.CANCELLED,
                reason=self.rng.choice(STANDARD_CANCELLATIONS),
            )
            return script
        return self.plan_implementation(
            script,
            window,
            fate=fate,
            stop=None,
            approved=scheduled,
            downtime=template.causes_downtime,
            closer=owner,
            tasks=len(template.task_list),
        )

    def plan_patching(self) -> None:
        """Monthly patching of clients (Thursday after Patch Tuesday) and servers (Tuesday a week after),
        every month of the history and the horizon; a day or two earlier or later if the day is taken."""
        past, future = self.bounds(ChangeKind.STANDARD)
        owners = {
            "patch-windows-klienter": self.pick_owner("klient"),
            "patch-servere": self.pick_owner("infrastruktur"),
        }
        # (code, day offset from Patch Tuesday, start hour); one month of each goes less well.
        plans = (("patch-windows-klienter", 2, 9, 8), ("patch-servere", 7, 20, 4))
        month = self.history_start.replace(day=1)
        index = 0
        while month <= self.horizon:
            patch_tuesday = month + dt.timedelta(days=(1 - month.weekday()) % 7 + 7)
            label = f"{MONTHS[month.month - 1]} {month.year}"
            for code, offset, hour, troubled in plans:
                template = self.templates.get(code)
                target = patch_tuesday + dt.timedelta(days=offset)
                if template is None or not self.history_start <= target <= self.horizon:
                    continue
                lo, hi = self._clip(
                    target - dt.timedelta(days=5), target + dt.timedelta(days=5), past, future
                )
                if lo is None:
                    continue
                slot = "evening" if template.causes_downtime else "day"
                duration = dt.timedelta(minutes=template.duration_minutes)
                impact = self.impact(s.code for s in template.services.all())
                window = self.find_window(target, lo, hi, slot, duration, impact, hours=(hour,))
                if window is None:
                    continue
                lead = 6 if template.causes_downtime else 1
                self.plan_standard(
                    code,
                    window,
                    title=f"{template.name_nb} – {label}",
                    created=self.office(self.day_of(window[0]) - dt.timedelta(days=lead)),
                    owner=owners[code],
                    fate="with_problems" if index == troubled else "successful",
                )
            index += 1
            month = (month + dt.timedelta(days=32)).replace(day=1)

    def bounds(self, kind: str) -> tuple[tuple[dt.date, dt.date], tuple[dt.date, dt.date]]:
        """Where windows of this kind may lie: in the past early enough to be closed by now, or in the
        future late enough to be approved by now."""
        margin = {ChangeKind.STANDARD: 4, ChangeKind.EMERGENCY: 6}.get(kind, 9)
        past = (self.history_start, self.today - dt.timedelta(days=margin))
        future = (self.today + dt.timedelta(days=1 if kind == ChangeKind.STANDARD else 2), self.horizon)
        return past, future

    @staticmethod
    def _clip(lo: dt.date, hi: dt.date, past: tuple, future: tuple) -> tuple[dt.date | None, dt.date | None]:
        """Clip lo–hi to whichever of the past or future ranges it overlaps most."""
        best = (None, None)
        best_days = -1
        for a, b in (past, future):
            x, y = max(lo, a), min(hi, b)
            if x <= y and (y - x).days > best_days:
                best, best_days = (x, y), (y - x).days
        return best

    # Failures and emergencies -------------------------------------------------------------------------

    def plan_failures(self) -> None:
        """Normal changes that went wrong, each with the incident it caused, spread over the year."""
        (low, high), _future = self.bounds(ChangeKind.NORMAL)
        span = (high - low).days
        for number, failure in enumerate(FAILURES):
            spec = failure["spec"]
            target = low + dt.timedelta(days=int(span * (0.15 + 0.22 * number)) + self.rng.randint(-10, 10))
            target = min(max(target, low + dt.timedelta(days=20)), high)
            window = self.find_window(
                target,
                low + dt.timedelta(days=20),
                high,
                spec.slot,
                dt.timedelta(hours=spec.hours),
                self.impact(spec.services),
            )
            if window is None:
                continue
            fate = "failed" if failure["outcome"] == Outcome.FAILED else "backed_out"
            script = self.plan_normal(spec, window, fate=fate)
            self.plan_incident(script, failure, window)

    def plan_incident(self, script: Script, failure: dict, window: tuple[dt.datetime, dt.datetime]) -> None:
        """The incident the failed change caused: reported after the implementation, linked to the change,
        its outage recorded when it is resolved; the change is closed after with its review."""
        review_step = next(s for s in script.steps if s.op == "move" and s.kwargs["to"] == State.REVIEW)
        close_step = next(s for s in script.steps if s.op == "move" and s.kwargs["to"] == State.CLOSED)
        ended = review_step.at
        # Noticed when people start work: the next business morning, or soon after a daytime change.
        if self.day_of(ended) == self.day_of(window[0]) and self.local(self.day_of(ended), 15) > ended:
            reported = self.minutes(ended, 20, 90)
        else:
            day = self.day_of(ended) + dt.timedelta(days=1)
            while not is_business_day(day):
                day += dt.timedelta(days=1)
            reported = self.office(day, 7.75, 8.5)
        service = self.services[failure["spec"].services[0]]
        requester = self.pick_employee(failure["unit"])
        desk = self.rng.choice(self.members["servicedesk"])
        group_code = service.support_group.code if service.support_group_id else failure["spec"].group
        assignee = (
            script.owner if script.owner in self.members.get(group_code, ()) else self.pick_owner(group_code)
        )
        title, description = failure["incident"]
        script.emit(
            reported,
            "incident",
            requester=requester,
            agent=desk,
            title=title,
            description=description,
            service=service,
            category=failure["category"],
        )
        assigned = script.emit(
            self.minutes(reported, 3, 12),
            "incident_assign",
            actor=desk,
            group=self.groups[group_code],
            assignee=assignee,
        )
        started = script.emit(self.minutes(assigned, 5, 20), "incident_start", actor=assignee)
        script.emit(self.minutes(started, 5, 25), "incident_link", actor=assignee)
        resolved = self.minutes(started, 90, 200)
        script.emit(
            resolved,
            "incident_resolve",
            actor=assignee,
            note=failure["resolution"],
            severity=failure["severity"],
            outage_start=self.minutes(reported, -30, -5),
        )
        script.emit(self.work(resolved, 1, 8), "incident_close", actor=requester)
        close_step.at = max(close_step.at, self.office(self.day_of(self.work(resolved, 8, 24))))
        close_step.kwargs["review_note"] = IncidentReview(failure["review"])
        script.steps.sort(key=lambda s: s.at)

    def plan_emergencies(self) -> None:
        """Emergency changes: approved by the change manager within the hour, implemented at once,
        closed after a retrospective review. One falls in the exam freeze and is overridden."""
        (low, high), _future = self.bounds(ChangeKind.EMERGENCY)
        exam = next(((s, e) for spec, s, e in self.freeze_specs if spec is EXAM_FREEZE), None)
        if exam is not None:
            first = max(self.day_of(exam[0]) + dt.timedelta(days=3), low)
            last = min(self.day_of(exam[1]) - dt.timedelta(days=2), high)
            days = [
                first + dt.timedelta(days=k)
                for k in range((last - first).days + 1)
                if is_business_day(first + dt.timedelta(days=k))
            ]
            if days:
                day = self.rng.choice(days)
                created = self.local(day, 12, self.rng.randint(0, 50))
                window = (
                    self.local(day, 15, 30),
                    self.local(day, 15, 30) + dt.timedelta(hours=EXAM_EMERGENCY.hours),
                )
                override = self._book_fixed(window, EXAM_EMERGENCY.services)
                self.plan_emergency(EXAM_EMERGENCY, window, created, override=override or EXAM_OVERRIDE)
        days = self.seasonal_days(low + dt.timedelta(days=5), high, len(EMERGENCY))
        for spec, day in zip(EMERGENCY, days, strict=False):
            impact = self.impact(spec.services)
            for shift in range(30):
                moment = self.local(
                    day + dt.timedelta(days=shift),
                    self.rng.choice((8, 10, 13, 16, 19, 21)),
                    self.rng.randint(0, 59),
                )
                start = moment + dt.timedelta(minutes=self.rng.randint(50, 100))
                start = start.replace(second=0, microsecond=0)
                end = start + dt.timedelta(hours=spec.hours)
                if self.day_of(end) > high:
                    break
                if self.calendar.free(start, end, impact):
                    self.calendar.book(start, end, impact)
                    self.plan_emergency(spec, (start, end), moment)
                    break

    def plan_emergency(self, spec: Spec, window, created: dt.datetime, *, override: str = "") -> Script:
        owner = self.pick_owner(spec.group)
        script = self.new_script(ChangeKind.EMERGENCY, owner, spec.title, "emergency")
        answers = self.answers_for(spec.risk)
        script.emit(
            created,
            "create",
            kind=ChangeKind.EMERGENCY,
            title=spec.title,
            description=spec.description,
            reason=spec.reason,
            services=[self.services[code] for code in spec.services],
            support_group=self.groups.get(spec.group),
            impact={"many": 1, "unit": 2}.get(answers["users"], 3),
            planned_start=window[0],
            planned_end=window[1],
            implementation_plan=spec.plan,
            backout_plan=spec.backout,
            test_plan=spec.test,
            risk_answers=answers,
            causes_downtime=spec.downtime,
            tasks=spec.tasks,
        )
        t = script.emit(self.minutes(created, 4, 12), "move", actor=owner, to=State.SUBMITTED)
        # Only the change manager may override a conflict: then they send it for approval themselves.
        sender = self.manager if override else owner
        t = script.emit(
            self.minutes(t, 3, 10), "move", actor=sender, to=State.AWAITING_APPROVAL, override_reason=override
        )
        latest = (window[0] - t).total_seconds() / 60 - 5
        approved = script.emit(
            self.minutes(t, min(8, latest - 1), min(35, latest)),
            "vote",
            actor=self.manager,
            decision=Decision.APPROVED,
            comment="Godkjent som hasteendring.",
        )
        script.emit(self.minutes(approved, 1, 4), "assign", actor=owner)
        outcome_fate = "with_problems" if self.rng.random() < 0.25 else "successful"
        script.fate = outcome_fate
        self.plan_implementation(
            script, window, fate=outcome_fate, stop=None, approved=approved, downtime=spec.downtime
        )
        close = next(s for s in script.steps if s.op == "move" and s.kwargs["to"] == State.CLOSED)
        close.kwargs["review_note"] = spec.review
        return script

    # The pool ------------------------------------------------------------------------------------------

    def plan_pool(self) -> None:
        """The rest of the year: normal and standard changes with windows spread over the seasons."""
        pool = max(0, self.count - len(self.scripts))
        future_normal = round(pool * 0.08)
        future_standard = round(pool * 0.06)
        past = pool - future_normal - future_standard
        past_standard = round(past * 0.38)
        past_normal = past - past_standard
        (p_low, p_high), (f_low, f_high) = self.bounds(ChangeKind.NORMAL)
        fates = ["rejected_assessment"] * 2 + ["rejected_vote"] * 2 + ["cancel_draft", "cancel_submitted"]
        fates += ["cancel_scheduled"] * 2 + ["with_problems"] * 6
        fates += ["successful"] * max(0, past_normal - len(fates))
        self.rng.shuffle(fates)
        days = self.seasonal_days(p_low + dt.timedelta(days=21), p_high, past_normal)
        for day, fate in zip(days, fates, strict=False):
            self.pool_normal(day, p_low + dt.timedelta(days=14), p_high, fate)
        for day in self.seasonal_days(f_low + dt.timedelta(days=2), f_high, future_normal):
            self.pool_normal(day, f_low, f_high, "successful")
        (s_low, s_high), (sf_low, sf_high) = self.bounds(ChangeKind.STANDARD)
        standard_fates = ["cancel_scheduled"] * 2 + ["with_problems"] * 2
        standard_fates += ["successful"] * max(0, past_standard - len(standard_fates))
        self.rng.shuffle(standard_fates)
        for day, fate in zip(
            self.seasonal_days(s_low + dt.timedelta(days=7), s_high, past_standard),
            standard_fates,
            strict=False,
        ):
            self.pool_standard(day, s_low, s_high, fate)
        for day in self.seasonal_days(sf_low, sf_high, future_standard):
            self.pool_standard(day, sf_low, sf_high, "successful")

    def pool_normal(self, day: dt.date, low: dt.date, high: dt.date, fate: str) -> None:
        # The same change twice within weeks would look like a duplicate: pick one not planned near then.
        apart = dt.timedelta(days=45)
        fresh = [
            s for s in NORMAL if all(abs(day - used) > apart for used in self.spec_days.get(s.title, ()))
        ]
        spec = self.rng.choice(fresh or NORMAL)
        window = self.find_window(
            day, low, high, spec.slot, dt.timedelta(hours=spec.hours), self.impact(spec.services)
        )
        if window is None:
            return
        info = fate in {"successful", "with_problems"} and self.rng.random() < 0.12
        self.plan_normal(spec, window, fate=fate, info=info)

    def pool_standard(self, day: dt.date, low: dt.date, high: dt.date, fate: str) -> None:
        code = self.rng.choices(
            ("distribusjonsliste", "utvide-lagringskvote", "fornye-ssl-sertifikat", "antivirus-signaturer"),
            (5, 3, 1.2, 1.5),
        )[0]
        template = self.templates.get(code)
        if template is None:
            return
        impact = self.impact(s.code for s in template.services.all())
        window = self.find_window(
            day, low, high, "day", dt.timedelta(minutes=template.duration_minutes), impact
        )
        if window is None:
            return
        if code == "distribusjonsliste":
            person = self.rng.choice(self.rng.choice(list(self.by_unit.values())))
            listed = self.rng.choice(DISTRIBUTION_LISTS)
            title, created = f"Legge {person.get_full_name()} til distribusjonslisten «{listed}»", (0, 1)
        elif code == "utvide-lagringskvote":
            title, created = f"Utvide lagringskvoten for {self.rng.choice(QUOTA_AREAS)}", (0, 2)
        elif code == "fornye-ssl-sertifikat":
            title, created = f"Fornye SSL-sertifikat for {self.rng.choice(WEBSITES)}", (3, 7)
        else:
            month = MONTHS[timezone.localtime(window[0], self.zone).month - 1]
            title, created = f"{template.name_nb} – {month}", (0, 2)
        created = self.raised_before(window[0], *created)
        self.plan_standard(code, window, title=title, created=created, fate=fate)

    # --- Execution ------------------------------------------------------------------------------------

    def execute(self) -> None:
        steps = [(step.at, script.index, order, script, step) for script in self.scripts
                 for order, step in enumerate(script.steps)]  # fmt: skip
        steps.sort(key=lambda item: item[:3])
        for _at, _index, _order, script, step in steps:
            getattr(self, f"_op_{step.op}")(script, step.at, **step.kwargs)

    def _op_create(self, script: Script, at: dt.datetime, *, template=None, **kwargs) -> None:
        if template is not None:
            change = change_services.change_from_template(
                actor=script.owner, template=template, now=at, **kwargs
            )
        else:
            change = change_services.change_create(actor=script.owner, now=at, **kwargs)
        self.created += 1
        external_id = f"{EXTERNAL_PREFIX}{self.created:04d}"
        Ticket.objects.filter(pk=change.ticket_id).update(external_id=external_id)
        script.change = change

    def _op_move(
        self, script: Script, at: dt.datetime, *, actor, to, actual_start=None, actual_end=None, **move
    ) -> None:
        note = move.get("review_note")
        if callable(note):
            move["review_note"] = note(script)
        script.change = change_services.change_move(
            change=script.change,
            actor=actor,
            move=ChangeMove(to=to, **move),
            actual_start=actual_start,
            actual_end=actual_end,
            now=at,
        )

    def _op_vote(self, script: Script, at: dt.datetime, *, actor, decision, comment) -> None:
        change_services.approval_decide(
            change=script.change, actor=actor, decision=decision, comment=comment, now=at
        )

    def _op_update(self, script: Script, at: dt.datetime, *, actor, data) -> None:
        script.change = change_services.change_update(change=script.change, actor=actor, data=data, now=at)

    def _op_task(self, script: Script, at: dt.datetime, *, actor, position) -> None:
        task = ChangeTask.objects.filter(change=script.change).order_by("position", "pk")[position]
        change_services.task_complete(task=task, actor=actor, now=at)

    def _op_assign(self, script: Script, at: dt.datetime, *, actor) -> None:
        ticket_services.ticket_update(
            ticket=script.change.ticket, actor=actor, version=None, changes={"assignee": actor}, now=at
        )

    def _op_note(self, script: Script, at: dt.datetime, *, actor, body) -> None:
        ticket_services.ticket_comment(
            ticket=script.change.ticket, actor=actor, body=body, public=False, now=at
        )

    def _op_incident(
        self, script: Script, at: dt.datetime, *, requester, agent, title, description, service, category
    ) -> None:
        ticket = ticket_services.ticket_create(
            requester=requester,
            created_by=agent,
            title=title,
            description=description,
            kind=Kind.INCIDENT,
            service=service,
            support_group=self.groups["servicedesk"],
            impact=2,
            urgency=1,
            category=category,
            channel=Channel.PHONE,
            now=at,
        )
        self.incidents += 1
        Ticket.objects.filter(pk=ticket.pk).update(external_id=f"{EXTERNAL_PREFIX}inc-{self.incidents:03d}")
        script.incident = ticket

    def _op_incident_assign(self, script: Script, at: dt.datetime, *, actor, group, assignee) -> None:
        script.incident = ticket_services.ticket_update(
            ticket=script.incident,
            actor=actor,
            version=None,
            changes={"support_group": group, "assignee": assignee},
            now=at,
        )

    def _op_incident_start(self, script: Script, at: dt.datetime, *, actor) -> None:
        script.incident = ticket_services.ticket_transition(
            ticket=script.incident, actor=actor, move=Move(to=Status.IN_PROGRESS), version=None, now=at
        )

    def _op_incident_link(self, script: Script, at: dt.datetime, *, actor) -> None:
        ticket_services.ticket_link(
            source=script.incident,
            target=script.change.ticket,
            type_=TicketLink.Type.CAUSED_BY,
            actor=actor,
            now=at,
        )

    def _op_incident_resolve(
        self, script: Script, at: dt.datetime, *, actor, note, severity, outage_start
    ) -> None:
        script.incident = ticket_services.ticket_transition(
            ticket=script.incident,
            actor=actor,
            move=Move(to=Status.RESOLVED, resolution_code=ResolutionCode.SOLVED, resolution_note=note),
            version=None,
            now=at,
        )
        incident_services.outage_record(
            incident=script.incident,
            actor=actor,
            service=script.incident.service,
            severity=severity,
            start=outage_start,
            end=at,
            now=at,
        )

    def _op_incident_close(self, script: Script, at: dt.datetime, *, actor) -> None:
        script.incident = ticket_services.ticket_transition(
            ticket=script.incident, actor=actor, move=Move(to=Status.CLOSED), version=None, now=at
        )

    def _drop_notifications(self, connection, queued_before: int) -> None:
        # Every domain call queued a browser broadcast and often a notification job with on_commit, and
        # each approval round wrote in-app notices. This is invented history, as in the other seeds: drop
        # exactly the callbacks this run queued (keeping any an outer caller queued before us) and the
        # notices, before the commit. The pending votes are on the approvers' CAB agenda all the same.
        connection.run_on_commit = connection.run_on_commit[:queued_before]
        Notification.objects.filter(ticket__external_id__startswith=EXTERNAL_PREFIX).delete()

    # --- Summary --------------------------------------------------------------------------------------

    def summary(self) -> Result:
        changes = Change.objects.filter(ticket__external_id__startswith=EXTERNAL_PREFIX).order_by()

        def per(field_name: str) -> dict:
            return dict(sorted(changes.values_list(field_name).annotate(n=Count("pk"))))

        tickets = Ticket.objects.filter(external_id__startswith=EXTERNAL_PREFIX)
        return Result(
            changes=changes.count(),
            by_kind=per("kind"),
            by_state=per("state"),
            by_outcome={k: v for k, v in per("outcome").items() if k},
            templates=StandardChangeTemplate.objects.count(),
            freeze_windows=len(self.freeze_specs),
            maintenance_windows=MaintenanceWindow.objects.filter(change__in=changes).count(),
            approvals=ChangeApproval.objects.filter(change__in=changes).count(),
            incidents=tickets.filter(kind=Kind.INCIDENT).count(),
            overrides=changes.exclude(override_reason="").count(),
            events=TicketEvent.objects.filter(ticket__in=tickets).count(),
        )


class IncidentReview:
    """A review note that names the incident the change caused, whose number is known only once it exists."""

    def __init__(self, text: str):
        self.text = text

    def __call__(self, script: Script) -> str:
        if script.incident is None:
            return self.text
        return f"{self.text}\n\nSe hendelsen {script.incident.number}, som endringen forårsaket."

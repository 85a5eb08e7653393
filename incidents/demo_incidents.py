"""A year of realistic incident history for the demo municipality, built by ``manage.py seed_incidents``.

Every ticket is written through the domain functions in ``tickets/services.py`` with past ``now=`` values,
so the timelines, counters and timestamps are exactly what the product itself would have recorded. The
generator works in two passes:

1. Plan: draw ~2,000 incidents over the twelve months before the reference time (seasonality, business
   hours on the Norwegian calendar), pick a fate for each (most are long closed; the last weeks keep a
   realistic open backlog), and turn each into a *script*: a list of timed steps (create, assign, reply,
   pending, escalate, resolve, confirm, rate, ...). Special scripts are added for the demo logins, for two
   major incidents with children, for duplicates that get merged and for follow-ups of closed tickets.
2. Execute: run every step of every script in global time order, so ticket numbers follow the opening
   time and a master ticket is still open when a duplicate is merged into it.

Everything comes from ``random.Random(2026)`` and the reference time, so the same ``--now`` gives the same
data. The run is one transaction; the notifications and browser broadcasts the domain functions queue
with ``on_commit`` are dropped before it commits (see ``_drop_notifications``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import itertools
import math
import random
import time
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import Avg, Count
from django.utils import timezone, translation

from catalog.models import Service
from incidents.calendar_days import add_business_seconds, is_business_day, subtract_business_days
from incidents.models import Outage, PriorityRule, SatisfactionRating
from incidents.priority import DEFAULT_MATRIX
from people.models import SupportGroup, User
from tickets import services as ticket_services
from tickets.models import (
    FIRST_CONTACT_CHANNELS,
    CannedResponse,
    Channel,
    Notification,
    PendingReason,
    Status,
    Ticket,
    TicketEvent,
)
from tickets.transitions import Move

RANDOM_SEED = 2026
DEFAULT_COUNT = 2000
EXTERNAL_PREFIX = "demo-"
FIRST_LINE = "servicedesk"
DEMO_REQUESTER = "demo.ansatt"
DEMO_AGENT = "demo.agent"

# --- Text bank --------------------------------------------------------------------------------------
# Titles and descriptions may use these placeholders, filled per ticket: {sted} (the requester's office),
# {rom} (a classroom or meeting room), {moterom}, {skole} (the requester's unit), {postkasse}, {saksnr},
# {mobil} and {pcnr}.


@dataclass(frozen=True)
class Problem:
    """One kind of incident on a service, as employees report it and as the service desk solves it."""

    service: str | None
    title: str
    description: str
    category: str
    solutions: tuple[tuple[str, str], ...]
    impact: int = 3
    urgency: int = 2
    weight: float = 3
    fix: float = 0.5  # chance that the first group to get it solves it without escalating
    supplier: float = 0.0  # chance of waiting for a supplier
    change: float = 0.0  # chance of waiting for a change
    wide: str = ""  # "down"/"degraded": a service-wide fault, a candidate for an outage record
    units: tuple[str, ...] = ()  # where the requesters work (org unit codes); empty: anywhere
    question: str = ""
    answer: str = ""


SCHOOLS = ("haugen-skole", "fjellvang-skole", "nordbo-ungdomsskole")
CARE = ("bergeland-helsehus", "hjemmetjenesten")
CASEWORK = ("byggesak", "arealplan", "dokumentsenteret", "servicetorget", "hr-radgivning", "kommunikasjon")


def P(service, title, description, category, *solutions, **options) -> Problem:
    return Problem(service, title, description, category, tuple(solutions), **options)


PROBLEMS: tuple[Problem, ...] = (
    # Nettverk på kontor
    P(
        "nettverk-kontor",
        "Nettverket er tregt på kontoret",
        "Alt går veldig sakte i dag, både Teams og fagsystemene. Kollegaene rundt meg merker det samme. "
        "Jeg sitter i {sted}.",
        "network",
        (
            "solved",
            "En svitsj i {sted} hadde en port som sendte feil. Porten er byttet, og hastigheten er normal igjen.",
        ),
        (
            "workaround",
            "Vi har flyttet kontorene til et annet tilgangspunkt mens vi venter på ny svitsj. "
            "Nettet skal være normalt nå.",
        ),
        impact=2,
        weight=4,
        fix=0.2,
    ),
    P(
        "nettverk-kontor",
        "Får ikke koblet til trådløst nett",
        "PC-en finner nettet «Kommune-ansatt», men får ikke koblet til. Den sier «Kan ikke koble til dette "
        "nettverket». Det virket i går.",
        "network",
        (
            "solved",
            "Sertifikatet for trådløst nett på PC-en var utløpt. Vi har fornyet det, og PC-en kobler seg til igjen.",
        ),
        (
            "guidance",
            "Vi fjernet nettverksprofilen og la den inn på nytt sammen med deg. Nå kobler PC-en seg til automatisk.",
        ),
        weight=5,
        fix=0.7,
    ),
    P(
        "nettverk-kontor",
        "Nettverkskontakten ved pulten min virker ikke",
        "Når jeg kobler PC-en til kontakten i veggen ved pulten, får jeg ikke nett. Dokkingstasjonen virker ellers.",
        "network",
        ("solved", "Kontakten var ikke koblet opp i nettverksskapet. Den er koblet opp og aktiv nå."),
        weight=2,
        fix=0.2,
    ),
    P(
        "nettverk-kontor",
        "Ingen nettverk på møterommet {moterom}",
        "Verken kablet nett eller skjermen på møterommet {moterom} får kontakt. Vi har møte der i morgen tidlig.",
        "network",
        (
            "solved",
            "Strømforsyningen til svitsjen i taket var gått. Den er byttet, og møterommet har nett igjen.",
        ),
        impact=2,
        weight=2,
        fix=0.1,
    ),
    P(
        "nettverk-kontor",
        "VPN kobler ned når jeg jobber hjemmefra",
        "Når jeg jobber hjemmefra mister jeg VPN-forbindelsen omtrent hvert tiende minutt. Da mister jeg også det "
        "jeg holder på med i fagsystemet.",
        "network",
        (
            "workaround",
            "VPN-klienten er oppdatert til nyeste versjon. Skjer det igjen, prøv kablet nett i stedet for trådløst.",
        ),
        ("solved", "Ruteren hjemme hos deg blokkerte en port VPN trenger. Vi har endret VPN-profilen."),
        weight=3,
        fix=0.4,
        question="Skjer det både på trådløst og kablet nett hjemme, og hvilken internettleverandør har du?",
        answer="Det skjer bare på trådløst. Jeg har Telenor hjemme.",
    ),
    P(
        "nettverk-kontor",
        "Nettverket er nede i {sted}",
        "Ingen av oss i {sted} har nett. Telefonene på pultene virker heller ikke.",
        "network",
        (
            "solved",
            "En kjernesvitsj i bygget hadde hengt seg opp etter et strømbrudd. Den er startet på nytt, og all "
            "trafikk går som normalt. Vi følger med resten av dagen.",
        ),
        (
            "solved",
            "Fiberen til bygget ble kuttet under gravearbeid. Leverandøren har skjøtet fiberen, og nettet er tilbake.",
        ),
        impact=1,
        urgency=1,
        weight=0.4,
        fix=0.0,
        wide="down",
    ),
    # Pålogging og tilgang
    P(
        "identitet",
        "Får ikke logget inn på PC-en",
        "Jeg skriver inn passordet, men får beskjed om at brukernavn eller passord er feil. "
        "Jeg har ikke byttet passord.",
        "access",
        (
            "solved",
            "Kontoen var låst etter mange forsøk fra en gammel mobil med det gamle passordet. Kontoen er låst opp, "
            "og vi fjernet kontoen fra den gamle mobilen sammen med deg.",
        ),
        ("guidance", "Caps Lock var på. Vi gikk gjennom påloggingen sammen, og nå går det fint."),
        weight=7,
        fix=0.85,
        urgency=1,
    ),
    P(
        "identitet",
        "Kontoen min er låst",
        "Jeg får melding om at kontoen er låst og at jeg må kontakte IT.",
        "access",
        (
            "solved",
            "Kontoen er låst opp. Bytt gjerne passord fra påloggingssiden hvis du tror noen andre har prøvd å "
            "logge inn.",
        ),
        weight=6,
        fix=0.95,
        urgency=1,
    ),
    P(
        "identitet",
        "Har glemt passordet",
        "Jeg er tilbake fra permisjon og husker ikke passordet mitt.",
        "access",
        (
            "solved",
            "Passordet er tilbakestilt etter at vi bekreftet identiteten din. Du velger nytt passord ved første "
            "pålogging.",
        ),
        ("guidance", "Vi viste deg hvordan du bytter passord selv fra påloggingssiden med kode på SMS."),
        weight=5,
        fix=0.95,
    ),
    P(
        "identitet",
        "Får ikke kode på SMS ved pålogging",
        "Når jeg logger inn hjemmefra kommer det ingen SMS med kode. Jeg har fått nytt mobilnummer.",
        "access",
        (
            "solved",
            "Mobilnummeret for tofaktor var det gamle. Vi har lagt inn det nye nummeret, og kodene kommer fram nå.",
        ),
        weight=4,
        fix=0.8,
        question="Hvilket mobilnummer skal kodene sendes til?",
        answer="Det nye nummeret mitt er {mobil}.",
    ),
    P(
        "identitet",
        "Ny mobil – må flytte Authenticator-appen",
        "Jeg har fått ny jobbmobil, og Authenticator-appen på den nye telefonen er tom. Den gamle er levert inn.",
        "access",
        (
            "solved",
            "Vi har nullstilt tofaktor for kontoen din og satt opp Authenticator på den nye mobilen med deg.",
        ),
        weight=4,
        fix=0.9,
    ),
    P(
        "identitet",
        "Passordet er utløpt og jeg får ikke byttet det",
        "PC-en sier at passordet er utløpt, men når jeg prøver å bytte, får jeg beskjed om at passordet ikke "
        "oppfyller kravene.",
        "access",
        (
            "guidance",
            "Det nye passordet må ha minst 12 tegn og kan ikke ligne de siste passordene. Vi byttet det sammen.",
        ),
        weight=3,
        fix=0.9,
    ),
    P(
        "identitet",
        "Ny medarbeider har ikke fått brukerkonto",
        "Vi har en ny medarbeider som startet i dag, men hun har ikke fått brukernavn og passord. "
        "Bestillingen ble sendt for to uker siden.",
        "access",
        (
            "solved",
            "Kontoen var opprettet, men ikke aktivert fordi startdatoen i HR-systemet var feil. Kontoen er "
            "aktivert, og lederen har fått startpassordet på SMS.",
        ),
        urgency=1,
        weight=3,
        fix=0.3,
    ),
    P(
        "identitet",
        "Pålogging med tofaktor feiler for mange",
        "Flere på avdelingen får ikke logget inn. Vi får feilmelding etter at vi har godkjent i Authenticator.",
        "access",
        (
            "solved",
            "Feilen lå hos Microsoft og rammet flere kunder i Norden. Microsoft har rettet den, og pålogging virker "
            "igjen. Har du fortsatt problemer, lukk nettleseren helt og prøv på nytt.",
        ),
        impact=1,
        urgency=1,
        weight=0.4,
        fix=0.0,
        wide="degraded",
    ),
    # Nettverk i skolene
    P(
        "nettverk-skole",
        "Treg wifi i {rom}",
        "Nettet er så tregt i {rom} at elevene ikke får åpnet oppgavene. Det er verst i tredje time.",
        "network",
        (
            "solved",
            "Tilgangspunktet i {rom} var overbelastet. Vi har satt opp et ekstra tilgangspunkt i gangen, og "
            "målingene viser god hastighet nå.",
        ),
        (
            "workaround",
            "Vi har justert kanal og sendestyrke på tilgangspunktene rundt {rom}. Det hjelper, og vi planlegger "
            "et nytt tilgangspunkt i ferien.",
        ),
        impact=2,
        weight=5,
        fix=0.1,
        change=0.15,
        units=SCHOOLS,
    ),
    P(
        "nettverk-skole",
        "Elevene får ikke koblet til elevnettet",
        "Flere elever får ikke koblet Chromebookene til nettet. De får beskjed om feil passord, selv om de logger "
        "inn med Feide.",
        "network",
        ("solved", "Sertifikatet på nettverksserveren for elevnettet var utløpt. Det er fornyet."),
        impact=2,
        urgency=1,
        weight=3,
        fix=0.2,
        units=SCHOOLS,
    ),
    P(
        "nettverk-skole",
        "Ingen dekning i gymsalen",
        "Vi får ikke nett i gymsalen, og vi trenger det til høyttaleranlegget og registrering av oppmøte.",
        "network",
        ("solved", "Vi har montert et nytt tilgangspunkt i gymsalen."),
        impact=2,
        urgency=3,
        weight=2,
        fix=0.0,
        change=0.4,
        units=SCHOOLS,
    ),
    P(
        "nettverk-skole",
        "Trådløst nett faller ut i {rom}",
        "Nettet forsvinner i noen minutter flere ganger i timen, både for meg og elevene.",
        "network",
        (
            "solved",
            "Tilgangspunktet i {rom} hadde en maskinvarefeil og startet seg selv på nytt. Det er byttet.",
        ),
        impact=2,
        weight=3,
        fix=0.1,
        units=SCHOOLS,
    ),
    P(
        "nettverk-skole",
        "Trådløst nett er nede på hele {skole}",
        "Ingen får koblet til trådløst nett på skolen i dag, verken elever eller lærere. Vi har prøver i dag.",
        "network",
        (
            "solved",
            "Kontrolleren for det trådløse nettet på skolen stoppet etter en oppdatering i natt. Oppdateringen er "
            "rullet tilbake, og nettet er oppe igjen.",
        ),
        impact=1,
        urgency=1,
        weight=0.4,
        fix=0.0,
        wide="down",
        units=SCHOOLS,
    ),
    # Microsoft 365
    P(
        "microsoft-365",
        "Teams krasjer når jeg deler skjerm",
        "Hver gang jeg prøver å dele skjermen i et Teams-møte, lukker Teams seg. Det har skjedd siden i går.",
        "software",
        (
            "solved",
            "Vi har tømt hurtigbufferen til Teams og installert nyeste versjon. Skjermdeling virker nå.",
        ),
        ("workaround", "Skjermdeling virker i nettleserversjonen av Teams mens vi venter på en rettelse."),
        weight=4,
        fix=0.5,
        question="Skjer det i alle møter, og deler du hele skjermen eller bare ett vindu?",
        answer="Det skjer i alle møter når jeg deler hele skjermen. Deler jeg bare ett vindu, går det fint.",
    ),
    P(
        "microsoft-365",
        "Word sier at lisensen ikke er aktivert",
        "Når jeg åpner Word, kommer det en gul stripe om at produktet ikke er aktivert, og jeg får ikke redigert.",
        "software",
        (
            "solved",
            "Lisensen din var falt ut av lisensgruppen. Den er lagt inn igjen – logg ut og inn av Office.",
        ),
        weight=4,
        fix=0.7,
    ),
    P(
        "microsoft-365",
        "Excel fryser når jeg åpner budsjettarket",
        "Excel henger seg opp i flere minutter når jeg åpner budsjettet for enheten. Filen ligger i Teams.",
        "software",
        (
            "guidance",
            "Filen hadde tusenvis av tomme rader med formatering. Vi ryddet den sammen med deg, og den åpnes nå "
            "på få sekunder.",
        ),
        ("workaround", "Filen åpnes raskt i Excel på PC-en hvis du synkroniserer mappen med OneDrive først."),
        weight=3,
        fix=0.4,
    ),
    P(
        "microsoft-365",
        "Ingen lyd i Teams-møter",
        "Jeg hører ikke de andre i Teams-møter, og de hører ikke meg. Headsettet virker på mobilen.",
        "software",
        ("guidance", "Teams brukte feil lydenhet. Vi valgte headsettet under Innstillinger > Enheter."),
        weight=4,
        fix=0.85,
    ),
    P(
        "microsoft-365",
        "Finner ikke Teams-kanalen til enheten",
        "Jeg er ny og ser ikke teamet som resten av enheten bruker.",
        "software",
        ("solved", "Du er lagt til som medlem i teamet. Det kan ta en time før det vises i Teams."),
        urgency=3,
        weight=2,
        fix=0.6,
    ),
    P(
        "microsoft-365",
        "Teams-møter faller ut for mange",
        "Flere av oss blir kastet ut av Teams-møter etter noen minutter. Det gjelder både interne og eksterne møter.",
        "software",
        (
            "solved",
            "En endring i brannmuren stoppet deler av trafikken til Teams. Endringen er rullet tilbake, og møtene "
            "er stabile igjen.",
        ),
        impact=1,
        weight=0.4,
        fix=0.0,
        wide="degraded",
    ),
    # E-post og kalender
    P(
        "epost",
        "Outlook synkroniserer ikke kalenderen",
        "Møter jeg godtar på mobilen vises ikke i Outlook på PC-en, og omvendt. Det har vart i noen dager.",
        "software",
        (
            "solved",
            "Outlook-profilen på PC-en var skadet. Vi laget en ny profil, og kalenderen synkroniserer igjen.",
        ),
        (
            "guidance",
            "Kalenderen var satt til bare å vise lokale kalendere. Vi slo på synkroniseringen sammen.",
        ),
        weight=5,
        fix=0.5,
    ),
    P(
        "epost",
        "E-post kommer ikke fram til ekstern mottaker",
        "Jeg sender e-post til en leverandør, men de sier at de ikke har fått noe. Jeg får ingen feilmelding.",
        "software",
        (
            "solved",
            "Mottakerens spamfilter stoppet e-post fra oss. Vi har kontaktet dem, og e-posten kommer fram nå.",
        ),
        ("no_fault", "E-postene er levert til mottakerens server. Mottakeren må sjekke søppelposten sin."),
        weight=3,
        fix=0.3,
        question="Kan du sende oss adressen du sendte til, og omtrent når du sendte e-posten?",
        answer="Det var til post@leverandoren.no i går rundt kl. 14.",
    ),
    P(
        "epost",
        "Får ikke tilgang til felles postkasse {postkasse}",
        "Jeg skal jobbe med felles postkasse {postkasse}, men den vises ikke i Outlook.",
        "access",
        ("solved", "Du har fått tilgang til postkassen. Den dukker opp når du har startet Outlook på nytt."),
        weight=4,
        fix=0.4,
    ),
    P(
        "epost",
        "Outlook ber om passord hele tiden",
        "Outlook spør om passordet mitt flere ganger om dagen, selv om jeg skriver det riktig.",
        "software",
        (
            "solved",
            "Gamle lagrede passord i Windows kom i konflikt. Vi slettet dem, og Outlook har sluttet å spørre.",
        ),
        weight=4,
        fix=0.7,
    ),
    P(
        "epost",
        "E-post på mobilen har sluttet å oppdatere",
        "Jobbmobilen viser ikke nye e-poster. Den siste er fra i forgårs.",
        "software",
        (
            "guidance",
            "Vi fjernet og la til jobbkontoen i Outlook-appen sammen med deg. Nå kommer e-posten inn.",
        ),
        weight=3,
        fix=0.8,
    ),
    P(
        "epost",
        "Postkassen min er full",
        "Jeg får melding om at postkassen er full og at jeg snart ikke kan sende e-post.",
        "software",
        ("guidance", "Vi viste deg hvordan du arkiverer gammel e-post og tømmer Slettede elementer."),
        weight=2,
        fix=0.8,
    ),
    P(
        "epost",
        "E-post kommer fram med flere timers forsinkelse",
        "E-post fra innbyggere og leverandører kommer fram flere timer etter at den er sendt. Det gjelder hele "
        "servicetorget.",
        "software",
        (
            "solved",
            "En regel i e-postfilteret sendte all innkommende e-post til ekstra skanning. Regelen er rettet, og "
            "køen er tømt.",
        ),
        impact=1,
        weight=0.4,
        fix=0.0,
        wide="degraded",
    ),
    # Filområder og OneDrive
    P(
        "fillagring",
        "Får ikke åpnet filer på fellesområdet",
        "Jeg får «Ingen tilgang» når jeg prøver å åpne filene på fellesområdet til enheten. Det virket forrige uke.",
        "access",
        (
            "solved",
            "Du manglet i tilgangsgruppen etter at du byttet avdeling. Tilgangen er lagt inn igjen – logg av og på.",
        ),
        weight=3,
        fix=0.2,
    ),
    P(
        "fillagring",
        "Har slettet en mappe ved en feil",
        "Jeg kom til å slette mappen «Møtereferater» på fellesområdet. Kan den gjenopprettes?",
        "other",
        ("solved", "Mappen er gjenopprettet fra sikkerhetskopien fra i natt. Sjekk gjerne at alt er der."),
        weight=3,
        fix=0.1,
    ),
    P(
        "fillagring",
        "OneDrive synkroniserer ikke",
        "Det står «Synkronisering venter» på alle filene i OneDrive, og kollegaene ser ikke endringene mine.",
        "software",
        (
            "solved",
            "En fil med for langt navn stoppet synkroniseringen. Vi kortet ned navnet, og alt synkroniseres.",
        ),
        ("guidance", "OneDrive var logget ut. Vi logget deg inn igjen, og synkroniseringen kom i gang."),
        weight=4,
        fix=0.6,
    ),
    P(
        "fillagring",
        "Mangler tilgang til prosjektområdet",
        "Jeg er med i et nytt prosjekt og trenger tilgang til prosjektets filområde. Prosjektlederen har sagt ja.",
        "access",
        ("solved", "Tilgangen er gitt etter godkjenning fra prosjektlederen."),
        urgency=3,
        weight=2,
        fix=0.3,
    ),
    P(
        "fillagring",
        "Fellesområdet (K:) er utilgjengelig",
        "Ingen av oss kommer inn på K:-disken. Vi får feilmelding om at stasjonen ikke finnes.",
        "other",
        (
            "solved",
            "Filserveren gikk tom for diskplass etter en feil i sikkerhetskopieringen. Vi har frigjort plass og "
            "startet tjenesten på nytt. Alle filer er i behold.",
        ),
        impact=1,
        urgency=1,
        weight=0.4,
        fix=0.0,
        wide="down",
    ),
    # PC og nettbrett
    P(
        "klient-pc",
        "PC-en starter ikke",
        "PC-en er helt død når jeg trykker på av/på-knappen. Laderen lyser.",
        "hardware",
        (
            "solved",
            "Hovedkortet var defekt. Du har fått en ny PC med de samme programmene, og filene ligger i OneDrive.",
        ),
        (
            "solved",
            "PC-en hadde hengt seg i dvale. Vi holdt inne av/på-knappen i 30 sekunder, og den startet.",
        ),
        urgency=1,
        weight=4,
        fix=0.3,
        supplier=0.3,
    ),
    P(
        "klient-pc",
        "Skjermen flimrer",
        "Den eksterne skjermen flimrer og blir svart i noen sekunder innimellom.",
        "hardware",
        ("solved", "Skjermkabelen var skadet. Den er byttet."),
        ("solved", "Skjermen var defekt og er byttet ut med en ny."),
        weight=3,
        fix=0.4,
        supplier=0.2,
    ),
    P(
        "klient-pc",
        "Dokkingstasjonen gir ikke bilde på skjermene",
        "Når jeg setter PC-en i dokkingstasjonen, kommer det ikke bilde på skjermene. Lading virker.",
        "hardware",
        (
            "solved",
            "Vi oppdaterte fastvaren på dokkingstasjonen og driveren på PC-en. Begge skjermene virker nå.",
        ),
        weight=4,
        fix=0.6,
    ),
    P(
        "klient-pc",
        "PC-en er veldig treg",
        "Det tar flere minutter å starte PC-en, og programmene henger. Det har blitt verre de siste ukene.",
        "hardware",
        (
            "solved",
            "Disken var nesten full, og en oppdatering hadde stoppet halvveis. Vi ryddet plass og fullførte "
            "oppdateringen. PC-en er rask igjen.",
        ),
        ("solved", "Vi har installert PC-en på nytt. Filene dine lå trygt i OneDrive."),
        urgency=3,
        weight=5,
        fix=0.5,
        question="Hvor lenge har det vart, og skjer det hele tiden eller bare i enkelte programmer?",
        answer="Det har vart et par uker. Verst er det om morgenen og i Outlook.",
    ),
    P(
        "klient-pc",
        "Tastaturet på den bærbare virker ikke",
        "Flere taster reagerer ikke, blant annet E og mellomromstasten.",
        "hardware",
        ("solved", "Tastaturet er byttet av leverandøren under garantien."),
        weight=2,
        fix=0.2,
        supplier=0.5,
    ),
    P(
        "klient-pc",
        "Batteriet lader ikke",
        "PC-en lader ikke lenger, og batteriet er nesten tomt. Jeg har prøvd en annen lader.",
        "hardware",
        ("solved", "Batteriet var defekt og er byttet."),
        urgency=1,
        weight=3,
        fix=0.2,
        supplier=0.4,
    ),
    P(
        "klient-pc",
        "Blåskjerm ved oppstart",
        "PC-en viser en blå skjerm med en feilmelding og starter på nytt hele tiden.",
        "hardware",
        (
            "solved",
            "En skjermdriver fra siste oppdatering fikk PC-en til å krasje. Vi har rullet den tilbake.",
        ),
        urgency=1,
        weight=2,
        fix=0.2,
    ),
    P(
        "klient-pc",
        "Projektoren i {rom} viser ikke bilde",
        "Projektoren står på, men viser «Ingen signal» når jeg kobler til PC-en. Jeg har undervisning hele dagen.",
        "hardware",
        ("solved", "HDMI-kabelen i veggen var ødelagt. Den er byttet, og projektoren virker."),
        ("solved", "Lampen i projektoren var utbrent. Vi har satt inn en ny."),
        impact=2,
        urgency=1,
        weight=3,
        fix=0.3,
        units=SCHOOLS,
    ),
    P(
        "klient-pc",
        "Nettbrettet låser seg",
        "Nettbrettet jeg bruker ute hos brukerne henger seg opp og må startes på nytt flere ganger om dagen.",
        "hardware",
        ("solved", "Nettbrettet er tilbakestilt og satt opp på nytt. Gi beskjed hvis det skjer igjen."),
        weight=2,
        fix=0.4,
        supplier=0.2,
        units=CARE,
    ),
    # Utskrift og skanning
    P(
        "utskrift",
        "Skriveren på lærerrommet skriver ikke ut",
        "Skriveren på lærerrommet tar imot jobben, men ingenting kommer ut. Displayet viser ingen feil.",
        "printing",
        ("solved", "Skriveren hadde hengt seg i utskriftskøen. Vi tømte køen og startet den på nytt."),
        ("solved", "Fikseringsenheten i skriveren var slitt og er byttet av leverandøren."),
        impact=2,
        weight=4,
        fix=0.3,
        supplier=0.2,
        units=SCHOOLS,
    ),
    P(
        "utskrift",
        "Får ikke hentet utskrift med adgangskortet",
        "Når jeg holder kortet mot skriveren, skjer det ingenting. Kollegaene får hentet utskriftene sine.",
        "printing",
        ("solved", "Det nye adgangskortet ditt var ikke koblet til brukeren din. Det er ordnet nå."),
        (
            "guidance",
            "Vi viste deg hvordan du registrerer kortet selv første gang du bruker det på skriveren.",
        ),
        weight=5,
        fix=0.8,
    ),
    P(
        "utskrift",
        "Skanning til e-post virker ikke",
        "Når jeg skanner til e-post, kommer det aldri noen e-post. Det virket før sommerferien.",
        "printing",
        (
            "solved",
            "Skriveren brukte et gammelt passord mot e-postserveren. Det er oppdatert, og skanning virker.",
        ),
        weight=3,
        fix=0.3,
    ),
    P(
        "utskrift",
        "Papirstopp som ikke lar seg fjerne",
        "Skriveren i {sted} sier at det er papirstopp, men vi finner ikke noe papir.",
        "printing",
        (
            "solved",
            "En papirbit satt fast bak fikseringsenheten. Leverandøren har fjernet den og rengjort skriveren.",
        ),
        impact=2,
        weight=3,
        fix=0.4,
        supplier=0.3,
    ),
    P(
        "utskrift",
        "Utskriftene blir stripete",
        "Alle utskrifter har grå striper nedover arket.",
        "printing",
        ("solved", "Tonerkassetten var skadet. Skriveren har fått ny toner."),
        impact=2,
        urgency=3,
        weight=2,
        fix=0.5,
    ),
    P(
        "utskrift",
        "Finner ikke skriveren i listen",
        "Jeg skal skrive ut, men finner ikke skriveren «Følg meg» i listen over skrivere.",
        "printing",
        ("guidance", "Vi la til utskriftskøen «Følg meg» på PC-en din sammen med deg."),
        weight=3,
        fix=0.9,
    ),
    P(
        "utskrift",
        "Ingen skrivere virker i {sted}",
        "Ingen av skriverne i bygget skriver ut. Køen på PC-en hoper seg opp.",
        "printing",
        (
            "solved",
            "Utskriftsserveren stoppet etter en Windows-oppdatering i natt. Tjenesten er startet igjen.",
        ),
        impact=1,
        weight=0.4,
        fix=0.0,
        wide="down",
    ),
    # Telefoni og mobil
    P(
        "telefoni",
        "Jobbmobilen får ikke ringt ut",
        "Jeg kan ta imot samtaler, men får ikke ringt ut. Det står «Samtale mislyktes».",
        "hardware",
        (
            "solved",
            "Abonnementet var sperret for utgående samtaler etter en feil hos operatøren. Sperren er fjernet.",
        ),
        urgency=1,
        weight=3,
        fix=0.4,
    ),
    P(
        "telefoni",
        "Viderekobling virker ikke",
        "Jeg har satt opp viderekobling til en kollega når jeg er i møter, men de som ringer får bare opptattsignal.",
        "other",
        (
            "guidance",
            "Viderekoblingen var satt opp på mobilen, men ikke i sentralbordet. Vi har rettet det sammen.",
        ),
        weight=2,
        fix=0.6,
    ),
    P(
        "telefoni",
        "Sentralbordet setter ikke over samtaler",
        "Når vi på servicetorget prøver å sette over samtaler til saksbehandlerne, faller samtalen ut.",
        "network",
        (
            "solved",
            "Operatøren hadde en feil i sentralbordtjenesten. Feilen er rettet, og overføring virker igjen.",
        ),
        impact=2,
        urgency=1,
        weight=2,
        fix=0.0,
        supplier=0.5,
        units=("servicetorget",),
    ),
    P(
        "telefoni",
        "Ny jobbmobil må settes opp",
        "Jeg har fått ny jobbmobil, men får ikke lagt inn e-post og Teams.",
        "hardware",
        ("guidance", "Vi satte opp mobilen sammen med deg via Firmaportalen. E-post og Teams virker nå."),
        urgency=3,
        weight=3,
        fix=0.9,
    ),
    P(
        "telefoni",
        "Knust skjerm på jobbmobilen",
        "Jeg mistet mobilen, og skjermen er knust. Den virker, men berøringsskjermen reagerer dårlig.",
        "hardware",
        ("solved", "Mobilen er reparert hos leverandøren og sendt tilbake til deg."),
        ("solved", "Du har fått en erstatningsmobil, og den gamle er sendt til reparasjon."),
        weight=3,
        fix=0.3,
        supplier=0.7,
    ),
    P(
        "telefoni",
        "Sentralbordet svarer ikke",
        "Innbyggere som ringer hovednummeret, får bare opptattsignal. Det startet for en halvtime siden.",
        "network",
        (
            "solved",
            "Operatøren hadde et bortfall i sentralbordtjenesten. Den er tilbake, og vi har bedt om en rapport.",
        ),
        impact=1,
        urgency=1,
        weight=0.4,
        fix=0.0,
        wide="down",
        units=("servicetorget",),
    ),
    # Saksbehandlingssystem og arkiv
    P(
        "saksbehandling",
        "Får ikke journalført dokument",
        "Når jeg prøver å journalføre et brev, får jeg feilmeldingen «Dokumentet er låst av en annen bruker». "
        "Ingen andre har det oppe.",
        "software",
        ("solved", "Dokumentet hadde en gammel lås etter at programmet krasjet. Låsen er fjernet."),
        weight=4,
        fix=0.3,
        units=CASEWORK,
    ),
    P(
        "saksbehandling",
        "Feilmelding når jeg åpner sak {saksnr}",
        "Jeg får «Uventet feil» når jeg åpner sak {saksnr}. Andre saker går fint.",
        "software",
        (
            "solved",
            "En skadet dokumentversjon gjorde at saken ikke kunne åpnes. Leverandøren har rettet den.",
        ),
        weight=3,
        fix=0.1,
        supplier=0.3,
        units=CASEWORK,
        question="Hva står det i feilmeldingen, og skjer det for alle dokumentene i saken?",
        answer="Det står «Uventet feil (kode 500)». Det skjer med en gang jeg klikker på saken.",
    ),
    P(
        "saksbehandling",
        "Mangler tilgang til sak",
        "Jeg skal overta en byggesak fra en kollega, men får ikke åpnet den.",
        "access",
        ("solved", "Du er lagt inn i tilgangsgruppen for byggesak etter godkjenning fra dokumentsenteret."),
        weight=3,
        fix=0.2,
        units=CASEWORK,
    ),
    P(
        "saksbehandling",
        "Brevmalen fletter inn feil adresse",
        "Når jeg lager brev fra malen, kommer ikke adressen til mottakeren med.",
        "software",
        ("solved", "Malen er rettet, og flettefeltet for adresse henter nå riktig felt."),
        urgency=3,
        weight=2,
        fix=0.1,
        change=0.3,
        units=CASEWORK,
    ),
    P(
        "saksbehandling",
        "Saksbehandlingssystemet er tregt",
        "Det tar lang tid å åpne saker og dokumenter i dag.",
        "software",
        ("solved", "En indekseringsjobb i databasen kjørte på dagtid. Den er flyttet til natten."),
        impact=2,
        weight=2,
        fix=0.1,
        units=CASEWORK,
    ),
    P(
        "saksbehandling",
        "Saksbehandlingssystemet er nede",
        "Ingen av oss får logget inn i saksbehandlingssystemet. Vi får beskjed om at tjenesten ikke er tilgjengelig.",
        "software",
        (
            "solved",
            "Applikasjonsserveren stoppet da sertifikatet gikk ut. Nytt sertifikat er lagt inn, og systemet er "
            "tilgjengelig igjen.",
        ),
        impact=1,
        urgency=1,
        weight=0.4,
        fix=0.0,
        wide="down",
        units=CASEWORK,
    ),
    # Fagsystem for barnehage
    P(
        "fagsystem-barnehage",
        "Får ikke registrert oppmøte",
        "Når vi krysser av barna som har kommet, blir det ikke lagret. Vi får bare et snurrende hjul.",
        "software",
        (
            "solved",
            "Leverandøren hadde en feil etter siste oppdatering. Den er rettet, og registrering virker.",
        ),
        impact=2,
        weight=3,
        fix=0.1,
        supplier=0.3,
        units=("solsikken-barnehage",),
    ),
    P(
        "fagsystem-barnehage",
        "Foreldrene får ikke meldingene fra barnehagen",
        "Foreldre sier at de ikke har fått meldingene vi sendte i går.",
        "software",
        ("solved", "Varslene sto i kø hos leverandøren. De er sendt ut, og feilen er rettet."),
        impact=2,
        weight=2,
        fix=0.1,
        supplier=0.5,
        units=("solsikken-barnehage",),
    ),
    P(
        "fagsystem-barnehage",
        "Får ikke logget inn i barnehagesystemet",
        "Jeg får feilmelding når jeg logger inn. Det virket i går.",
        "access",
        (
            "solved",
            "Brukeren din manglet rollen som pedagogisk leder etter avdelingsbyttet. Den er lagt inn.",
        ),
        weight=2,
        fix=0.7,
        units=("solsikken-barnehage",),
    ),
    P(
        "fagsystem-barnehage",
        "Barn med plass står fortsatt på ventelisten",
        "Et barn som har fått plass, står fortsatt på ventelisten.",
        "software",
        ("guidance", "Plassen var ikke bekreftet i systemet. Vi viste deg hvor du bekrefter plass."),
        urgency=3,
        weight=1,
        fix=0.0,
        units=("solsikken-barnehage",),
    ),
    # Gerica pleie og omsorg
    P(
        "fagsystem-gerica",
        "Gerica henger når jeg skal dokumentere",
        "Når jeg skal skrive rapport etter besøk, henger Gerica i flere minutter.",
        "software",
        ("solved", "Vi har tømt den lokale hurtigbufferen og oppdatert Gerica på PC-en din."),
        (
            "workaround",
            "Bruk nettleserversjonen av Gerica til leverandøren har rettet feilen i neste versjon.",
        ),
        urgency=1,
        weight=4,
        fix=0.1,
        units=CARE,
    ),
    P(
        "fagsystem-gerica",
        "Får ikke logget inn på Gerica på mobilen",
        "Mobil Gerica sier at brukeren ikke er autorisert. Jeg er ute på tur og må dokumentere.",
        "access",
        ("solved", "Sertifikatet for mobil Gerica på telefonen var utløpt. Det er fornyet."),
        urgency=1,
        weight=4,
        fix=0.5,
        units=CARE,
    ),
    P(
        "fagsystem-gerica",
        "Tiltaksplanen vises ikke",
        "Tiltaksplanen for en bruker er helt tom, selv om den var fylt ut i går.",
        "software",
        (
            "solved",
            "Leverandøren fant en feil i visningen etter oppdateringen. Dataene var i behold og vises igjen.",
        ),
        urgency=1,
        weight=2,
        fix=0.0,
        supplier=0.4,
        units=CARE,
    ),
    P(
        "fagsystem-gerica",
        "Utskrift av medisinliste gir tom side",
        "Når jeg skriver ut medisinlisten, kommer det bare en tom side.",
        "printing",
        ("solved", "Skriverdriveren på PC-en passet ikke til utskrift fra Gerica. Den er byttet."),
        weight=2,
        fix=0.2,
        units=CARE,
    ),
    P(
        "fagsystem-gerica",
        "Mangler tilgang til avdeling i Gerica",
        "Jeg har fått ekstravakter på en annen avdeling, men ser ikke brukerne der.",
        "access",
        ("solved", "Du har fått tilgang til avdelingen etter godkjenning fra avdelingslederen."),
        weight=3,
        fix=0.3,
        units=CARE,
    ),
    P(
        "fagsystem-gerica",
        "Gerica er tregt for alle i {sted}",
        "Gerica er veldig tregt for alle på vakt. Det tar minutter å åpne en bruker.",
        "software",
        (
            "solved",
            "Databaseserveren hadde for lite minne etter en oppdatering. Leverandøren har justert oppsettet, og "
            "Gerica er rask igjen.",
        ),
        impact=1,
        weight=0.4,
        fix=0.0,
        wide="degraded",
        units=CARE,
    ),
    # Økonomi- og lønnssystem
    P(
        "okonomi-lonn",
        "Får ikke logget inn på Visma",
        "Jeg skal levere timelisten, men får feilmelding når jeg logger inn i Visma.",
        "access",
        (
            "solved",
            "Brukeren din i Visma var ikke koblet til kommunekontoen etter navnebyttet. Det er rettet.",
        ),
        ("guidance", "Du må logge inn med knappen «Logg inn med Microsoft». Vi gikk gjennom det sammen."),
        weight=4,
        fix=0.6,
    ),
    P(
        "okonomi-lonn",
        "Reiseregningen blir stående til godkjenning",
        "Reiseregningen jeg sendte for tre uker siden, står fortsatt som «Til godkjenning».",
        "software",
        ("guidance", "Reiseregningen lå hos en leder som har sluttet. Den er flyttet til riktig godkjenner."),
        urgency=3,
        weight=3,
        fix=0.3,
    ),
    P(
        "okonomi-lonn",
        "Finner ikke lønnsslippen",
        "Lønnsslippen for denne måneden vises ikke i Visma.",
        "software",
        ("guidance", "Lønnsslippene publiseres den 10. hver måned. Den ligger der nå."),
        urgency=3,
        weight=3,
        fix=0.6,
    ),
    P(
        "okonomi-lonn",
        "Faktura forsvinner i attestasjonsflyten",
        "En faktura som jeg har attestert, er borte og har ikke kommet til anvisning.",
        "software",
        ("solved", "Fakturaen var stoppet av en regel for beløpsgrense. Den er sendt videre til anviser."),
        weight=2,
        fix=0.1,
        supplier=0.3,
        units=("regnskap", "lonn"),
    ),
    P(
        "okonomi-lonn",
        "Timelisten viser overtid jeg ikke har jobbet",
        "Timelisten min viser overtid jeg ikke har jobbet.",
        "software",
        (
            "guidance",
            "Det var registrert en dobbel vakt. Vi viste deg hvordan du korrigerer, og lønn er varslet.",
        ),
        urgency=3,
        weight=2,
        fix=0.3,
    ),
    P(
        "okonomi-lonn",
        "Visma er utilgjengelig",
        "Ingen får logget inn i Visma. Vi har lønnskjøring i dag.",
        "software",
        (
            "solved",
            "Leverandøren hadde en feil i driftsplattformen sin. Tjenesten er tilbake, og lønnskjøringen er "
            "gjennomført som planlagt.",
        ),
        impact=1,
        weight=0.4,
        fix=0.0,
        wide="down",
        units=("regnskap", "lonn"),
    ),
    # Læringsplattform for skolen
    P(
        "skole-laeringsplattform",
        "Elevene får ikke levert oppgaver",
        "Når elevene prøver å levere innleveringen, får de feilmelding. Fristen er i dag.",
        "software",
        (
            "solved",
            "Innleveringen var satt opp med feil filtype. Vi har rettet oppsettet, og elevene kan levere.",
        ),
        ("workaround", "Elevene kan levere via Teams i dag. Leverandøren retter feilen i neste oppdatering."),
        impact=2,
        urgency=1,
        weight=4,
        fix=0.2,
        units=SCHOOLS,
    ),
    P(
        "skole-laeringsplattform",
        "Får ikke logget inn på læringsplattformen",
        "Jeg får «Ingen tilgang» når jeg logger inn med Feide.",
        "access",
        ("solved", "Feide-brukeren din manglet lærerrollen etter skolebyttet. Den er lagt inn."),
        weight=4,
        fix=0.4,
        units=SCHOOLS,
    ),
    P(
        "skole-laeringsplattform",
        "Klassen min mangler i læringsplattformen",
        "Jeg er kontaktlærer for {klasse}, men klassen vises ikke hos meg.",
        "software",
        (
            "solved",
            "Klassen var ikke overført fra skoleadministrasjonssystemet. Vi kjørte overføringen på nytt.",
        ),
        weight=3,
        fix=0.2,
        units=SCHOOLS,
    ),
    P(
        "skole-laeringsplattform",
        "Foresatte får ikke logget inn",
        "Flere foreldre sier at de ikke får logget inn for å se ukeplanen.",
        "access",
        ("solved", "Koblingen mellom foresatte og elever hadde stoppet. Den er startet igjen."),
        impact=2,
        weight=2,
        fix=0.1,
        units=SCHOOLS,
    ),
    P(
        "skole-laeringsplattform",
        "Læringsplattformen svarer ikke",
        "Ingen elever eller lærere kommer inn på læringsplattformen. Siden laster ikke.",
        "software",
        ("solved", "Leverandøren hadde en driftsfeil som rammet flere kommuner. Plattformen er oppe igjen."),
        impact=1,
        urgency=1,
        weight=0.4,
        fix=0.0,
        wide="down",
        units=SCHOOLS,
    ),
    # No service chosen: general questions the first line takes
    P(
        None,
        "Mus og tastatur virker ikke",
        "Verken musen eller tastaturet reagerer når jeg kobler dem til PC-en.",
        "hardware",
        ("solved", "Batteriene i den trådløse mottakeren var tomme. Du har fått nye."),
        ("solved", "USB-mottakeren var defekt. Du har fått nytt sett."),
        weight=3,
        fix=0.95,
    ),
    P(
        None,
        "Kan ikke åpne PDF-filer",
        "Når jeg dobbeltklikker på en PDF, skjer det ingenting.",
        "software",
        (
            "guidance",
            "Standardprogram for PDF var borte etter en oppdatering. Vi satte det tilbake sammen med deg.",
        ),
        weight=3,
        fix=0.95,
    ),
    P(
        None,
        "Trenger hjelp med å koble til skjerm på møterom",
        "Jeg får ikke bilde på skjermen på møterommet {moterom} fra PC-en min.",
        "hardware",
        ("guidance", "Vi viste deg hvordan du velger riktig inngang på skjermen og dupliserer visningen."),
        weight=2,
        fix=0.95,
    ),
    P(
        None,
        "Tilgangskortet virker ikke",
        "Adgangskortet mitt virker verken på døren eller på skriveren.",
        "other",
        ("solved", "Kortet var deaktivert etter utløpt vikariat. Det er aktivert igjen."),
        weight=2,
        fix=0.8,
    ),
)

MEETING_ROOMS = ("Fjorden", "Fjellet", "Lyngen", "Storsalen", "Formannskapssalen", "Møterom 3.12")
SHARED_MAILBOXES = ("postmottak@", "servicetorget@", "barnehageopptak@", "byggesak@", "lonn@")
SUPPLIERS = {
    "fagsystem-gerica": "Tietoevry",
    "okonomi-lonn": "Visma",
    "saksbehandling": "Sikri",
    "fagsystem-barnehage": "IST",
    "skole-laeringsplattform": "leverandøren av læringsplattformen",
    "microsoft-365": "Microsoft",
    "epost": "Microsoft",
    "telefoni": "Telenor",
    "klient-pc": "Atea",
    "utskrift": "Canon",
    "nettverk-kontor": "Cisco",
    "nettverk-skole": "Cisco",
}

FIRST_REPLIES = (
    "Hei {fornavn}!\n\nTakk for at du meldte fra. Jeg har tatt saken og ser på den nå.\n\nHilsen {agent}\n{gruppe}",
    "Hei {fornavn}, takk for henvendelsen. Vi har startet feilsøkingen og gir deg beskjed så snart vi vet mer."
    "\n\nHilsen {agent}, {gruppe}",
    "Hei! Saken er mottatt, og jeg jobber med den. Du hører fra meg i løpet av dagen.\n\n{agent}, {gruppe}",
    "Hei {fornavn}!\n\nJeg ser på dette nå. Gi gjerne beskjed hvis feilen endrer seg i mellomtiden."
    "\n\nHilsen {agent}\n{gruppe}",
)
WIDE_REPLIES = (
    "Hei {fornavn}!\n\nVi vet om feilen og jobber med å rette den nå. Du får beskjed her når den er rettet."
    "\n\nHilsen {agent}, {gruppe}",
    "Hei {fornavn}, takk for beskjed. Feilen rammer flere, og vi jobber med den nå.\n\nHilsen {agent}, {gruppe}",
)
SECOND_LINE_REPLIES = (
    "Hei {fornavn}!\n\nSaken din er nå hos oss i {gruppe}. Vi ser på den og tar kontakt hvis vi trenger mer "
    "informasjon.\n\nHilsen {agent}",
    "Hei {fornavn}, jeg har overtatt saken fra servicedesken og jobber videre med den.\n\nHilsen {agent}, {gruppe}",
    "Hei! Vi i {gruppe} har fått saken din og ser på den i dag.\n\nHilsen {agent}",
)
ESCALATION_REPLIES = (
    "Hei {fornavn}!\n\nDette må {ny_gruppe} se på, så jeg har sendt saken videre til dem. De tar kontakt med deg."
    "\n\nHilsen {agent}, {gruppe}",
    "Hei {fornavn}, takk for at du meldte fra. Saken er sendt videre til {ny_gruppe}, som har tilgangen som "
    "trengs.\n\nHilsen {agent}",
)
# What the first line tried before escalating, by category.
TROUBLESHOOTING = {
    "network": (
        "sjekket kabel og nettverkskort",
        "sjekket om flere i bygget er rammet",
        "kjørt nettverksdiagnose",
    ),
    "access": ("sjekket at kontoen er aktiv og ikke låst", "prøvd pålogging fra en annen PC"),
    "software": ("tømt hurtigbuffer og prøvd i annen nettleser", "omstart av programmet og ny pålogging"),
    "hardware": ("omstart og test med annen kabel og lader", "sjekket om feilen følger utstyret"),
    "printing": ("tømt utskriftskøen", "sjekket at skriveren svarer på nettverket"),
    "other": ("sjekket kjente feil – ingen treff", "gjenskapt feilen på egen maskin"),
}
ESCALATION_NOTES = (
    "Feilsøkt med innmelder: {steg}. Trenger hjelp fra {ny_gruppe}.",
    "Har prøvd {steg} uten hell. Sender til {ny_gruppe}.",
    "Utenfor det vi kan løse i 1. linje ({steg} er gjort). Eskalerer til {ny_gruppe}.",
)
HANDOVER_NOTES = (
    "Snakket med {mottaker} i {ny_gruppe}, som tar saken videre. Feilsøkt så langt: {steg}.",
    "{mottaker} i {ny_gruppe} overtar. Innmelder er informert. Gjort så langt: {steg}.",
)
GENERIC_QUESTIONS = (
    "Hva står det i feilmeldingen du får?",
    "Når skjedde feilen første gang, og skjer den fortsatt?",
    "Gjelder det bare deg, eller også kollegaene dine?",
    "Hvilket PC-nummer står på klistremerket under PC-en?",
    "Når passer det at vi ringer deg eller kobler oss til PC-en din?",
)
GENERIC_ANSWERS = (
    "Hei! Det står «Noe gikk galt. Prøv igjen senere.» Feilen kommer hver gang.",
    "Det startet på mandag og skjer fortsatt.",
    "Det gjelder bare meg. Kollegaene mine har ikke problemet.",
    "PC-nummeret er {pcnr}.",
    "Det passer fint i morgen formiddag, jeg er på kontoret til kl. 15.",
)
QUESTION_REPLY = (
    "Hei {fornavn}!\n\nFor å komme videre trenger vi litt mer informasjon: {spørsmål}\n\nHilsen {agent}"
)
REMINDERS = (
    "Hei {fornavn}!\n\nVi har ikke hørt fra deg. Gi gjerne beskjed om problemet fortsatt er der – ellers avslutter "
    "vi saken om et par dager.\n\nHilsen {agent}",
)
NO_ANSWER_RESOLUTION = (
    "Vi har ikke fått svar og avslutter saken. Ta kontakt igjen hvis problemet kommer tilbake."
)
PENDING_REASONS = {
    PendingReason.REQUESTER: "Venter på svar fra innmelder.",
    PendingReason.SUPPLIER: "Venter på leverandør.",
    PendingReason.CHANGE: "Venter på planlagt endring.",
}
SUPPLIER_NOTES = (
    "Meldt til {leverandør}, deres referanse {ref}.",
    "Sak opprettet hos {leverandør} ({ref}). De svarer vanligvis innen to virkedager.",
)
SUPPLIER_REPLIES = (
    "Hei {fornavn}!\n\nVi har meldt saken til {leverandør} og venter på svar fra dem. Vi gir beskjed så snart vi "
    "vet mer.\n\nHilsen {agent}",
)
SUPPLIER_DONE = (
    "Svar fra {leverandør}: feilen er rettet på deres side. Tester med innmelder.",
    "Reservedel mottatt fra {leverandør} og montert.",
    "{leverandør} har levert en rettelse. Verifiserer før vi lukker.",
)
CHANGE_NOTES = (
    "Løsningen krever en endring i produksjonsmiljøet. Meldt inn som endring og planlagt i vedlikeholdsvinduet "
    "torsdag kveld.",
    "Må gjøres som en planlagt endring (godkjennes i CAB). Venter på vedlikeholdsvinduet.",
)
CHANGE_DONE = (
    "Endringen er gjennomført i vedlikeholdsvinduet. Verifiserer med innmelder.",
    "Endringen er gjennomført uten avvik.",
)
WORK_NOTES = (
    "Sjekket loggene – ser flere feil rundt tidspunktet innmelder oppgir.",
    "Kan gjenskape feilen på testmaskin.",
    "Samme feil sett før, se kunnskapsartikkelen om dette.",
    "Ringte innmelder, fikk ikke svar. Prøver igjen senere.",
    "Koblet meg til PC-en med fjernhjelp og sjekket innstillingene.",
)
REOPEN_REASONS = (
    "Feilen kom tilbake i dag morges.",
    "Dessverre virker det fortsatt ikke.",
    "Det virket en dag, men nå er problemet der igjen.",
)
SECOND_FIX = (
    "Denne gangen fant vi den egentlige årsaken og har rettet den. Gi beskjed hvis du ser feilen igjen."
)
REOPEN_REPLIES = ("Hei {fornavn}, takk for beskjed. Jeg ser på det igjen.\n\nHilsen {agent}",)
FOLLOW_UP_REASONS = (
    "Samme feil har kommet tilbake.",
    "Problemet er tilbake etter noen uker.",
    "Det har begynt igjen, akkurat som sist.",
)
REQUESTER_CANCEL = (
    "Problemet løste seg etter en omstart.",
    "En kollega hjalp meg, så jeg trenger ikke hjelp likevel.",
    "Feil meldt – det var strømmen i bygget som var borte.",
    "Det virker igjen nå. Takk!",
)
AGENT_CANCEL = (
    "Dette er en bestilling og ikke en feil. Bestill gjerne via tjenestekatalogen, så hjelper vi deg der.",
    "Saken er meldt to ganger. Vi følger opp i den andre saken.",
)
NO_ANSWER_CANCEL = (
    "Vi har ikke fått svar fra deg og avslutter saken. Meld gjerne en ny sak hvis du trenger hjelp."
)
PRIORITY_UP = (
    "Rammer undervisningen i dag – prioriteres opp.",
    "Innmelder har frist i dag (sak til politisk behandling).",
    "Gjelder vakt i hjemmetjenesten – må løses raskt.",
    "Flere brukere kan bli rammet.",
)
PRIORITY_DOWN = ("Innmelder har en midlertidig løsning.", "Gjelder bare én bruker og haster ikke.")
MERGE_REPLY = (
    "Hei {fornavn}!\n\nDette er samme feil som vi allerede jobber med i {master}. Vi slår sakene sammen, og du får "
    "beskjed når den er løst.\n\nHilsen {agent}"
)
KNOWN_ERROR_REPLY = (
    "Hei {fornavn}!\n\nTakk for beskjed. Dette er en kjent feil som rammer mange, og vi jobber med å rette den. "
    "Følg med på driftsmeldingen på intranettet.\n\nHilsen {agent}, {gruppe}"
)
RATING_COMMENTS = {
    5: ("Rask og god hjelp, tusen takk!", "Veldig hyggelig og løsningsorientert.", "Supert! Alt virker nå."),
    4: ("Takk for god forklaring – nå kan jeg fikse det selv neste gang.", "Bra, men det tok litt tid."),
    3: ("Løst til slutt, men jeg måtte purre.", "Greit nok, men jeg skjønte ikke helt hva som var feil."),
    2: ("Tok lang tid før noen tok kontakt.", "Feilen er ikke helt borte."),
    1: (
        "Tok altfor lang tid, og jeg fikk ikke jobbet på to dager.",
        "Saken ble lukket før jeg fikk sjekket.",
    ),
}

CANNED_RESPONSES = {
    "servicedesk": (
        ("Trenger mer informasjon", "Hei!\n\nFor å hjelpe deg trenger vi et skjermbilde av feilmeldingen og "
         "PC-nummeret (klistremerket under PC-en)."),
        ("Passord tilbakestilt", "Hei!\n\nPassordet ditt er tilbakestilt. Du får et engangspassord på SMS og "
         "velger nytt passord ved første pålogging."),
        ("Omstart først", "Hei!\n\nPrøv å starte PC-en helt på nytt (Start > Av/på > Start på nytt) og gi oss "
         "beskjed om feilen fortsatt er der."),
        ("Sendt videre", "Hei!\n\nSaken er sendt videre til riktig fagmiljø. De tar kontakt med deg direkte."),
    ),
    "klient": (
        ("Utskriftskø tømt", "Hei!\n\nVi har tømt utskriftskøen og startet skriveren på nytt. Prøv å skrive ut "
         "igjen."),
        ("PC til service", "Hei!\n\nPC-en må inn til service. Lever den i IT-skranken i Teknisk bygg, så får du "
         "en lånemaskin."),
        ("Utstyr bestilt", "Hei!\n\nNytt utstyr er bestilt og kommer normalt i løpet av tre virkedager."),
    ),
    "nettverk": (
        ("Kjent feil på trådløst nett", "Hei!\n\nVi kjenner til feilen på det trådløse nettet og jobber med å "
         "rette den. Bruk kablet nett hvis du kan."),
        ("Måling av dekning", "Hei!\n\nVi kommer innom og måler dekningen. Gi oss beskjed om hvilke rom som er "
         "verst."),
        ("Feil hos operatør", "Hei!\n\nFeilen ligger hos operatøren, og vi har meldt den dit. Vi gir beskjed når "
         "den er rettet."),
    ),
    "applikasjoner": (
        ("Meldt til leverandør", "Hei!\n\nVi har meldt feilen til leverandøren og venter på svar. Du hører fra "
         "oss så snart vi vet mer."),
        ("Tøm hurtigbuffer", "Hei!\n\nLukk programmet, tøm hurtigbufferen i nettleseren (Ctrl+Shift+Delete) og "
         "logg inn på nytt."),
        ("Tilgang krever godkjenning", "Hei!\n\nTilgangen må godkjennes av lederen din. Vi har sendt "
         "forespørselen, og du får beskjed når den er godkjent."),
    ),
    "infrastruktur": (
        ("Planlagt vedlikehold", "Hei!\n\nTjenesten var nede på grunn av planlagt vedlikehold. Alt skal virke "
         "normalt nå."),
        ("Fil gjenopprettet", "Hei!\n\nFilen er gjenopprettet fra sikkerhetskopien fra i natt. Sjekk gjerne at "
         "innholdet er riktig."),
        ("Tilgang gitt", "Hei!\n\nTilgangen er gitt. Logg av og på PC-en for at den skal virke."),
    ),
    "skole-ikt": (
        ("Feide-pålogging", "Hei!\n\nElevene logger inn med Feide-brukernavnet sitt (det samme som på "
         "Chromebooken). Glemt passord nullstilles av kontaktlæreren."),
        ("Klasse overført", "Hei!\n\nKlassen er overført fra skoleadministrasjonssystemet og vises i "
         "læringsplattformen innen en time."),
        ("Kommer innom skolen", "Hei!\n\nSkole-IKT kommer innom skolen i morgen og ser på utstyret."),
    ),
}  # fmt: skip

# Minutes until someone reacts and works, per priority: (low, high), drawn log-uniformly.
RESPONSE = {1: (3, 15), 2: (10, 60), 3: (20, 240), 4: (30, 900)}
WORK = {1: (45, 240), 2: (60, 480), 3: (60, 1440), 4: (90, 2400)}
CHANNELS = (
    (Channel.PORTAL, 55),
    (Channel.EMAIL, 15),
    (Channel.PHONE, 18),
    (Channel.CHAT, 7),
    (Channel.WALK_IN, 5),
)
# Relative ticket volume per month: the summer holiday is quiet, school start in August is busy.
SEASON = {
    1: 1.1,
    2: 1.0,
    3: 1.0,
    4: 0.9,
    5: 0.95,
    6: 0.85,
    7: 0.45,
    8: 1.35,
    9: 1.15,
    10: 1.05,
    11: 1.0,
    12: 0.75,
}
# The share of tickets still open (in each state) by age in days: the open backlog of the last weeks.
# "p:x" is pending for reason x; what is left is closed (or cancelled, 5 %).
BACKLOG = (
    (0.25, {"new": 0.6, "assigned": 0.2, "in_progress": 0.15}),
    (1, {"new": 0.25, "assigned": 0.2, "in_progress": 0.3, "p:requester": 0.12}),
    (3, {"new": 0.08, "assigned": 0.12, "in_progress": 0.35, "p:requester": 0.12, "p:supplier": 0.04}),
    (7, {"new": 0.03, "assigned": 0.08, "in_progress": 0.36, "p:requester": 0.07, "p:supplier": 0.05, "p:change": 0.02}),
    (14, {"assigned": 0.05, "in_progress": 0.3, "p:requester": 0.04, "p:supplier": 0.05, "p:change": 0.03}),
    (28, {"in_progress": 0.13, "p:requester": 0.01, "p:supplier": 0.03, "p:change": 0.02}),
    (60, {"in_progress": 0.03, "p:supplier": 0.02, "p:change": 0.01}),
    (math.inf, {"p:supplier": 0.0015, "p:change": 0.001}),
)  # fmt: skip
OFFICE_HOURS = {7: 3, 8: 10, 9: 12, 10: 11, 11: 9, 12: 8, 13: 10, 14: 9, 15: 6}

NEW, ASSIGNED, IN_PROGRESS = Status.NEW, Status.ASSIGNED, Status.IN_PROGRESS
PENDING, RESOLVED, CLOSED, CANCELLED = Status.PENDING, Status.RESOLVED, Status.CLOSED, Status.CANCELLED


class _SafeDict(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def fill(text: str, values: dict) -> str:
    return text.format_map(_SafeDict(values))


# --- Scripts ----------------------------------------------------------------------------------------


@dataclass
class Step:
    at: dt.datetime
    op: str
    kwargs: dict
    state: tuple[str, str] | None = None  # (status, pending reason) after the step, when it changes


@dataclass
class Script:
    """One ticket's planned history; ``ticket`` is the latest instance once it has been created."""

    index: int
    requester: User
    service: Service | None
    priority: int
    problem: Problem | None = None
    steps: list[Step] = field(default_factory=list)
    ticket: Ticket | None = None
    children: list[Script] = field(default_factory=list)
    outage: str = ""  # severity to record as an outage once executed
    outage_by: User | None = None
    wide: str = ""
    final_group: SupportGroup | None = None
    final_agent: User | None = None

    def state_at(self, when: dt.datetime) -> tuple[str, str] | None:
        state = None
        for step in self.steps:
            if step.at > when:
                break
            if step.state:
                state = step.state
        return state

    def first(self, op: str) -> Step | None:
        return next((s for s in self.steps if s.op == op), None)


class _Stop(Exception):
    """The story reached the state the ticket should be in at the reference time."""


@dataclass
class Target:
    status: str
    pending_reason: str = ""
    cancel_at: str = ""  # for cancelled tickets: "requester", "agent" or "no_answer"


class Planner:
    """Appends the steps of one story with business-hours timing, stopping once the target is reached."""

    def __init__(self, gen: Generator, script: Script, target: Target | None, scale: float = 1.0):
        self.gen, self.rng, self.script, self.target, self.scale = gen, gen.rng, script, target, scale
        self.state: tuple[str, str] = (NEW, "")
        self.last: dt.datetime | None = None

    # Timing
    def _minutes(self, low: float, high: float) -> float:
        return math.exp(self.rng.uniform(math.log(low), math.log(high))) * self.scale

    def wall(self, t: dt.datetime, low: float, high: float) -> dt.datetime:
        return t + dt.timedelta(minutes=self._minutes(low, high))

    def business(self, t: dt.datetime, low: float, high: float) -> dt.datetime:
        return add_business_seconds(t, int(self._minutes(low, high) * 60))

    def agent(self, t: dt.datetime, low: float, high: float) -> dt.datetime:
        """An agent's next move: round the clock for P1 and service-wide faults (on call), else office hours."""
        if self.script.priority == 1 or self.script.wide:
            return self.wall(t, low, high)
        return self.business(t, low, high)

    def requester(self, t: dt.datetime, low: float, high: float) -> dt.datetime:
        """Employees answer mostly at work, sometimes in the evening."""
        if self.rng.random() < 0.2:
            candidate = self.wall(t, low, high)
            if 7 <= timezone.localtime(candidate).hour < 22:
                return candidate
        return self.business(t, low, high)

    # Steps
    def emit(self, at: dt.datetime, op: str, state: str | None = None, pending: str = "", **kwargs):
        if self.last is not None:
            at = max(at, self.last + dt.timedelta(seconds=self.rng.randint(20, 90)))
        if op == "pending":
            kwargs["pending_reason"] = pending
        self.script.steps.append(Step(at, op, kwargs, (state, pending) if state else None))
        self.last = at
        if state:
            self.state = (state, pending)
            # An open target may be reached more than once (in progress before and after an escalation):
            # stop at a random one of them. Closed and cancelled stories simply run to their end.
            wanted = (self.target.status, self.target.pending_reason) if self.open_target() else None
            if (state, pending) == wanted and (state == PENDING or self.rng.random() < 0.65):
                raise _Stop
        return at

    def open_target(self) -> bool:
        return self.target is not None and self.target.status in {NEW, ASSIGNED, IN_PROGRESS, PENDING}

    def before_resolve(self) -> None:
        if self.open_target():
            raise _Stop


# --- The generator ----------------------------------------------------------------------------------


@dataclass
class Result:
    created: int = 0
    skipped: bool = False
    seconds: float = 0.0
    by_status: dict = field(default_factory=dict)
    by_priority: dict = field(default_factory=dict)
    by_channel: dict = field(default_factory=dict)
    outages: int = 0
    ratings: int = 0
    average_score: float | None = None
    events: int = 0
    canned_responses: int = 0


class DemoDataMissing(Exception):
    """The municipality (users, groups, services) from seed_demo is not there."""


def already_seeded() -> bool:
    return Ticket.objects.filter(external_id__startswith=EXTERNAL_PREFIX).exists()


def seed_canned_responses() -> int:
    """Create the canned responses that are missing (by group and title); return how many were created."""
    groups = {g.code: g for g in SupportGroup.objects.filter(code__in=CANNED_RESPONSES)}
    created = 0
    for code, responses in CANNED_RESPONSES.items():
        group = groups.get(code)
        if group is None:
            continue
        for title, body in responses:
            _obj, was_created = CannedResponse.objects.get_or_create(
                group=group, title=title, defaults={"body": body}
            )
            created += was_created
    return created


@contextlib.contextmanager
def _bulk_history_speedups():
    """Two speed-ups for writing thousands of past changes through the services; neither changes a row.

    * ``Ticket.full_clean()`` in ``ticket_create``/``ticket_update`` re-checks the model's five CHECK
      constraints in Python, which costs five compiled queries per save (Django's ``Q.check`` annotates
      every field): a third of the whole run. The database enforces exactly these constraints on every
      write (SQLite and PostgreSQL alike), so an invalid row would still abort the run, as an
      IntegrityError instead of a ValidationError. Field validation and uniqueness checks still run.
    * ``render_markdown`` is a pure function of its text, and the same note or resolution recurs often,
      so it is memoised for the run.

    Both are undone on exit, also on error.
    """
    had_own = "validate_constraints" in Ticket.__dict__
    original_validate = Ticket.__dict__.get("validate_constraints")
    original_render = ticket_services.render_markdown
    Ticket.validate_constraints = lambda self, exclude=None, using=None: None
    ticket_services.render_markdown = functools.lru_cache(maxsize=8192)(original_render)
    try:
        yield
    finally:
        ticket_services.render_markdown = original_render
        if had_own:
            Ticket.validate_constraints = original_validate
        else:
            del Ticket.validate_constraints


def generate(*, now: dt.datetime | None = None, count: int = DEFAULT_COUNT) -> Result:
    """Generate the incident history in one transaction, or do nothing if it is already there."""
    started = time.monotonic()
    # Event data stores display labels (status names etc.): write them in the site's own language.
    with translation.override(settings.LANGUAGE_CODE), transaction.atomic():
        canned = seed_canned_responses()
        if already_seeded():
            return Result(skipped=True, canned_responses=canned, seconds=time.monotonic() - started)
        generator = Generator(now=now or timezone.now(), count=count)
        with _bulk_history_speedups():
            generator.run()
        result = generator.summary()
        result.canned_responses = canned
    result.seconds = time.monotonic() - started
    return result


class Generator:
    """Plans the scripts for one reference time and executes them through the ticket services."""

    def __init__(self, *, now: dt.datetime, count: int):
        if timezone.is_naive(now):
            now = timezone.make_aware(now)
        self.now = now
        self.count = count
        self.rng = random.Random(RANDOM_SEED)
        self.zone = timezone.get_default_timezone()
        self.scripts: list[Script] = []
        self.created = 0
        self.ticket_ids: list[int] = []
        self._load()

    # --- Master data ----------------------------------------------------------------------------

    def _load(self) -> None:
        groups = {g.code: g for g in SupportGroup.objects.select_related("lead").order_by("pk")}
        if FIRST_LINE not in groups or not User.objects.filter(username=DEMO_AGENT).exists():
            raise DemoDataMissing(
                "Run `manage.py seed_demo` first: the incidents need its people and services."
            )
        self.groups = groups
        self.first_line = groups[FIRST_LINE]
        self.services = {
            s.code: s
            for s in Service.objects.filter(state=Service.State.LIVE).select_related("support_group")
        }
        members: dict[int, list[User]] = {}
        agent_ids: set[int] = set()
        for group in groups.values():
            people = list(
                group.members.filter(is_active=True).select_related("org_unit").order_by("username")
            )
            members[group.pk] = people
            agent_ids.update(u.pk for u in people)
        self.members = members
        self.users = {u.username: u for u in User.objects.filter(is_active=True).select_related("org_unit")}
        # One instance per person, so the permission and role caches on it are filled once.
        for people in members.values():
            for index, person in enumerate(people):
                people[index] = self.users[person.username]
        demo_usernames = {name for name in self.users if name.startswith("demo.")}
        self.by_unit: dict[str, list[User]] = {}
        everyone = []
        for user in sorted(self.users.values(), key=lambda u: u.username):
            if user.pk in agent_ids or user.username in demo_usernames or user.org_unit is None:
                continue
            if user.org_unit.code.startswith("it-"):
                continue
            everyone.append(user)
            self.by_unit.setdefault(user.org_unit.code, []).append(user)
        self.everyone = everyone
        matrix = dict(DEFAULT_MATRIX)
        matrix.update({(r.impact, r.urgency): r.priority for r in PriorityRule.objects.all()})
        self.matrix = matrix
        self.problems = [p for p in PROBLEMS if p.service is None or p.service in self.services]
        self.problem_weights = [p.weight for p in self.problems]

    def pick_agent(self, group: SupportGroup) -> User:
        people = self.members[group.pk]
        weights = [1.3 if u.username == DEMO_AGENT else 0.4 if u.pk == group.lead_id else 1.0 for u in people]
        return self.rng.choices(people, weights)[0]

    def lead_of(self, group: SupportGroup) -> User:
        lead = self.users.get(group.lead.username) if group.lead_id else None
        return lead or self.pick_agent(group)

    def pick_requester(self, units: Iterable[str] = ()) -> User:
        pool = [u for code in units for u in self.by_unit.get(code, ())]
        if pool and self.rng.random() < 0.9:
            return self.rng.choice(pool)
        return self.rng.choice(self.everyone)

    def values_for(self, requester: User) -> dict:
        rng = self.rng
        school = requester.org_unit.code in SCHOOLS if requester.org_unit else False
        room = f"klasserom {rng.choice('123')}{rng.randint(0, 2)}{rng.randint(1, 9)}" if school else None
        return {
            "sted": requester.office_location or "kontoret",
            "rom": room or f"møterommet {rng.choice(MEETING_ROOMS)}",
            "moterom": rng.choice(MEETING_ROOMS),
            "skole": requester.org_unit.name if requester.org_unit else "skolen",
            "postkasse": rng.choice(SHARED_MAILBOXES) + "eksempel.kommune.no",
            "saksnr": f"{rng.choice((2024, 2025, 2026))}/{rng.randint(100, 9999)}",
            "mobil": f"9{rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(100, 999)}",
            "pcnr": f"K-{rng.randint(10000, 99999)}",
            "klasse": f"{rng.randint(1, 10)}{rng.choice('ABC')}",
            "fornavn": requester.first_name,
        }

    def priority_of(self, impact: int, urgency: int) -> int:
        return self.matrix[(impact, urgency)]

    def home_group(self, service: Service | None) -> SupportGroup:
        return service.support_group if service is not None and service.support_group_id else self.first_line

    def new_script(self, requester: User, service: Service | None, priority: int) -> Script:
        script = Script(index=len(self.scripts), requester=requester, service=service, priority=priority)
        self.scripts.append(script)
        return script

    # --- Calendar -------------------------------------------------------------------------------

    def local(self, day: dt.date, hour: int, minute: int = 0, second: int = 0) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(hour, minute, second), tzinfo=self.zone)

    def business_day(self, back: int) -> dt.date:
        """The business day `back` business days before the reference date (1 = the last one before today)."""
        day = timezone.localtime(self.now).date()
        while back > 0:
            day -= dt.timedelta(days=1)
            if is_business_day(day):
                back -= 1
        return day

    def at(self, back: int, hour: int, minute: int = 0) -> dt.datetime:
        return self.local(self.business_day(back), hour, minute, self.rng.randint(0, 59))

    def auto_close_at(self, resolved_at: dt.datetime) -> dt.datetime:
        """When the quarter-hourly closing job would close a ticket resolved at that instant."""
        local = timezone.localtime(resolved_at)
        day = local.date()
        for _ in range(30):
            day += dt.timedelta(days=1)
            candidate = self.local(day, 0)
            if subtract_business_days(candidate, 5) >= resolved_at:
                break
            same_time = self.local(day, local.hour, local.minute) + dt.timedelta(
                minutes=15 - local.minute % 15
            )
            if same_time.date() == day and subtract_business_days(same_time, 5) >= resolved_at:
                candidate = same_time
                break
        return candidate + dt.timedelta(seconds=self.rng.randint(5, 50))

    def opening_times(self, n: int) -> list[dt.datetime]:
        """Draw n opening times over the last year: office hours on business days, some evenings and weekends."""
        rng = self.rng
        today = timezone.localtime(self.now).date()
        days = [today - dt.timedelta(days=k) for k in range(365)]
        weights = [SEASON[d.month] * (1.0 if is_business_day(d) else 0.07) for d in days]
        cumulative = list(itertools.accumulate(weights))
        hours, hour_weights = list(OFFICE_HOURS), list(OFFICE_HOURS.values())
        times = []
        while len(times) < n:
            day = rng.choices(days, cum_weights=cumulative)[0]
            roll = rng.random()
            if is_business_day(day) and roll < 0.9:
                hour = rng.choices(hours, hour_weights)[0]
            elif is_business_day(day):
                hour = rng.choice((6, 16, 17, 18, 19, 20, 21))
            else:
                hour = rng.randint(8, 21)
            moment = self.local(day, hour, rng.randint(0, 59), rng.randint(0, 59))
            if moment < self.now - dt.timedelta(minutes=5):
                times.append(moment)
        return sorted(times)

    # --- Planning -------------------------------------------------------------------------------

    def run(self) -> None:
        """Plan, execute and record outages; call inside a transaction (``generate`` does)."""
        connection = transaction.get_connection()
        queued_before = len(connection.run_on_commit)
        self.plan()
        self.execute()
        self.record_outages()
        self._drop_notifications(connection, queued_before)

    def plan(self) -> None:
        count = self.count
        children_per_major = min(10, max(3, round(count / 250)))
        duplicates = min(15, max(2, round(count / 170)))
        follow_ups = min(10, max(1, round(count / 250)))
        self.extra_outages = min(13, max(1, round(count / 150)))
        self.plan_showcase()
        self.plan_majors(children_per_major)
        pool = max(0, count - len(self.scripts) - duplicates - follow_ups)
        pool_scripts = [self.plan_pool_ticket(opened) for opened in self.opening_times(pool)]
        self.cut()
        self.plan_duplicates(pool_scripts, duplicates)
        self.plan_follow_ups(pool_scripts, follow_ups)
        self.choose_outages(pool_scripts)
        # Fewer duplicates or follow-ups may have fitted than planned: top up to the count asked for.
        for opened in self.opening_times(max(0, count - len(self.scripts))):
            self.plan_pool_ticket(opened)
        self.cut()

    def cut(self) -> None:
        """Nothing may happen after the reference time: cut every script there (the rest is the future)."""
        limit = self.now - dt.timedelta(seconds=30)
        for script in self.scripts:
            script.steps = [s for s in script.steps if s.at <= limit]

    def pool_target(self, opened: dt.datetime) -> Target:
        """Decide what state a ticket opened at that time is in now: recent ones are often still open."""
        age = (self.now - opened).total_seconds() / 86400
        rng = self.rng
        shares = next(shares for limit, shares in BACKLOG if age < limit)
        roll = rng.random()
        for state, share in shares.items():
            if roll < share:
                if state.startswith("p:"):
                    return Target(PENDING, state[2:])
                return Target(Status(state))
            roll -= share
        if rng.random() < 0.05:
            return Target(
                CANCELLED, cancel_at=rng.choices(("requester", "agent", "no_answer"), (45, 35, 20))[0]
            )
        return Target(CLOSED)

    def plan_pool_ticket(self, opened: dt.datetime) -> Script:
        rng = self.rng
        problem = rng.choices(self.problems, self.problem_weights)[0]
        requester = self.pick_requester(problem.units or self._service_units(problem.service))
        impact, urgency = problem.impact, problem.urgency
        if rng.random() < 0.25 and not problem.wide:
            urgency = min(3, max(1, urgency + rng.choice((-1, 1))))
        channel = rng.choices([c for c, _ in CHANNELS], [w for _, w in CHANNELS])[0]
        local = timezone.localtime(opened)
        office = is_business_day(local.date()) and 8 <= local.hour < 16
        if channel in FIRST_CONTACT_CHANNELS and not office:
            channel = Channel.PORTAL  # the desk is closed: people use the portal
        if problem.wide and office and rng.random() < 0.7:
            channel = Channel.PHONE  # when everything stops, people call
        target = self.pool_target(opened)
        service = self.services.get(problem.service) if problem.service else None
        if target.pending_reason == PendingReason.CHANGE and self.home_group(service) == self.first_line:
            target = Target(PENDING, PendingReason.SUPPLIER)  # the first line makes no changes itself
        if problem.wide and target.status == PENDING:
            target = Target(IN_PROGRESS)
        values = self.values_for(requester)
        spec = {
            "problem": problem,
            "requester": requester,
            "impact": impact,
            "urgency": urgency,
            "channel": channel,
            "opened": opened,
            "values": values,
            "omit_service": problem.service is not None
            and channel in (Channel.PORTAL, Channel.EMAIL)
            and (channel == Channel.EMAIL or rng.random() < 0.3),
        }
        scales = (1.0, 0.5, 0.25, 0.1, 0.03) if target.status not in {CLOSED, CANCELLED} else (1.0,)
        script = None
        for scale in scales:
            if script is not None:
                self.scripts.pop()
            script = self.new_script(requester, service, self.priority_of(impact, urgency))
            script.wide, script.problem = problem.wide, problem
            planner = Planner(self, script, target, scale)
            with contextlib.suppress(_Stop):
                self.story(planner, spec)
            if script.steps[-1].at <= self.now - dt.timedelta(minutes=1):
                break
        return script

    def _service_units(self, code: str | None) -> tuple[str, ...]:
        return {
            "fagsystem-gerica": CARE,
            "fagsystem-barnehage": ("solsikken-barnehage",),
            "skole-laeringsplattform": SCHOOLS,
            "nettverk-skole": SCHOOLS,
            "saksbehandling": CASEWORK,
        }.get(code or "", ())

    def story(self, pl: Planner, spec: dict, *, origin: Script | None = None) -> None:
        """Plan one incident from report to closure (or to its target state) as the service desk works it."""
        rng = self.rng
        problem: Problem = spec["problem"]
        requester: User = spec["requester"]
        values: dict = spec["values"]
        script = pl.script
        service = script.service
        first = self.first_line
        home = self.home_group(service)
        channel = spec["channel"]
        by_agent = channel in FIRST_CONTACT_CHANNELS and origin is None
        t = spec["opened"]
        title = fill(problem.title, values)
        description = fill(problem.description, values)
        solutions = [(code, fill(note, values)) for code, note in problem.solutions]
        target = pl.target

        # Report
        if origin is not None:
            group = origin.final_group or home
            t = pl.emit(
                t, "follow_up", NEW, origin=origin, actor=requester, reason=rng.choice(FOLLOW_UP_REASONS)
            )
        else:
            omit = spec["omit_service"]
            agent = self.pick_agent(first) if by_agent else None
            group = first if (by_agent or omit or service is None) else home
            t = pl.emit(
                t,
                "create",
                NEW,
                requester=requester,
                created_by=agent or requester,
                title=title,
                description=description,
                service=None if omit else service,
                support_group=group,
                impact=spec["impact"],
                urgency=spec["urgency"],
                category="other" if omit else problem.category,
                channel=channel,
            )
        script.final_group = group
        if target and target.status == CANCELLED and target.cancel_at == "requester":
            t = pl.requester(t, 15, 300)
            pl.emit(t, "cancel", CANCELLED, actor=requester, reason=rng.choice(REQUESTER_CANCEL))
            return

        # Pick-up
        working = group
        responded = by_agent
        if by_agent:
            assignee = agent
            t = pl.wall(t, 1, 3)
            t = pl.emit(t, "assign", ASSIGNED, actor=assignee, assignee=assignee)
        else:
            assignee = self.pick_agent(working)
            t = pl.agent(t, *RESPONSE[script.priority])
            actor = assignee if rng.random() < 0.85 else self.lead_of(working)
            t = pl.emit(t, "assign", ASSIGNED, actor=actor, assignee=assignee)
        if origin is None and spec["omit_service"]:
            t = pl.wall(t, 1, 4)
            changes = {"service": service, "category": problem.category}
            t = pl.emit(t, "update", actor=assignee, changes=changes)
        if rng.random() < 0.04:
            up = script.priority > 1 and (script.priority == 4 or rng.random() < 0.6)
            new_priority = script.priority - 1 if up else min(4, script.priority + 1)
            if new_priority != script.priority:
                reason = rng.choice(PRIORITY_UP if up else PRIORITY_DOWN)
                t = pl.wall(t, 1, 5)
                t = pl.emit(t, "override", actor=assignee, priority=new_priority, reason=reason)
                script.priority = new_priority
        reply_values = {"fornavn": requester.first_name}

        def sign(text: str, who: User, grp: SupportGroup, **extra) -> str:
            return fill(text, {**reply_values, "agent": who.first_name, "gruppe": grp.name_nb, **extra})

        # Solved while the caller is on the line
        if by_agent and target.status == CLOSED and rng.random() < problem.fix * 0.75:
            t = pl.wall(t, 3, 15)
            code, note = rng.choice(solutions)
            t = pl.emit(t, "resolve", RESOLVED, actor=assignee, code=code, note=note)
            script.final_agent = assignee
            self.after_resolve(pl, t, script, assignee, working, solutions, sign)
            return

        wants = target.pending_reason if target and target.status == PENDING else ""

        # Escalation from the first line to the service's group (changes are made there)
        escalate = rng.random() >= problem.fix or wants == PendingReason.CHANGE
        if working == first and home != first and escalate:
            steps = rng.choice(TROUBLESHOOTING.get(problem.category, TROUBLESHOOTING["other"]))
            if rng.random() < 0.7:
                t = pl.agent(t, 2, 20)
                body = sign(rng.choice(ESCALATION_REPLIES), assignee, working, ny_gruppe=home.name_nb)
                t = pl.emit(t, "reply", actor=assignee, body=body)
                note = fill(rng.choice(ESCALATION_NOTES), {"steg": steps, "ny_gruppe": home.name_nb})
                t = pl.wall(t, 0.5, 2)
                working = script.final_group = home
                t = pl.emit(t, "escalate", NEW, actor=assignee, group=home, note=note)
                assignee = self.pick_agent(home)
                low, high = RESPONSE[script.priority]
                t = pl.agent(t, low * 1.5, high * 1.5)
                t = pl.emit(t, "assign", ASSIGNED, actor=assignee, assignee=assignee)
            else:
                t = pl.agent(t, 1, 10)
                t = pl.emit(t, "start", IN_PROGRESS, actor=assignee)
                if not responded:
                    t = pl.wall(t, 1, 6)
                    t = pl.emit(
                        t, "reply", actor=assignee, body=sign(rng.choice(FIRST_REPLIES), assignee, working)
                    )
                    responded = True
                receiver = self.pick_agent(home)
                note = fill(
                    rng.choice(HANDOVER_NOTES),
                    {"steg": steps, "ny_gruppe": home.name_nb, "mottaker": receiver.get_full_name()},
                )
                t = pl.agent(t, 15, 120)
                working = script.final_group = home
                t = pl.emit(t, "handover", actor=assignee, group=home, assignee=receiver, note=note)
                assignee = receiver
            responded = False  # the new group introduces itself

        if target and target.status == CANCELLED and target.cancel_at == "agent":
            t = pl.agent(t, 5, 60)
            pl.emit(t, "cancel", CANCELLED, actor=assignee, reason=rng.choice(AGENT_CANCEL))
            return

        # Work
        if pl.state[0] != IN_PROGRESS:
            t = pl.agent(t, 1, 30)
            t = pl.emit(t, "start", IN_PROGRESS, actor=assignee)
        if not responded:
            t = pl.wall(t, 1, 8)
            replies = (
                WIDE_REPLIES if problem.wide else FIRST_REPLIES if working == first else SECOND_LINE_REPLIES
            )
            t = pl.emit(t, "reply", actor=assignee, body=sign(rng.choice(replies), assignee, working))
        supplier = SUPPLIERS.get(service.code if service else "", "leverandøren")
        no_answer = target is not None and target.cancel_at == "no_answer"
        wide = bool(problem.wide)

        if wants == PendingReason.REQUESTER or no_answer or (not wants and not wide and rng.random() < 0.22):
            question = fill(problem.question, values) if problem.question and rng.random() < 0.7 else ""
            question = question or fill(rng.choice(GENERIC_QUESTIONS), values)
            t = pl.agent(t, 5, 120)
            t = pl.emit(
                t, "reply", actor=assignee, body=sign(QUESTION_REPLY, assignee, working, spørsmål=question)
            )
            t = pl.wall(t, 0.5, 2)
            reason = PENDING_REASONS[PendingReason.REQUESTER]
            t = pl.emit(t, "pending", PENDING, PendingReason.REQUESTER, actor=assignee, reason=reason)
            if no_answer or rng.random() < 0.08:
                t = pl.business(t, 960, 1440)
                t = pl.emit(t, "reply", actor=assignee, body=sign(REMINDERS[0], assignee, working))
                t = pl.business(t, 960, 1440)
                if no_answer:
                    pl.emit(t, "cancel", CANCELLED, actor=assignee, reason=NO_ANSWER_CANCEL)
                    return
                pl.before_resolve()
                t = pl.emit(
                    t, "resolve", RESOLVED, actor=assignee, code="no_fault", note=NO_ANSWER_RESOLUTION
                )
                script.final_agent = assignee
                self.after_resolve(pl, t, script, assignee, working, solutions, sign, rate=False)
                return
            answer = (
                fill(problem.answer, values) if problem.answer else fill(rng.choice(GENERIC_ANSWERS), values)
            )
            t = pl.requester(t, 20, 960)
            t = pl.emit(t, "requester_reply", IN_PROGRESS, actor=requester, body=answer)

        if wants == PendingReason.SUPPLIER or (not wants and rng.random() < problem.supplier):
            ref = f"{rng.choice('CSR')}{rng.randint(100000, 999999)}"
            t = pl.agent(t, 10, 180)
            t = pl.emit(
                t,
                "note",
                actor=assignee,
                body=fill(rng.choice(SUPPLIER_NOTES), {"leverandør": supplier, "ref": ref}),
            )
            t = pl.wall(t, 1, 5)
            body = sign(SUPPLIER_REPLIES[0], assignee, working, leverandør=supplier)
            t = pl.emit(t, "reply", actor=assignee, body=body)
            t = pl.wall(t, 0.5, 2)
            reason = PENDING_REASONS[PendingReason.SUPPLIER]
            t = pl.emit(t, "pending", PENDING, PendingReason.SUPPLIER, actor=assignee, reason=reason)
            t = pl.wall(t, 30, 240) if wide else pl.business(t, 480, 4800)
            t = pl.emit(
                t, "note", actor=assignee, body=fill(rng.choice(SUPPLIER_DONE), {"leverandør": supplier})
            )
            t = pl.wall(t, 1, 10)
            t = pl.emit(t, "resume", IN_PROGRESS, actor=assignee)

        if wants == PendingReason.CHANGE or (not wants and not wide and rng.random() < problem.change):
            t = pl.agent(t, 30, 480)
            t = pl.emit(t, "note", actor=assignee, body=rng.choice(CHANGE_NOTES))
            t = pl.wall(t, 1, 5)
            reason = PENDING_REASONS[PendingReason.CHANGE]
            t = pl.emit(t, "pending", PENDING, PendingReason.CHANGE, actor=assignee, reason=reason)
            t = pl.business(t, 1440, 7200)
            t = pl.emit(t, "note", actor=assignee, body=rng.choice(CHANGE_DONE))
            t = pl.wall(t, 1, 10)
            t = pl.emit(t, "resume", IN_PROGRESS, actor=assignee)

        if rng.random() < 0.3:
            t = pl.agent(t, 10, 240)
            t = pl.emit(t, "note", actor=assignee, body=rng.choice(WORK_NOTES))

        pl.before_resolve()
        t = pl.agent(t, *WORK[script.priority])
        code, note = rng.choice(solutions)
        t = pl.emit(t, "resolve", RESOLVED, actor=assignee, code=code, note=note)
        script.final_agent = assignee
        self.after_resolve(pl, t, script, assignee, working, solutions, sign)

    def after_resolve(self, pl, t, script, agent, group, solutions, sign, *, rate: bool = True) -> None:
        """Reopen now and then, then confirmation by the requester or the closing job, and a rating."""
        rng = self.rng
        requester = script.requester
        first_note = script.steps[-1].kwargs.get("note", "")
        reopened = rng.random() < 0.05 and not script.wide
        if reopened:
            t = pl.requester(t, 60, 960)
            t = pl.emit(t, "reopen", IN_PROGRESS, actor=requester, reason=rng.choice(REOPEN_REASONS))
            t = pl.agent(t, 10, 240)
            t = pl.emit(t, "reply", actor=agent, body=sign(rng.choice(REOPEN_REPLIES), agent, group))
            t = pl.agent(t, *WORK[script.priority])
            others = [s for s in solutions if s[1] != first_note] or [("solved", SECOND_FIX)]
            code, note = rng.choice(others)
            t = pl.emit(t, "resolve", RESOLVED, actor=agent, code=code, note=note)
        resolved_at = t
        rating = None
        if rate and rng.random() < 0.36:
            bad = reopened or (resolved_at - script.steps[0].at) > dt.timedelta(days=8)
            weights = (15, 15, 25, 25, 20) if bad else (4, 4, 9, 27, 56)
            score = rng.choices((1, 2, 3, 4, 5), weights)[0]
            comment = rng.choice(RATING_COMMENTS[score]) if rng.random() < 0.45 else ""
            rating = {"score": score, "comment": comment}
        if rng.random() < 0.3:
            t = pl.requester(t, 10, 900)
            t = pl.emit(t, "confirm", CLOSED, actor=requester)
            if rating:
                t = pl.wall(t, 0.3, 3)
                pl.emit(t, "rate", actor=requester, **rating)
            return
        close_at = self.auto_close_at(resolved_at)
        if rating:
            rated_at = pl.requester(resolved_at, 20, 1400)
            if rated_at < close_at - dt.timedelta(minutes=2):
                pl.emit(rated_at, "rate", actor=requester, **rating)
                rating = None
        pl.emit(close_at, "close", CLOSED, actor=None)
        if rating:
            pl.emit(pl.requester(close_at, 60, 1400), "rate", actor=requester, **rating)

    # --- Special scripts ------------------------------------------------------------------------

    def scripted(
        self, requester: User, service_code: str | None, impact: int, urgency: int
    ) -> tuple[Script, Planner]:
        service = self.services.get(service_code) if service_code else None
        script = self.new_script(requester, service, self.priority_of(impact, urgency))
        return script, Planner(self, script, None)

    def plan_showcase(self) -> None:
        """The tickets the demo logins meet first: Kari's own cases, Sofie's queue, the unassigned pile."""
        rng = self.rng
        kari = self.users.get(DEMO_REQUESTER)
        sofie = self.users[DEMO_AGENT]
        first = self.first_line
        klient, nettverk = self.groups.get("klient"), self.groups.get("nettverk")
        skole = self.groups.get("skole-ikt") or first
        gruppeleder = self.users.get("demo.gruppeleder")
        now = self.now

        def hi(name: str) -> str:
            return f"Hei {name}!\n\n"

        if kari is not None and klient is not None and nettverk is not None:
            # 1. Resolved yesterday, waiting for Kari to confirm.
            s, pl = self.scripted(kari, "utskrift", 2, 2)
            agent = self.pick_agent(klient)
            pl.emit(
                self.at(3, 8, 12),
                "create",
                NEW,
                requester=kari,
                created_by=kari,
                title="Skriveren på lærerrommet skriver ikke ut",
                description="Skriveren på lærerrommet tar imot jobben, men ingenting kommer ut. Displayet viser "
                "ingen feil. Vi er mange som bruker den før første time.",
                service=s.service,
                impact=2,
                urgency=2,
                category="printing",
                channel=Channel.PORTAL,
            )
            pl.emit(self.at(3, 9, 5), "assign", ASSIGNED, actor=agent, assignee=agent)
            pl.emit(self.at(3, 9, 7), "start", IN_PROGRESS, actor=agent)
            pl.emit(
                self.at(3, 9, 9),
                "reply",
                actor=agent,
                body=hi("Kari") + "Vi kommer innom lærerrommet i "
                f"morgen tidlig og ser på skriveren.\n\nHilsen {agent.first_name}, {klient.name_nb}",
            )
            pl.emit(
                self.at(2, 8, 40),
                "note",
                actor=agent,
                body="Fikseringsenheten er slitt. Bestilt ny fra Canon.",
            )
            pl.emit(
                self.at(1, 13, 40),
                "resolve",
                RESOLVED,
                actor=agent,
                code="solved",
                note="Fikseringsenheten i skriveren var slitt og er byttet. Skriv gjerne ut en testside.",
            )
            # 2. Waiting for Kari's answer.
            s, pl = self.scripted(kari, "skole-laeringsplattform", 3, 2)
            agent = self.pick_agent(skole)
            pl.emit(
                self.at(2, 19, 48),
                "create",
                NEW,
                requester=kari,
                created_by=kari,
                title="Får ikke logget inn på læringsplattformen",
                description="Jeg får «Ingen tilgang» når jeg logger inn med Feide. Jeg må legge ut ukeplanen.",
                service=s.service,
                impact=3,
                urgency=2,
                category="access",
                channel=Channel.PORTAL,
            )
            pl.emit(self.at(1, 8, 20), "assign", ASSIGNED, actor=agent, assignee=agent)
            pl.emit(self.at(1, 8, 22), "start", IN_PROGRESS, actor=agent)
            pl.emit(
                self.at(1, 8, 25),
                "reply",
                actor=agent,
                body=hi("Kari") + "Får du feilmeldingen både på PC "
                "og på mobil? Send gjerne et skjermbilde av den.\n\n"
                f"Hilsen {agent.first_name}, {skole.name_nb}",
            )
            pl.emit(
                self.at(1, 8, 27),
                "pending",
                PENDING,
                PendingReason.REQUESTER,
                actor=agent,
                reason=PENDING_REASONS[PendingReason.REQUESTER],
            )
            # 3. Escalated to the network team, in progress with the group lead.
            s, pl = self.scripted(kari, "nettverk-skole", 2, 2)
            desk = self.pick_agent(first)
            lead = gruppeleder or self.pick_agent(nettverk)
            pl.emit(
                self.at(4, 10, 15),
                "create",
                NEW,
                requester=kari,
                created_by=desk,
                title="Treg wifi i klasserom 204",
                description="Kari ringer: nettet er så tregt i klasserom 204 at elevene ikke får åpnet "
                "oppgavene. Verst i tredje og fjerde time.",
                service=s.service,
                support_group=first,
                impact=2,
                urgency=2,
                category="network",
                channel=Channel.PHONE,
            )
            pl.emit(self.at(4, 10, 17), "assign", ASSIGNED, actor=desk, assignee=desk)
            pl.emit(
                self.at(4, 10, 24),
                "reply",
                actor=desk,
                body=hi("Kari") + "Takk for praten. Jeg har sendt "
                f"saken til {nettverk.name_nb}, som måler dekningen i rommet.\n\nHilsen {desk.first_name}",
            )
            pl.emit(
                self.at(4, 10, 26),
                "escalate",
                NEW,
                actor=desk,
                group=nettverk,
                note="Flere elever på samme tilgangspunkt. Trenger måling av dekning i rom 204.",
            )
            pl.emit(self.at(3, 9, 2), "assign", ASSIGNED, actor=lead, assignee=lead)
            pl.emit(self.at(3, 9, 4), "start", IN_PROGRESS, actor=lead)
            pl.emit(
                self.at(3, 9, 10),
                "reply",
                actor=lead,
                body=hi("Kari") + "Vi kommer og måler dekningen i "
                f"rom 204 i løpet av uka.\n\nHilsen {lead.first_name}, {nettverk.name_nb}",
            )
            pl.emit(
                self.at(1, 14, 30),
                "note",
                actor=lead,
                body="Målt: tilgangspunktet i gangen har 45 klienter i "
                "tredje time. Foreslår nytt tilgangspunkt i rom 204.",
            )
            # 4. Reported this morning: still new.
            s, pl = self.scripted(kari, "epost", 3, 2)
            pl.emit(
                now - dt.timedelta(minutes=rng.randint(40, 90)),
                "create",
                NEW,
                requester=kari,
                created_by=kari,
                title="Outlook synkroniserer ikke kalenderen",
                description="Møter jeg godtar på mobilen kommer ikke inn i Outlook på PC-en. Foreldresamtalene "
                "neste uke ligger bare på mobilen.",
                service=s.service,
                impact=3,
                urgency=2,
                category="software",
                channel=Channel.PORTAL,
            )
            # 5. Closed three weeks ago and rated.
            s, pl = self.scripted(kari, "klient-pc", 2, 1)
            agent = self.pick_agent(klient)
            pl.emit(
                self.at(16, 8, 5),
                "create",
                NEW,
                requester=kari,
                created_by=kari,
                title="Projektoren i klasserom 112 viser ikke bilde",
                description="Projektoren står på, men viser «Ingen signal» når jeg kobler til PC-en. "
                "Jeg har undervisning hele dagen.",
                service=s.service,
                impact=2,
                urgency=1,
                category="hardware",
                channel=Channel.PORTAL,
            )
            pl.emit(self.at(16, 8, 21), "assign", ASSIGNED, actor=agent, assignee=agent)
            pl.emit(self.at(16, 8, 23), "start", IN_PROGRESS, actor=agent)
            pl.emit(
                self.at(16, 8, 25),
                "reply",
                actor=agent,
                body=hi("Kari") + "Jeg er på skolen før lunsj og "
                f"tar med en ny kabel.\n\nHilsen {agent.first_name}",
            )
            pl.emit(
                self.at(16, 11, 35),
                "resolve",
                RESOLVED,
                actor=agent,
                code="solved",
                note="HDMI-kabelen i veggen var ødelagt. Den er byttet, og projektoren virker.",
            )
            pl.emit(self.at(16, 12, 10), "confirm", CLOSED, actor=kari)
            pl.emit(
                self.at(16, 12, 12), "rate", actor=kari, score=5, comment="Kjempefornøyd – fikset før lunsj!"
            )
            # 6. Withdrawn by Kari.
            s, pl = self.scripted(kari, "okonomi-lonn", 3, 2)
            pl.emit(
                self.at(30, 14, 2),
                "create",
                NEW,
                requester=kari,
                created_by=kari,
                title="Får ikke logget inn på Visma",
                description="Jeg skal levere timelisten, men får feilmelding når jeg logger inn i Visma.",
                service=s.service,
                impact=3,
                urgency=2,
                category="access",
                channel=Channel.PORTAL,
            )
            pl.emit(
                self.at(30, 14, 44),
                "cancel",
                CANCELLED,
                actor=kari,
                reason="Det gikk i orden etter at jeg byttet passord. Takk likevel!",
            )

        # Sofie's own queue in the first line.
        lead = self.lead_of(first)
        sofie_cases = (
            ("identitet", "Får ikke kode på SMS ved pålogging", "Jeg har fått nytt mobilnummer og får ikke kode "
             "når jeg logger inn hjemmefra.", "access", Channel.PORTAL, "assigned"),
            ("klient-pc", "PC-en er veldig treg etter oppdateringen", "Etter oppdateringen i går tar alt lang tid, "
             "og Outlook henger.", "hardware", Channel.EMAIL, "in_progress"),
            ("fillagring", "Mangler tilgang til fellesområdet til enheten", "Jeg er ny i enheten og ser ikke "
             "fellesområdet de andre bruker.", "access", Channel.CHAT, "in_progress"),
            ("telefoni", "Knust skjerm på jobbmobilen", "Jeg mistet mobilen i trappa, og skjermen er knust.",
             "hardware", Channel.PHONE, "supplier"),
            ("utskrift", "Skanning til e-post virker ikke", "Når jeg skanner til e-post, kommer det ingen e-post.",
             "printing", Channel.PORTAL, "requester"),
            ("utskrift", "Ny skriver på personalrommet må legges inn", "Vi har fått ny skriver på personalrommet, "
             "men den finnes ikke i listen over skrivere.", "printing", Channel.EMAIL, "change"),
        )  # fmt: skip
        for index, (code, title, description, category, channel, fate) in enumerate(sofie_cases):
            requester = self.pick_requester()
            s, pl = self.scripted(requester, code, 3, 2)
            day = 1 + index % 3
            by_phone = channel in FIRST_CONTACT_CHANNELS
            opened = self.at(day + 1, 9 + index, rng.randint(0, 50))
            pl.emit(
                opened,
                "create",
                NEW,
                requester=requester,
                created_by=sofie if by_phone else requester,
                title=title,
                description=description,
                service=s.service if by_phone else None,
                support_group=first,
                impact=3,
                urgency=2,
                category=category,
                channel=channel,
            )
            assigner = sofie if by_phone else lead
            t = pl.emit(
                opened + dt.timedelta(minutes=rng.randint(2, 40)),
                "assign",
                ASSIGNED,
                actor=assigner,
                assignee=sofie,
            )
            if fate == "assigned":
                continue
            t = pl.emit(self.at(day, 8, rng.randint(5, 40)), "start", IN_PROGRESS, actor=sofie)
            body = fill(
                FIRST_REPLIES[index % len(FIRST_REPLIES)],
                {"fornavn": requester.first_name, "agent": sofie.first_name, "gruppe": first.name_nb},
            )
            t = pl.emit(t + dt.timedelta(minutes=2), "reply", actor=sofie, body=body)
            if fate == "supplier":
                t = pl.emit(
                    t + dt.timedelta(minutes=5),
                    "note",
                    actor=sofie,
                    body="Mobilen er sendt til reparasjon hos Telenor, referanse R-48213.",
                )
                pl.emit(
                    t + dt.timedelta(minutes=6),
                    "pending",
                    PENDING,
                    PendingReason.SUPPLIER,
                    actor=sofie,
                    reason=PENDING_REASONS[PendingReason.SUPPLIER],
                )
            elif fate == "requester":
                t = pl.emit(
                    t + dt.timedelta(minutes=5),
                    "reply",
                    actor=sofie,
                    body=fill(
                        QUESTION_REPLY,
                        {
                            "fornavn": requester.first_name,
                            "agent": sofie.first_name,
                            "spørsmål": "Hvilken skriver bruker du, og hvilken e-postadresse skanner du til?",
                        },
                    ),
                )
                pl.emit(
                    t + dt.timedelta(minutes=6),
                    "pending",
                    PENDING,
                    PendingReason.REQUESTER,
                    actor=sofie,
                    reason=PENDING_REASONS[PendingReason.REQUESTER],
                )
            elif fate == "change":
                t = pl.emit(t + dt.timedelta(minutes=5), "note", actor=sofie, body=CHANGE_NOTES[0])
                pl.emit(
                    t + dt.timedelta(minutes=6),
                    "pending",
                    PENDING,
                    PendingReason.CHANGE,
                    actor=sofie,
                    reason=PENDING_REASONS[PendingReason.CHANGE],
                )
            elif code == "fillagring":
                pl.emit(
                    t + dt.timedelta(minutes=20),
                    "note",
                    actor=sofie,
                    body="Venter på at lederen bekrefter hvilket område hun skal ha.",
                )

        # Unassigned in the first line: reported by email or without a service since the last business day.
        unassigned = (
            (
                "Hjelp med ny PC",
                "Jeg har fått ny PC og trenger hjelp med å flytte over filene og skriverne.",
                "hardware",
            ),
            (
                "Tilgangskortet virker ikke på skriveren",
                "Kortet virker på døren, men ikke på skriveren.",
                "printing",
            ),
            (
                "Mus og tastatur virker ikke",
                "Verken musen eller tastaturet reagerer når jeg kobler dem til PC-en.",
                "hardware",
            ),
            (
                "Feilmelding når Teams starter",
                "Teams viser «Noe gikk galt» og en feilkode når jeg starter det.",
                "software",
            ),
            ("Kan ikke åpne PDF-filer", "Når jeg dobbeltklikker på en PDF, skjer det ingenting.", "software"),
        )
        for index, (title, description, category) in enumerate(unassigned):
            requester = self.pick_requester()
            s, pl = self.scripted(requester, None, 3, 2 if index % 2 else 1)
            opened = (
                (now - dt.timedelta(minutes=rng.randint(15, 240)))
                if index < 3
                else self.at(1, 15, 10 + index * 7)
            )
            pl.emit(
                opened,
                "create",
                NEW,
                requester=requester,
                created_by=requester,
                title=title,
                description=description,
                service=None,
                support_group=first,
                impact=3,
                urgency=2 if index % 2 else 1,
                category=category,
                channel=Channel.EMAIL if index % 2 else Channel.PORTAL,
            )

    def plan_majors(self, children: int) -> None:
        """Two major incidents with an outage and children: Gerica down one morning, the town hall network."""
        rng = self.rng
        first = self.first_line
        majors = (
            {
                "days": 95,
                "hour": (7, 42),
                "service": "fagsystem-gerica",
                "units": CARE,
                "severity": Outage.Severity.DOWN,
                "title": "Gerica er utilgjengelig for hele pleie og omsorg",
                "description": "Flere ringer fra hjemmetjenesten og Bergeland helsehus: Gerica svarer ikke, "
                "verken på PC eller mobil. Morgenvaktene får ikke sett tiltaksplaner eller dokumentert.",
                "notes": (
                    "Tietoevry varslet, deres referanse S-230117. Databaseserveren svarer ikke.",
                    "Leverandøren har flyttet databasen til reservenoden. Tester innlogging.",
                ),
                "resolution": "Databaseserveren for Gerica stoppet etter en feil på lagringen. Leverandøren har "
                "flyttet databasen til reservenoden, og Gerica virker igjen for alle. Dokumentasjon som ble "
                "gjort på papir i perioden, må føres inn i etterkant.",
                "work": (130, 170),
                "child_titles": (
                    "Får ikke åpnet Gerica",
                    "Gerica henger ved pålogging",
                    "Mobil Gerica virker ikke",
                    "Får ikke dokumentert besøk",
                    "Gerica svarer ikke",
                ),
            },
            {
                "days": 40,
                "hour": (10, 5),
                "service": "nettverk-kontor",
                "units": (*CASEWORK, "regnskap", "lonn"),
                "severity": Outage.Severity.DOWN,
                "title": "Nettverket er nede i hele rådhuset",
                "description": "Ingen i rådhuset har nett, verken kablet eller trådløst. Telefonene på pultene er "
                "også døde. Mange ringer servicedesken.",
                "notes": (
                    "Kjernesvitsjen i rådhuset svarer ikke. Drar til nettverksrommet.",
                    "Strømforsyningen i svitsjen har røket. Bytter til reservesvitsj.",
                ),
                "resolution": "Strømforsyningen i kjernesvitsjen i rådhuset røk. Vi har byttet til reservesvitsjen, "
                "og nettet er tilbake i alle etasjer. Ny strømforsyning er bestilt.",
                "work": (90, 120),
                "child_titles": (
                    "Får ikke koblet til nettverket",
                    "Internett virker ikke",
                    "Teams-møtet falt ut og jeg kommer ikke inn igjen",
                    "Skriveren svarer ikke",
                    "Ingen nett på kontoret",
                ),
            },
        )
        for spec in majors:
            service = self.services.get(spec["service"])
            if service is None:
                continue
            group = self.home_group(service)
            day = timezone.localtime(self.now).date() - dt.timedelta(days=spec["days"])
            while not is_business_day(day):
                day -= dt.timedelta(days=1)
            t0 = self.local(day, *spec["hour"])
            caller = self.pick_requester(spec["units"])
            desk = self.pick_agent(first)
            lead = self.lead_of(group)
            category = "network" if service.code == "nettverk-kontor" else "software"
            parent, pl = self.scripted(caller, spec["service"], 1, 1)
            parent.outage, parent.outage_by = spec["severity"], lead
            t = pl.emit(
                t0,
                "create",
                NEW,
                requester=caller,
                created_by=desk,
                title=spec["title"],
                description=spec["description"],
                service=service,
                support_group=first,
                impact=1,
                urgency=1,
                category=category,
                channel=Channel.PHONE,
            )
            t = pl.emit(t + dt.timedelta(minutes=2), "assign", ASSIGNED, actor=desk, assignee=desk)
            t = pl.emit(
                t + dt.timedelta(minutes=3),
                "note",
                actor=desk,
                body="Mange ringer om det samme. Oppretter storhendelse og varsler gruppelederen.",
            )
            t = pl.emit(
                t + dt.timedelta(minutes=2),
                "handover",
                actor=desk,
                group=group,
                assignee=lead,
                note=f"{lead.get_full_name()} leder storhendelsen.",
            )
            t = pl.emit(t + dt.timedelta(minutes=2), "start", IN_PROGRESS, actor=lead)
            t = pl.emit(
                t + dt.timedelta(minutes=4),
                "reply",
                actor=lead,
                body=f"Hei {caller.first_name}!\n\nVi har en alvorlig driftsforstyrrelse og jobber med å rette "
                f"den. Vi legger ut driftsmelding på intranettet.\n\nHilsen {lead.first_name}, {group.name_nb}",
            )
            work = rng.randint(*spec["work"])
            end = t0 + dt.timedelta(minutes=work)
            for index, note in enumerate(spec["notes"]):
                pl.emit(
                    t0 + dt.timedelta(minutes=20 + index * (work - 40) // len(spec["notes"])),
                    "note",
                    actor=lead,
                    body=note,
                )
            pl.emit(end, "resolve", RESOLVED, actor=lead, code="solved", note=spec["resolution"])
            close = self.auto_close_at(end)
            pl.emit(close, "close", CLOSED, actor=None)
            # The calls that kept coming while it was down.
            for index in range(children):
                requester = self.pick_requester(spec["units"])
                opened = t0 + dt.timedelta(minutes=6 + index * (work - 30) / children + rng.uniform(0, 5))
                child, cp = self.scripted(requester, spec["service"], 2, 1)
                parent.children.append(child)
                phone = rng.random() < 0.6
                agent = self.pick_agent(first)
                ct = cp.emit(
                    opened,
                    "create",
                    NEW,
                    requester=requester,
                    created_by=agent if phone else requester,
                    title=spec["child_titles"][index % len(spec["child_titles"])],
                    description="Det virker ikke, og kollegaene mine har samme problem.",
                    service=service,
                    support_group=first if phone else None,
                    impact=2,
                    urgency=1,
                    category=category,
                    channel=Channel.PHONE if phone else Channel.PORTAL,
                )
                if not phone:
                    body = fill(
                        KNOWN_ERROR_REPLY,
                        {"fornavn": requester.first_name, "agent": agent.first_name, "gruppe": first.name_nb},
                    )
                    ct = cp.emit(
                        ct + dt.timedelta(minutes=rng.randint(2, 6)), "reply", actor=agent, body=body
                    )
                cp.emit(ct + dt.timedelta(minutes=1), "set_parent", actor=agent, parent=parent)
                if rng.random() < 0.25:
                    cp.emit(pl.requester(end, 10, 600), "confirm", CLOSED, actor=requester)
                else:
                    cp.emit(close + dt.timedelta(seconds=index + 1), "close", CLOSED, actor=None)
                if rng.random() < 0.3:
                    score = rng.choices((2, 3, 4, 5), (10, 25, 35, 30))[0]
                    comment = rng.choice(RATING_COMMENTS[score]) if rng.random() < 0.5 else ""
                    cp.emit(
                        cp.last + dt.timedelta(minutes=rng.randint(5, 300)),
                        "rate",
                        actor=requester,
                        score=score,
                        comment=comment,
                    )

    def plan_duplicates(self, pool: list[Script], wanted: int) -> None:
        """A colleague reports the same shared fault while it is being worked on; it is merged into the first.

        Only faults that hit more than one person (impact high or medium) get duplicates, from the same unit.
        """
        rng = self.rng
        candidates = [
            s for s in pool
            if s.first("resolve") and s.service is not None and s.first("create").at < self.now - dt.timedelta(days=3)
            and s.first("create").kwargs["channel"] not in FIRST_CONTACT_CHANNELS
            and s.first("create").kwargs["impact"] <= 2
        ]  # fmt: skip
        rng.shuffle(candidates)
        made = 0
        for master in candidates:
            if made >= wanted:
                break
            opened = master.first("create").at
            resolved = master.first("resolve").at
            window = (resolved - opened).total_seconds() / 60
            if window < 90:
                continue
            created = opened + dt.timedelta(minutes=rng.uniform(10, min(240, window - 60)))
            create = master.first("create").kwargs
            colleagues = [
                u for u in self.by_unit.get(master.requester.org_unit.code, ()) if u != master.requester
            ]
            if not colleagues:
                continue
            requester = rng.choice(colleagues)
            dup, pl = self.scripted(requester, master.service.code, create["impact"], create["urgency"])
            local = timezone.localtime(created)
            by_phone = is_business_day(local.date()) and 8 <= local.hour < 16
            agent = self.pick_agent(self.first_line if by_phone else self.home_group(master.service))
            t = pl.emit(
                created,
                "create",
                NEW,
                requester=requester,
                created_by=agent if by_phone else requester,
                title=create["title"],
                description=("Ringer om samme feil: " if by_phone else "") + create["description"],
                service=master.service,
                support_group=self.first_line if by_phone else None,
                impact=create["impact"],
                urgency=create["urgency"],
                category=create["category"],
                channel=Channel.PHONE if by_phone else Channel.PORTAL,
            )
            t = pl.wall(t, 2, 8) if by_phone else pl.agent(t, 10, 120)
            t = pl.emit(
                t, "reply", actor=agent, body=MergeReply(requester.first_name, agent.first_name, master)
            )
            merge_at = t + dt.timedelta(minutes=1)
            state = master.state_at(merge_at)
            if merge_at >= resolved or state is None or state[0] not in {NEW, ASSIGNED, IN_PROGRESS, PENDING}:
                self.scripts.remove(dup)
                continue
            pl.emit(merge_at, "merge", CLOSED, actor=agent, master=master)
            made += 1
        self._renumber()

    def plan_follow_ups(self, pool: list[Script], wanted: int) -> None:
        """A few closed incidents come back weeks later as follow-ups."""
        rng = self.rng
        candidates = []
        for script in pool:
            close = next((s for s in script.steps if s.op in {"close", "confirm"}), None)
            if close and close.at < self.now - dt.timedelta(days=25) and script.problem and script.service:
                candidates.append((script, close.at))
        rng.shuffle(candidates)
        for origin, closed_at in candidates[:wanted]:
            opened = add_business_seconds(closed_at, rng.randint(3, 15) * 8 * 3600)
            create = origin.first("create").kwargs
            script = self.new_script(origin.requester, origin.service, origin.priority)
            spec = {
                "problem": origin.problem,
                "requester": origin.requester,
                "impact": create["impact"],
                "urgency": create["urgency"],
                "channel": Channel.PORTAL,
                "opened": opened,
                "values": self.values_for(origin.requester),
                "omit_service": False,
            }
            with contextlib.suppress(_Stop):
                self.story(Planner(self, script, Target(CLOSED)), spec, origin=origin)

    def choose_outages(self, pool: list[Script]) -> None:
        """Record outages on service-wide P1/P2 incidents, spread over the year."""
        wide = [s for s in pool if s.wide and s.priority <= 2 and s.first("resolve")]
        others = [s for s in pool if not s.wide and s.priority <= 2 and s.first("resolve") and s.service]
        chosen = wide[:: max(1, len(wide) // self.extra_outages)][: self.extra_outages] if wide else []
        if len(chosen) < self.extra_outages:
            chosen += others[: self.extra_outages - len(chosen)]
        for script in chosen:
            script.outage = script.wide or Outage.Severity.DEGRADED
            script.outage_by = script.final_agent

    def _renumber(self) -> None:
        for index, script in enumerate(self.scripts):
            script.index = index

    # --- Execution ------------------------------------------------------------------------------

    def execute(self) -> None:
        steps = [(step.at, script.index, order, script, step) for script in self.scripts
                 for order, step in enumerate(script.steps)]  # fmt: skip
        steps.sort(key=lambda item: item[:3])
        self.by_pk: dict[int, Script] = {}
        for _at, _index, _order, script, step in steps:
            getattr(self, f"_op_{step.op}")(script, step.at, **step.kwargs)

    def _register(self, script: Script, ticket: Ticket) -> None:
        self.created += 1
        external_id = f"{EXTERNAL_PREFIX}{self.created:04d}"
        Ticket.objects.filter(pk=ticket.pk).update(external_id=external_id)
        ticket.external_id = external_id
        script.ticket = ticket
        self.by_pk[ticket.pk] = script
        self.ticket_ids.append(ticket.pk)

    def _op_create(self, script, at, **kwargs):
        self._register(script, ticket_services.ticket_create(now=at, **kwargs))

    def _op_follow_up(self, script, at, *, origin, actor, reason):
        ticket = ticket_services.ticket_reopen_closed(
            ticket=origin.ticket, actor=actor, reason=reason, now=at
        )
        self._register(script, ticket)

    def _update(self, script, at, actor, changes, reason=""):
        script.ticket = ticket_services.ticket_update(
            ticket=script.ticket, actor=actor, version=None, changes=changes, reason=reason, now=at
        )

    def _op_assign(self, script, at, *, actor, assignee):
        self._update(script, at, actor, {"assignee": assignee})

    def _op_update(self, script, at, *, actor, changes):
        self._update(script, at, actor, changes)

    def _op_override(self, script, at, *, actor, priority, reason):
        self._update(script, at, actor, {"priority": priority}, reason)

    def _op_escalate(self, script, at, *, actor, group, note):
        # As the workspace's escalate action does: new group, nobody assigned, an internal note. The
        # ticket also goes back to "new", so that an unassigned ticket is not left "assigned".
        self._update(script, at, actor, {"support_group": group, "assignee": None})
        if script.ticket.status == ASSIGNED:
            self._transition(script, at, actor, Move(to=NEW))
        self._comment(script, at, actor, note, public=False)

    def _op_handover(self, script, at, *, actor, group, assignee, note):
        self._comment(script, at, actor, note, public=False)
        self._update(script, at, actor, {"support_group": group, "assignee": assignee})

    def _transition(self, script, at, actor, move):
        script.ticket = ticket_services.ticket_transition(
            ticket=script.ticket, actor=actor, move=move, version=None, now=at
        )

    def _op_start(self, script, at, *, actor):
        self._transition(script, at, actor, Move(to=IN_PROGRESS))

    _op_resume = _op_start

    def _op_pending(self, script, at, *, actor, reason, pending_reason):
        self._transition(script, at, actor, Move(to=PENDING, pending_reason=pending_reason, reason=reason))

    def _op_resolve(self, script, at, *, actor, code, note):
        self._transition(script, at, actor, Move(to=RESOLVED, resolution_code=code, resolution_note=note))
        if script.children:
            for child in ticket_services.resolve_children(parent=script.ticket, actor=actor, now=at):
                self.by_pk[child.pk].ticket = child

    def _op_confirm(self, script, at, *, actor):
        self._transition(script, at, actor, Move(to=CLOSED))

    _op_close = _op_confirm

    def _op_reopen(self, script, at, *, actor, reason):
        self._transition(script, at, actor, Move(to=IN_PROGRESS, reason=reason))

    def _op_cancel(self, script, at, *, actor, reason):
        self._transition(script, at, actor, Move(to=CANCELLED, reason=reason))

    def _comment(self, script, at, actor, body, *, public):
        text = body(self) if callable(body) else body
        event = ticket_services.ticket_comment(
            ticket=script.ticket, actor=actor, body=text, public=public, now=at
        )
        script.ticket = event.ticket

    def _op_reply(self, script, at, *, actor, body):
        self._comment(script, at, actor, body, public=True)

    _op_requester_reply = _op_reply

    def _op_note(self, script, at, *, actor, body):
        self._comment(script, at, actor, body, public=False)

    def _op_rate(self, script, at, *, actor, score, comment):
        ticket_services.ticket_rate(ticket=script.ticket, actor=actor, score=score, comment=comment, now=at)

    def _op_merge(self, script, at, *, actor, master):
        script.ticket = ticket_services.ticket_merge(
            duplicate=script.ticket, master=master.ticket, actor=actor, now=at
        )

    def _op_set_parent(self, script, at, *, actor, parent):
        script.ticket = ticket_services.ticket_set_parent(
            child=script.ticket, parent=parent.ticket, actor=actor, now=at
        )

    def record_outages(self) -> None:
        """Write the outage records of the resolved P1/P2 incidents chosen for one (no domain function)."""
        rng = self.rng
        for script in self.scripts:
            if not script.outage or script.ticket is None:
                continue
            ticket = Ticket.objects.get(pk=script.ticket.pk)
            if ticket.resolved_at is None or ticket.service_id is None:
                continue
            start = ticket.opened_at - dt.timedelta(minutes=rng.randint(4, 25))
            recorded = min(ticket.resolved_at + dt.timedelta(minutes=rng.randint(5, 90)), self.now)
            Outage.objects.create(
                incident=ticket,
                service_id=ticket.service_id,
                severity=script.outage,
                start=start,
                end=ticket.resolved_at,
                recorded_by=script.outage_by or ticket.assignee or self.lead_of(ticket.support_group),
                recorded_at=recorded,
            )

    def _drop_notifications(self, connection, queued_before: int) -> None:
        # Every domain call queued a browser broadcast and usually a notification job with on_commit.
        # This is a year of invented history: it must not email 300 people or page the agents when the
        # transaction commits. Drop exactly the callbacks this run queued (keeping any an outer caller
        # queued before us), and any in-app notification rows, before the commit.
        connection.run_on_commit = connection.run_on_commit[:queued_before]
        Notification.objects.filter(ticket__external_id__startswith=EXTERNAL_PREFIX).delete()

    # --- Summary --------------------------------------------------------------------------------

    def summary(self) -> Result:
        tickets = Ticket.objects.filter(external_id__startswith=EXTERNAL_PREFIX).order_by()
        ratings = SatisfactionRating.objects.filter(ticket__in=tickets)

        def per(field_name: str) -> dict:
            return dict(sorted(tickets.values_list(field_name).annotate(n=Count("pk"))))

        return Result(
            created=len(self.ticket_ids),
            by_status=per("status"),
            by_priority=per("priority"),
            by_channel=per("channel"),
            outages=Outage.objects.filter(incident__in=tickets).count(),
            ratings=ratings.count(),
            average_score=ratings.aggregate(avg=Avg("score"))["avg"],
            events=TicketEvent.objects.filter(ticket__in=tickets).count(),
        )


class MergeReply:
    """A reply body that names the master ticket, whose number is only known once it has been created."""

    def __init__(self, first_name: str, agent_name: str, master: Script):
        self.first_name, self.agent_name, self.master = first_name, agent_name, master

    def __call__(self, _generator: Generator) -> str:
        return fill(
            MERGE_REPLY,
            {"fornavn": self.first_name, "agent": self.agent_name, "master": self.master.ticket.number},
        )

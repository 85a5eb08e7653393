"""Static data for the demo municipality built by ``manage.py seed_demo``.

Plain Python tables only: the command in ``people/management/commands/seed_demo.py`` reads them.
Codes and usernames here are stable keys; changing one makes the seed create a new row rather than
update the old one.
"""

from decimal import Decimal

# Shared by every demo login (and only by them); all other seeded users get unusable passwords.
DEMO_PASSWORD = "demo-servicedesk-2026"  # noqa: S105 - a published demo password, not a secret
EMAIL_DOMAIN = "eksempel.kommune.no"
RANDOM_SEED = 2026

FIRST_NAMES = (
    "Anne",
    "Inger",
    "Kari",
    "Marit",
    "Ingrid",
    "Liv",
    "Eva",
    "Berit",
    "Astrid",
    "Bjørg",
    "Hilde",
    "Anna",
    "Solveig",
    "Marianne",
    "Randi",
    "Ida",
    "Nina",
    "Maria",
    "Elisabeth",
    "Kristin",
    "Silje",
    "Ingeborg",
    "Tone",
    "Camilla",
    "Nora",
    "Emma",
    "Sofie",
    "Åse",
    "Gro",
    "Tuva",
    "Jan",
    "Per",
    "Bjørn",
    "Ole",
    "Lars",
    "Kjell",
    "Knut",
    "Arne",
    "Svein",
    "Hans",
    "Geir",
    "Thomas",
    "Tor",
    "Morten",
    "Terje",
    "Odd",
    "Erik",
    "Martin",
    "Anders",
    "Rune",
    "Jonas",
    "Magnus",
    "Sindre",
    "Håkon",
    "Øyvind",
    "Trond",
    "Eirik",
    "Stian",
    "Jørgen",
    "Sander",
)

LAST_NAMES = (
    "Hansen",
    "Johansen",
    "Olsen",
    "Larsen",
    "Andersen",
    "Pedersen",
    "Nilsen",
    "Kristiansen",
    "Jensen",
    "Karlsen",
    "Johnsen",
    "Pettersen",
    "Eriksen",
    "Berg",
    "Haugen",
    "Hagen",
    "Johannessen",
    "Andreassen",
    "Jacobsen",
    "Dahl",
    "Jørgensen",
    "Henriksen",
    "Lund",
    "Halvorsen",
    "Sørensen",
    "Jakobsen",
    "Moen",
    "Gundersen",
    "Iversen",
    "Strand",
    "Solberg",
    "Svendsen",
    "Eide",
    "Knutsen",
    "Martinsen",
    "Paulsen",
    "Bakken",
    "Kristoffersen",
    "Mathisen",
    "Lie",
    "Amundsen",
    "Nguyen",
    "Rasmussen",
    "Ali",
    "Lunde",
    "Solheim",
    "Berge",
    "Moe",
    "Nygård",
    "Bakke",
    "Kristensen",
    "Fredriksen",
    "Holm",
    "Lien",
    "Hauge",
    "Christensen",
    "Andresen",
    "Nielsen",
    "Knudsen",
    "Sæther",
    "Aasen",
    "Myklebust",
    "Bjørnstad",
)

# Job titles for staff who sit directly in a sector or a department (not in a unit below it).
SECTOR_STAFF_TITLES = ("Rådgiver", "Spesialrådgiver", "Seniorrådgiver")
DEPARTMENT_STAFF_TITLES = ("Rådgiver", "Fagkonsulent", "Konsulent")

# The organisation tree. Every node has a stable code (a slug), a Norwegian name, a cost centre,
# an office location, a manager title and a headcount ("size", the manager included). Units also
# list the job titles their staff are drawn from. A node whose manager is a demo login names it in
# "manager" and needs no generated manager.
ORG_TREE = (
    {
        "code": "oppvekst",
        "name": "Oppvekst og utdanning",
        "cost_centre": "K1100",
        "office": "Rådhuset, 4. etasje",
        "manager_title": "Kommunalsjef",
        "size": 2,
        "departments": (
            {
                "code": "oppvekst-skole",
                "name": "Skole",
                "cost_centre": "K1110",
                "office": "Rådhuset, 4. etasje",
                "manager_title": "Skolesjef",
                "size": 2,
                "units": (
                    {
                        "code": "haugen-skole",
                        "name": "Haugen skole",
                        "cost_centre": "K1111",
                        "office": "Haugen skole",
                        "manager_title": "Rektor",
                        "size": 26,
                        "titles": (
                            "Lærer",
                            "Lærer",
                            "Lærer",
                            "Lektor",
                            "Spesialpedagog",
                            "Miljøterapeut",
                            "Skolesekretær",
                            "Assistent",
                        ),
                    },
                    {
                        "code": "fjellvang-skole",
                        "name": "Fjellvang skole",
                        "cost_centre": "K1112",
                        "office": "Fjellvang skole",
                        "manager_title": "Rektor",
                        "size": 22,
                        "titles": (
                            "Lærer",
                            "Lærer",
                            "Lærer",
                            "Lektor",
                            "Spesialpedagog",
                            "Skolesekretær",
                            "Assistent",
                            "SFO-leder",
                        ),
                    },
                    {
                        "code": "nordbo-ungdomsskole",
                        "name": "Nordbø ungdomsskole",
                        "cost_centre": "K1113",
                        "office": "Nordbø ungdomsskole",
                        "manager_title": "Rektor",
                        "size": 24,
                        "titles": (
                            "Lektor",
                            "Lektor",
                            "Lærer",
                            "Lærer",
                            "Rådgiver",
                            "Miljøarbeider",
                            "Skolesekretær",
                        ),
                    },
                ),
            },
            {
                "code": "oppvekst-barnehage",
                "name": "Barnehage",
                "cost_centre": "K1120",
                "office": "Rådhuset, 4. etasje",
                "manager_title": "Barnehagesjef",
                "size": 1,
                "units": (
                    {
                        "code": "solsikken-barnehage",
                        "name": "Solsikken barnehage",
                        "cost_centre": "K1121",
                        "office": "Solsikken barnehage",
                        "manager_title": "Styrer",
                        "size": 14,
                        "titles": (
                            "Barnehagelærer",
                            "Pedagogisk leder",
                            "Barne- og ungdomsarbeider",
                            "Assistent",
                            "Assistent",
                        ),
                    },
                ),
            },
        ),
    },
    {
        "code": "helse",
        "name": "Helse og velferd",
        "cost_centre": "K1200",
        "office": "Rådhuset, 5. etasje",
        "manager_title": "Kommunalsjef",
        "size": 2,
        "departments": (
            {
                "code": "helse-pleie-omsorg",
                "name": "Pleie og omsorg",
                "cost_centre": "K1210",
                "office": "Bergeland helsehus, administrasjonen",
                "manager_title": "Avdelingsleder",
                "size": 2,
                "units": (
                    {
                        "code": "bergeland-helsehus",
                        "name": "Bergeland helsehus",
                        "cost_centre": "K1211",
                        "office": "Bergeland helsehus",
                        "manager_title": "Enhetsleder",
                        "size": 28,
                        "titles": (
                            "Sykepleier",
                            "Sykepleier",
                            "Helsefagarbeider",
                            "Helsefagarbeider",
                            "Fagutviklingssykepleier",
                            "Ergoterapeut",
                            "Assistent",
                        ),
                    },
                    {
                        "code": "hjemmetjenesten",
                        "name": "Hjemmetjenesten",
                        "cost_centre": "K1212",
                        "office": "Bergeland helsehus, 1. etasje",
                        "manager_title": "Enhetsleder",
                        "manager": "demo.leder",
                        "size": 20,
                        "titles": (
                            "Sykepleier",
                            "Helsefagarbeider",
                            "Helsefagarbeider",
                            "Vernepleier",
                            "Assistent",
                        ),
                    },
                ),
            },
            {
                "code": "helse-mestring",
                "name": "Helse og mestring",
                "cost_centre": "K1220",
                "office": "Helsesenteret, 2. etasje",
                "manager_title": "Avdelingsleder",
                "size": 1,
                "units": (
                    {
                        "code": "helsestasjonen",
                        "name": "Helsestasjonen",
                        "cost_centre": "K1221",
                        "office": "Helsesenteret, 1. etasje",
                        "manager_title": "Enhetsleder",
                        "size": 10,
                        "titles": (
                            "Helsesykepleier",
                            "Helsesykepleier",
                            "Jordmor",
                            "Fysioterapeut",
                            "Merkantil medarbeider",
                        ),
                    },
                ),
            },
        ),
    },
    {
        "code": "byplan",
        "name": "By- og samfunnsplanlegging",
        "cost_centre": "K1300",
        "office": "Rådhuset, 6. etasje",
        "manager_title": "Kommunalsjef",
        "size": 2,
        "departments": (
            {
                "code": "byplan-plan-bygg",
                "name": "Plan og bygg",
                "cost_centre": "K1310",
                "office": "Rådhuset, 6. etasje",
                "manager_title": "Avdelingsleder",
                "size": 1,
                "units": (
                    {
                        "code": "byggesak",
                        "name": "Byggesak",
                        "cost_centre": "K1311",
                        "office": "Rådhuset, 6. etasje",
                        "manager_title": "Fagleder",
                        "size": 9,
                        "titles": ("Byggesaksbehandler", "Byggesaksbehandler", "Ingeniør", "Arkitekt"),
                    },
                    {
                        "code": "arealplan",
                        "name": "Arealplan",
                        "cost_centre": "K1312",
                        "office": "Rådhuset, 6. etasje",
                        "manager_title": "Fagleder",
                        "size": 7,
                        "titles": ("Arealplanlegger", "Arealplanlegger", "Arkitekt", "GIS-rådgiver"),
                    },
                ),
            },
        ),
    },
    {
        "code": "kultur",
        "name": "Kultur og næring",
        "cost_centre": "K1400",
        "office": "Kulturhuset, 2. etasje",
        "manager_title": "Kommunalsjef",
        "size": 2,
        "departments": (
            {
                "code": "kultur-kultur",
                "name": "Kultur og bibliotek",
                "cost_centre": "K1410",
                "office": "Kulturhuset, 2. etasje",
                "manager_title": "Kultursjef",
                "size": 1,
                "units": (
                    {
                        "code": "hovedbiblioteket",
                        "name": "Hovedbiblioteket",
                        "cost_centre": "K1411",
                        "office": "Hovedbiblioteket",
                        "manager_title": "Biblioteksjef",
                        "size": 8,
                        "titles": ("Bibliotekar", "Bibliotekar", "Biblioteksassistent", "Formidler"),
                    },
                    {
                        "code": "kulturskolen",
                        "name": "Kulturskolen",
                        "cost_centre": "K1412",
                        "office": "Kulturhuset, 1. etasje",
                        "manager_title": "Rektor",
                        "size": 8,
                        "titles": ("Kulturskolelærer", "Musikkpedagog", "Dansepedagog"),
                    },
                ),
            },
        ),
    },
    {
        "code": "innbyggerdialog",
        "name": "Innbyggerdialog",
        "cost_centre": "K1500",
        "office": "Rådhuset, 1. etasje",
        "manager_title": "Kommunalsjef",
        "size": 1,
        "departments": (
            {
                "code": "innbyggerdialog-service",
                "name": "Service og kommunikasjon",
                "cost_centre": "K1510",
                "office": "Rådhuset, 1. etasje",
                "manager_title": "Avdelingsleder",
                "size": 1,
                "units": (
                    {
                        "code": "servicetorget",
                        "name": "Servicetorget",
                        "cost_centre": "K1511",
                        "office": "Rådhuset, 1. etasje",
                        "manager_title": "Teamleder",
                        "size": 7,
                        "titles": ("Førstelinjemedarbeider", "Førstelinjemedarbeider", "Veileder"),
                    },
                    {
                        "code": "kommunikasjon",
                        "name": "Kommunikasjon",
                        "cost_centre": "K1512",
                        "office": "Rådhuset, 2. etasje",
                        "manager_title": "Kommunikasjonssjef",
                        "size": 5,
                        "titles": ("Kommunikasjonsrådgiver", "Webredaktør", "Innholdsprodusent"),
                    },
                    {
                        "code": "dokumentsenteret",
                        "name": "Dokumentsenteret",
                        "cost_centre": "K1513",
                        "office": "Rådhuset, kjelleren",
                        "manager_title": "Arkivleder",
                        "size": 6,
                        "titles": ("Arkivar", "Dokumentforvalter", "Arkivmedarbeider"),
                    },
                ),
            },
        ),
    },
    {
        "code": "okonomi",
        "name": "Økonomi",
        "cost_centre": "K1600",
        "office": "Rådhuset, 3. etasje",
        "manager_title": "Økonomisjef",
        "size": 1,
        "departments": (
            {
                "code": "okonomi-regnskap-lonn",
                "name": "Regnskap og lønn",
                "cost_centre": "K1610",
                "office": "Rådhuset, 3. etasje",
                "manager_title": "Avdelingsleder",
                "size": 1,
                "units": (
                    {
                        "code": "regnskap",
                        "name": "Regnskap",
                        "cost_centre": "K1611",
                        "office": "Rådhuset, 3. etasje",
                        "manager_title": "Regnskapssjef",
                        "size": 7,
                        "titles": (
                            "Regnskapsmedarbeider",
                            "Regnskapsmedarbeider",
                            "Controller",
                            "Innkjøpsrådgiver",
                        ),
                    },
                    {
                        "code": "lonn",
                        "name": "Lønn",
                        "cost_centre": "K1612",
                        "office": "Rådhuset, 3. etasje",
                        "manager_title": "Lønnssjef",
                        "size": 6,
                        "titles": ("Lønnskonsulent", "Lønnskonsulent", "Lønnsrådgiver"),
                    },
                ),
            },
        ),
    },
    {
        "code": "organisasjon",
        "name": "Organisasjon og HR",
        "cost_centre": "K1700",
        "office": "Rådhuset, 2. etasje",
        "manager_title": "Organisasjonsdirektør",
        "size": 1,
        "departments": (
            {
                "code": "organisasjon-hr",
                "name": "HR",
                "cost_centre": "K1710",
                "office": "Rådhuset, 2. etasje",
                "manager_title": "HR-sjef",
                "size": 1,
                "units": (
                    {
                        "code": "hr-radgivning",
                        "name": "HR-rådgivning",
                        "cost_centre": "K1711",
                        "office": "Rådhuset, 2. etasje",
                        "manager_title": "Fagleder",
                        "size": 6,
                        "titles": ("HR-rådgiver", "HR-rådgiver", "HMS-rådgiver", "Rekrutteringsrådgiver"),
                    },
                ),
            },
            {
                "code": "it-avdelingen",
                "name": "IT-avdelingen",
                "cost_centre": "K1750",
                "office": "Teknisk bygg, 2. etasje",
                "manager_title": "IT-sjef",
                "size": 1,
                "units": (
                    {
                        "code": "it-servicedesk",
                        "name": "Servicedesk",
                        "cost_centre": "K1751",
                        "office": "Teknisk bygg, 1. etasje",
                        "manager_title": "Teamleder servicedesk",
                        "size": 7,
                        "titles": ("Servicedeskmedarbeider", "Servicedeskmedarbeider", "IT-konsulent"),
                    },
                    {
                        "code": "it-klient",
                        "name": "Klient og utskrift",
                        "cost_centre": "K1752",
                        "office": "Teknisk bygg, 1. etasje",
                        "manager_title": "Teamleder klient",
                        "size": 6,
                        "titles": ("IT-tekniker", "Klientansvarlig", "IT-konsulent"),
                    },
                    {
                        "code": "it-nettverk",
                        "name": "Nettverk og telefoni",
                        "cost_centre": "K1753",
                        "office": "Teknisk bygg, 2. etasje",
                        "manager_title": "Fagleder nettverk",
                        "size": 5,
                        "titles": ("Nettverksingeniør", "Nettverksingeniør", "Telefoniansvarlig"),
                    },
                    {
                        "code": "it-applikasjoner",
                        "name": "Applikasjoner og integrasjon",
                        "cost_centre": "K1754",
                        "office": "Teknisk bygg, 2. etasje",
                        "manager_title": "Teamleder applikasjoner",
                        "size": 7,
                        "titles": ("Applikasjonsforvalter", "Systemkonsulent", "Integrasjonsutvikler"),
                    },
                    {
                        "code": "it-drift",
                        "name": "Drift og infrastruktur",
                        "cost_centre": "K1755",
                        "office": "Teknisk bygg, datasenteret",
                        "manager_title": "Driftsleder",
                        "size": 6,
                        "titles": ("Driftstekniker", "Systemadministrator", "Sikkerhetsrådgiver"),
                    },
                    {
                        "code": "it-skole",
                        "name": "Skole-IKT",
                        "cost_centre": "K1756",
                        "office": "Teknisk bygg, 1. etasje",
                        "manager_title": "Teamleder skole-IKT",
                        "size": 5,
                        "titles": ("IKT-veileder", "IT-tekniker skole"),
                    },
                ),
            },
        ),
    },
    {
        "code": "bymiljo",
        "name": "Miljø og teknikk",
        "cost_centre": "K1800",
        "office": "Teknisk bygg, 3. etasje",
        "manager_title": "Kommunalsjef",
        "size": 2,
        "departments": (
            {
                "code": "bymiljo-vei-park",
                "name": "Vei og park",
                "cost_centre": "K1810",
                "office": "Driftsstasjonen Sandvik",
                "manager_title": "Avdelingsleder",
                "size": 1,
                "units": (
                    {
                        "code": "vei-og-park",
                        "name": "Veidrift og grøntanlegg",
                        "cost_centre": "K1811",
                        "office": "Driftsstasjonen Sandvik",
                        "manager_title": "Driftsleder",
                        "size": 14,
                        "titles": (
                            "Anleggsarbeider",
                            "Maskinfører",
                            "Gartner",
                            "Parkarbeider",
                            "Fagarbeider",
                        ),
                    },
                ),
            },
            {
                "code": "bymiljo-vann-avlop",
                "name": "Vann og avløp",
                "cost_centre": "K1820",
                "office": "Vannverket Storevatn",
                "manager_title": "Avdelingsleder",
                "size": 1,
                "units": (
                    {
                        "code": "vannverket",
                        "name": "Vannverket",
                        "cost_centre": "K1821",
                        "office": "Vannverket Storevatn",
                        "manager_title": "Driftsleder",
                        "size": 8,
                        "titles": ("VA-ingeniør", "Driftsoperatør", "Driftsoperatør", "Fagarbeider"),
                    },
                ),
            },
        ),
    },
)

# One login per role. "roles" are role codes from people/roles.py; every seeded user also gets the
# employee role. "role" is the label printed in the command's summary.
DEMO_USERS = (
    {
        "username": "demo.ansatt",
        "first_name": "Kari",
        "last_name": "Nordmann",
        "role": "employee",
        "roles": (),
        "org_unit": "haugen-skole",
        "job_title": "Lærer",
        "office": "Haugen skole",
    },
    {
        "username": "demo.leder",
        "first_name": "Ola",
        "last_name": "Nordmann",
        "role": "approver",
        "roles": ("approver",),
        "org_unit": "hjemmetjenesten",
        "job_title": "Enhetsleder",
        "office": "Bergeland helsehus, 1. etasje",
    },
    {
        "username": "demo.agent",
        "first_name": "Sofie",
        "last_name": "Lindqvist",
        "role": "agent",
        "roles": ("agent",),
        "org_unit": "it-servicedesk",
        "job_title": "Servicedeskmedarbeider",
        "office": "Teknisk bygg, 1. etasje",
    },
    {
        "username": "demo.gruppeleder",
        "first_name": "Anders",
        "last_name": "Fjeldstad",
        "role": "group_lead",
        "roles": ("agent", "group_lead", "cab_member"),
        "org_unit": "it-nettverk",
        "job_title": "Teamleder nettverk",
        "office": "Teknisk bygg, 2. etasje",
    },
    {
        "username": "demo.endring",
        "first_name": "Marte",
        "last_name": "Vik",
        "role": "change_manager",
        "roles": ("change_manager", "cab_member"),
        "org_unit": "it-avdelingen",
        "job_title": "Endringsleder",
        "office": "Teknisk bygg, 2. etasje",
    },
    {
        "username": "demo.tjenesteeier",
        "first_name": "Henrik",
        "last_name": "Aune",
        "role": "service_owner",
        "roles": ("service_owner", "cab_member"),
        "org_unit": "it-avdelingen",
        "job_title": "Tjenesteeier samhandling",
        "office": "Teknisk bygg, 2. etasje",
    },
    {
        "username": "demo.ledelse",
        "first_name": "Randi",
        "last_name": "Tveit",
        "role": "management_reader",
        "roles": ("management_reader",),
        "org_unit": "okonomi",
        "job_title": "Virksomhetscontroller",
        "office": "Rådhuset, 3. etasje",
    },
    {
        "username": "demo.admin",
        "first_name": "Jon",
        "last_name": "Brekke",
        "role": "administrator",
        "roles": ("administrator",),
        "org_unit": "it-drift",
        "job_title": "Systemadministrator",
        "office": "Teknisk bygg, datasenteret",
        "is_staff": True,
    },
)

# Support groups. Members are the generated staff of "unit" plus the demo logins in "extra_members";
# the lead is "lead" (a demo username) or else the unit's manager.
SUPPORT_GROUPS = (
    {
        "code": "servicedesk",
        "name_nb": "1. linje servicedesk",
        "name_en": "Service desk (first line)",
        "email": "servicedesk@eksempel.kommune.no",
        "is_first_line": True,
        "unit": "it-servicedesk",
        "extra_members": ("demo.agent",),
    },
    {
        "code": "klient",
        "name_nb": "Klient/PC",
        "name_en": "Client/PC",
        "email": "it-klient@eksempel.kommune.no",
        "is_first_line": False,
        "unit": "it-klient",
    },
    {
        "code": "nettverk",
        "name_nb": "Nettverk",
        "name_en": "Network",
        "email": "it-nettverk@eksempel.kommune.no",
        "is_first_line": False,
        "unit": "it-nettverk",
        "extra_members": ("demo.gruppeleder",),
        "lead": "demo.gruppeleder",
    },
    {
        "code": "applikasjoner",
        "name_nb": "Applikasjoner og fagsystemer",
        "name_en": "Applications and line-of-business systems",
        "email": "it-applikasjoner@eksempel.kommune.no",
        "is_first_line": False,
        "unit": "it-applikasjoner",
    },
    {
        "code": "infrastruktur",
        "name_nb": "Infrastruktur og datasenter",
        "name_en": "Infrastructure and data centre",
        "email": "it-drift@eksempel.kommune.no",
        "is_first_line": False,
        "unit": "it-drift",
    },
    {
        "code": "skole-ikt",
        "name_nb": "Skole-IKT",
        "name_en": "School IT",
        "email": "skole-ikt@eksempel.kommune.no",
        "is_first_line": False,
        "unit": "it-skole",
    },
)

SERVICE_CATEGORIES = (
    {
        "code": "samhandling",
        "name_nb": "Samhandling og kontorstøtte",
        "name_en": "Collaboration and office",
        "sort_order": 10,
    },
    {
        "code": "arbeidsplass",
        "name_nb": "Arbeidsplass og utstyr",
        "name_en": "Workplace and devices",
        "sort_order": 20,
    },
    {
        "code": "nettverk-tilgang",
        "name_nb": "Nettverk og tilgang",
        "name_en": "Network and access",
        "sort_order": 30,
    },
    {
        "code": "fagsystemer",
        "name_nb": "Fagsystemer",
        "name_en": "Line-of-business systems",
        "sort_order": 40,
    },
    {"code": "skole", "name_nb": "Skole og læring", "name_en": "Schools and learning", "sort_order": 50},
    {
        "code": "innbygger",
        "name_nb": "Tjenester for innbyggere",
        "name_en": "Services for residents",
        "sort_order": 60,
    },
)

# Services, in dependency order: a service only depends on services listed before it.
# "owner" is a demo username, or "manager:<unit code>" for the manager of that unit.
SERVICES = (
    {
        "code": "nettverk-kontor",
        "name_nb": "Nettverk på kontor",
        "name_en": "Office network",
        "description_nb": (
            "Kablet og trådløst nettverk i rådhuset, helsehusene og de andre kommunale byggene. "
            "Nettverket kobler PC-er, skrivere og telefoner til fagsystemene og til internett. "
            "Meld fra hvis nettet er tregt eller borte på arbeidsplassen din."
        ),
        "description_en": (
            "Wired and wireless network in the town hall, the health centres and the other municipal "
            "buildings. It connects PCs, printers and phones to the business systems and the internet. "
            "Let us know if the network is slow or down where you work."
        ),
        "category": "nettverk-tilgang",
        "owner": "manager:it-nettverk",
        "support_group": "nettverk",
        "criticality": 1,
        "state": "live",
        "availability_target": Decimal("99.900"),
        "in_public_report": True,
        "depends_on": (),
    },
    {
        "code": "identitet",
        "name_nb": "Pålogging og tilgang",
        "name_en": "Sign-in and access",
        "description_nb": (
            "Brukerkontoen din, passordet og tofaktorpåloggingen som gir deg tilgang til PC og "
            "fagsystemer. Her bestiller du også tilganger for nye medarbeidere. "
            "Har du glemt passordet, kan du bytte det selv fra påloggingssiden."
        ),
        "description_en": (
            "Your user account, password and two-factor sign-in, which give you access to your PC and "
            "the business systems. This is also where you order access for new colleagues. "
            "If you have forgotten your password you can reset it yourself from the sign-in page."
        ),
        "category": "nettverk-tilgang",
        "owner": "manager:it-drift",
        "support_group": "infrastruktur",
        "criticality": 1,
        "state": "live",
        "availability_target": Decimal("99.900"),
        "in_public_report": True,
        "depends_on": ("nettverk-kontor",),
    },
    {
        "code": "nettverk-skole",
        "name_nb": "Nettverk i skolene",
        "name_en": "School network",
        "description_nb": (
            "Trådløst nettverk for elever og ansatte på alle skolene i kommunen. "
            "Elevene logger på med Feide, ansatte med kommunekontoen sin. "
            "Kontakt skole-IKT hvis et klasserom mangler dekning."
        ),
        "description_en": (
            "Wireless network for pupils and staff at every school in the municipality. "
            "Pupils sign in with Feide, staff with their municipal account. "
            "Contact school IT if a classroom has no coverage."
        ),
        "category": "nettverk-tilgang",
        "owner": "manager:it-skole",
        "support_group": "nettverk",
        "criticality": 2,
        "state": "live",
        "availability_target": Decimal("99.500"),
        "in_public_report": True,
        "depends_on": ("identitet",),
    },
    {
        "code": "microsoft-365",
        "name_nb": "Microsoft 365",
        "name_en": "Microsoft 365",
        "description_nb": (
            "Teams, Word, Excel, PowerPoint og de andre Microsoft 365-programmene, i nettleseren og på PC. "
            "Du får lisens automatisk når du starter i kommunen. "
            "Her melder du feil og bestiller opplæring eller ekstra funksjoner."
        ),
        "description_en": (
            "Teams, Word, Excel, PowerPoint and the other Microsoft 365 apps, in the browser and on your PC. "
            "You get a licence automatically when you start working for the municipality. "
            "Report faults and order training or extra features here."
        ),
        "category": "samhandling",
        "owner": "demo.tjenesteeier",
        "support_group": "applikasjoner",
        "criticality": 2,
        "state": "live",
        "availability_target": Decimal("99.700"),
        "in_public_report": True,
        "depends_on": ("identitet", "nettverk-kontor"),
    },
    {
        "code": "epost",
        "name_nb": "E-post og kalender",
        "name_en": "Email and calendar",
        "description_nb": (
            "Din e-postkasse og kalender i Outlook, på PC, nettbrett og mobil. "
            "Du kan også få tilgang til felles postkasser og møterom for enheten din. "
            "Meld fra hvis e-post ikke kommer fram eller kalenderen ikke oppdateres."
        ),
        "description_en": (
            "Your mailbox and calendar in Outlook, on PC, tablet and phone. "
            "You can also get access to shared mailboxes and meeting rooms for your unit. "
            "Tell us if email does not arrive or your calendar does not update."
        ),
        "category": "samhandling",
        "owner": "demo.tjenesteeier",
        "support_group": "applikasjoner",
        "criticality": 1,
        "state": "live",
        "availability_target": Decimal("99.900"),
        "in_public_report": True,
        "depends_on": ("identitet", "nettverk-kontor"),
    },
    {
        "code": "fillagring",
        "name_nb": "Filområder og OneDrive",
        "name_en": "File storage and OneDrive",
        "description_nb": (
            "Lagring av dokumenter i OneDrive, Teams-områder og de felles filområdene til enheten. "
            "Filene tas vare på med sikkerhetskopi, og slettede filer kan ofte gjenopprettes. "
            "Be om hjelp hvis du trenger et nytt fellesområde eller mer plass."
        ),
        "description_en": (
            "Storage for documents in OneDrive, Teams sites and your unit's shared file areas. "
            "Files are backed up, and deleted files can often be restored. "
            "Ask for help if you need a new shared area or more space."
        ),
        "category": "samhandling",
        "owner": "demo.tjenesteeier",
        "support_group": "infrastruktur",
        "criticality": 2,
        "state": "live",
        "availability_target": Decimal("99.700"),
        "in_public_report": True,
        "depends_on": ("identitet", "microsoft-365"),
    },
    {
        "code": "videomote",
        "name_nb": "Videomøterom",
        "name_en": "Video conference rooms",
        "description_nb": (
            "Det gamle videokonferanseutstyret i møterommene i rådhuset. "
            "Tjenesten er faset ut og erstattet av Teams-møter i Microsoft 365. "
            "Bruk Teams-rommene når du skal ha møter med deltakere utenfor huset."
        ),
        "description_en": (
            "The old video conference equipment in the town hall meeting rooms. "
            "The service has been retired and replaced by Teams meetings in Microsoft 365. "
            "Use the Teams rooms for meetings with people outside the building."
        ),
        "category": "samhandling",
        "owner": "demo.tjenesteeier",
        "support_group": "klient",
        "criticality": 4,
        "state": "retired",
        "availability_target": Decimal("99.000"),
        "in_public_report": False,
        "depends_on": ("nettverk-kontor",),
    },
    {
        "code": "klient-pc",
        "name_nb": "PC og nettbrett",
        "name_en": "PCs and tablets",
        "description_nb": (
            "Bærbar PC, skjerm, dokkingstasjon og nettbrett til jobben. "
            "Utstyret leveres ferdig satt opp med programmene du trenger. "
            "Her bestiller du nytt utstyr og melder fra om feil eller skader."
        ),
        "description_en": (
            "Laptop, monitor, docking station and tablet for work. "
            "Devices arrive ready to use with the software you need. "
            "Order new equipment and report faults or damage here."
        ),
        "category": "arbeidsplass",
        "owner": "manager:it-klient",
        "support_group": "klient",
        "criticality": 2,
        "state": "live",
        "availability_target": Decimal("99.500"),
        "in_public_report": True,
        "depends_on": ("identitet", "nettverk-kontor"),
    },
    {
        "code": "utskrift",
        "name_nb": "Utskrift og skanning",
        "name_en": "Printing and scanning",
        "description_nb": (
            "Felles skrivere der du henter utskriften med adgangskortet ditt, og skanning til e-post. "
            "Papir og toner fylles på av enheten selv. "
            "Meld fra hvis en skriver ikke virker eller du ikke får hentet utskriften."
        ),
        "description_en": (
            "Shared printers where you collect your print-out with your access card, and scanning to email. "
            "Each unit refills paper and toner itself. "
            "Report a printer that does not work or a print-out you cannot collect."
        ),
        "category": "arbeidsplass",
        "owner": "manager:it-klient",
        "support_group": "klient",
        "criticality": 3,
        "state": "live",
        "availability_target": Decimal("99.000"),
        "in_public_report": True,
        "depends_on": ("identitet", "nettverk-kontor"),
    },
    {
        "code": "telefoni",
        "name_nb": "Telefoni og mobil",
        "name_en": "Telephony and mobile",
        "description_nb": (
            "Mobiltelefon, mobilabonnement og sentralbordet til kommunen. "
            "Nye ansatte får mobil etter bestilling fra lederen sin. "
            "Her melder du feil på telefon eller ber om nytt nummer."
        ),
        "description_en": (
            "Mobile phones, mobile subscriptions and the municipality's switchboard. "
            "New staff get a phone when their manager orders one. "
            "Report phone faults or ask for a new number here."
        ),
        "category": "arbeidsplass",
        "owner": "manager:it-nettverk",
        "support_group": "nettverk",
        "criticality": 2,
        "state": "live",
        "availability_target": Decimal("99.500"),
        "in_public_report": True,
        "depends_on": ("nettverk-kontor",),
    },
    {
        "code": "saksbehandling",
        "name_nb": "Saksbehandlingssystem og arkiv",
        "name_en": "Case management and archive",
        "description_nb": (
            "Systemet der kommunen fører saker, journalfører post og arkiverer dokumenter. "
            "Dokumentsenteret hjelper deg med journalføring og tilganger til saker. "
            "Feil i systemet meldes her."
        ),
        "description_en": (
            "The system in which the municipality handles cases, registers mail and archives documents. "
            "The records centre helps with registering documents and access to cases. "
            "Report faults in the system here."
        ),
        "category": "fagsystemer",
        "owner": "manager:dokumentsenteret",
        "support_group": "applikasjoner",
        "criticality": 1,
        "state": "live",
        "availability_target": Decimal("99.500"),
        "in_public_report": True,
        "depends_on": ("identitet", "nettverk-kontor"),
    },
    {
        "code": "fagsystem-barnehage",
        "name_nb": "Fagsystem for barnehage",
        "name_en": "Kindergarten system",
        "description_nb": (
            "Systemet barnehagene bruker til opptak, oppmøte og kontakt med foreldre. "
            "Styrer og pedagogiske ledere får tilgang gjennom barnehagen sin. "
            "Meld fra om feil eller spørsmål om bruken her."
        ),
        "description_en": (
            "The system kindergartens use for admissions, attendance and contact with parents. "
            "Heads and lead teachers get access through their kindergarten. "
            "Report faults or ask how to use it here."
        ),
        "category": "fagsystemer",
        "owner": "manager:oppvekst-barnehage",
        "support_group": "applikasjoner",
        "criticality": 2,
        "state": "live",
        "availability_target": Decimal("99.000"),
        "in_public_report": True,
        "depends_on": ("identitet",),
    },
    {
        "code": "fagsystem-gerica",
        "name_nb": "Gerica pleie og omsorg",
        "name_en": "Gerica health and care",
        "description_nb": (
            "Journalsystemet for hjemmetjenesten, sykehjemmene og tildeling av helsetjenester. "
            "Alle som dokumenterer pleie og omsorg bruker Gerica, også på mobil ute hos brukerne. "
            "Feil som hindrer dokumentasjon skal meldes straks."
        ),
        "description_en": (
            "The record system for home care, the nursing homes and the allocation of health services. "
            "Everyone who documents care uses Gerica, also on mobile when visiting patients. "
            "Report faults that stop you documenting care at once."
        ),
        "category": "fagsystemer",
        "owner": "manager:helse-pleie-omsorg",
        "support_group": "applikasjoner",
        "criticality": 1,
        "state": "live",
        "availability_target": Decimal("99.700"),
        "in_public_report": True,
        "depends_on": ("identitet", "nettverk-kontor"),
    },
    {
        "code": "okonomi-lonn",
        "name_nb": "Økonomi- og lønnssystem",
        "name_en": "Finance and payroll system",
        "description_nb": (
            "Systemet for regnskap, fakturaer, reiseregninger og lønn. "
            "Ledere attesterer og anviser fakturaer her, og alle ansatte finner lønnsslippen sin. "
            "Spørsmål om selve lønnen går til lønnsavdelingen."
        ),
        "description_en": (
            "The system for accounts, invoices, travel expenses and payroll. "
            "Managers approve invoices here, and every employee finds their payslip. "
            "Questions about your pay itself go to the payroll team."
        ),
        "category": "fagsystemer",
        "owner": "manager:regnskap",
        "support_group": "applikasjoner",
        "criticality": 2,
        "state": "live",
        "availability_target": Decimal("99.500"),
        "in_public_report": False,
        "depends_on": ("identitet", "nettverk-kontor"),
    },
    {
        "code": "skole-laeringsplattform",
        "name_nb": "Læringsplattform for skolen",
        "name_en": "School learning platform",
        "description_nb": (
            "Læringsplattformen der lærere deler planer og oppgaver og elevene leverer arbeid. "
            "Elever og foresatte logger på med Feide. "
            "Lærere får hjelp av skole-IKT med oppsett av klasser og fag."
        ),
        "description_en": (
            "The learning platform where teachers share plans and assignments and pupils hand in work. "
            "Pupils and parents sign in with Feide. "
            "School IT helps teachers set up classes and subjects."
        ),
        "category": "skole",
        "owner": "manager:oppvekst-skole",
        "support_group": "skole-ikt",
        "criticality": 2,
        "state": "live",
        "availability_target": Decimal("99.500"),
        "in_public_report": True,
        "depends_on": ("identitet", "nettverk-skole"),
    },
    {
        "code": "innbyggerportal",
        "name_nb": "Innbyggerportalen Min side",
        "name_en": "Resident portal My page",
        "description_nb": (
            "Ny selvbetjeningsportal der innbyggerne kan søke, følge saker og få svar fra kommunen. "
            "Tjenesten er under planlegging og skal tas i bruk neste år. "
            "Ansatte som vil være med i testingen kan melde seg her."
        ),
        "description_en": (
            "A new self-service portal where residents can apply, follow their cases and get answers "
            "from the municipality. The service is being planned and will open next year. "
            "Staff who want to help test it can sign up here."
        ),
        "category": "innbygger",
        "owner": "manager:kommunikasjon",
        "support_group": "applikasjoner",
        "criticality": 3,
        "state": "planned",
        "availability_target": Decimal("99.500"),
        "in_public_report": False,
        "depends_on": ("identitet", "saksbehandling"),
    },
)

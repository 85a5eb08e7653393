"""The three change types' default approval settings: the data migration writes them, and they stand in
for a missing row (changes.services.policy_for)."""

TYPES = [
    {
        "kind": "standard",
        "name_nb": "Standardendring",
        "name_en": "Standard change",
        "description_nb": "Forhåndsgodkjent, gjentakende endring etter en mal. Ingen CAB.",
        "description_en": "A pre-approved, repeatable change made from a template. No CAB.",
        "needs_approval": False,
        "approval_rule": "all",
        "cab_from_risk": "",
        "cab_quorum": 0,
        "needs_review": False,
    },
    {
        "kind": "normal",
        "name_nb": "Normal endring",
        "name_en": "Normal change",
        "description_nb": "Risikovurderes og godkjennes av endringsleder, og av CAB ved middels eller høy risiko.",
        "description_en": "Risk-assessed and approved by the change manager, and by the CAB at medium or high risk.",
        "needs_approval": True,
        "approval_rule": "all",
        "cab_from_risk": "medium",
        "cab_quorum": 2,
        "needs_review": False,
    },
    {
        "kind": "emergency",
        "name_nb": "Hasteendring",
        "name_en": "Emergency change",
        "description_nb": "Haster: godkjennes av endringsleder eller et utvalg av CAB, og må etterevalueres.",
        "description_en": "Urgent: approved by the change manager or an emergency CAB subset; must be reviewed afterwards.",
        "needs_approval": True,
        "approval_rule": "any",
        "cab_from_risk": "low",
        "cab_quorum": 2,
        "needs_review": True,
    },
]

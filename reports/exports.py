"""The published forms of a quality report: the aggregate-only snapshot, its JSON document and its CSV.

Everything public is built from the stored document, never from the live tables, so a published month
reads the same for ever.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json

LICENCE_NAME = "Norsk lisens for offentlige data (NLOD) 2.0"
LICENCE_URL = "http://data.norge.no/nlod/no/2.0"
LICENCE = {"name": LICENCE_NAME, "url": LICENCE_URL}

# The shape of the published figures: a dict lists its keys, a one-item list a list of such items, None a
# number, boolean, code or name. Anything month_figures returns beyond it (now or later) is dropped, so
# only aggregates can ever reach the public files.
_COUNTS_BY_UNIT = {"code": None, "name": None, "opened": None, "resolved": None, "backlog": None}
FIGURES_SHAPE = {
    "tickets": {"opened": None, "resolved": None, "backlog": None, "backlog_pending_requester": None},
    "sla": {
        "response_met_pct": None,
        "resolution_met_pct": None,
        "breached_open": None,
        "by_priority": {
            f"P{p}": {"response_met_pct": None, "resolution_met_pct": None, "resolved": None}
            for p in (1, 2, 3, 4)
        },
    },
    "resolution_hours": {"median": None, "p90": None},
    "first_contact_resolution_pct": None,
    "reopen_rate_pct": None,
    "csat": {"sent": None, "answered": None, "response_rate_pct": None, "average": None, "top2_pct": None},
    "availability": [
        {
            "service": None,
            "name": None,
            "target_pct": None,
            "availability_pct": None,
            "agreed_minutes": None,
            "downtime_minutes": None,
            "outages": None,
            "mtrs_minutes": None,
            "mtbf_minutes": None,
            "met": None,
        }
    ],
    "changes": {"closed": None, "successful": None, "success_rate_pct": None, "emergency_share_pct": None},
    "requests": [
        {
            "item": None,
            "name": None,
            "count": None,
            "median_hours": None,
            "p90_hours": None,
            "within_target_pct": None,
        }
    ],
    "by_service": [{**_COUNTS_BY_UNIT, "resolution_met_pct": None}],
    "by_group": [{**_COUNTS_BY_UNIT, "resolution_met_pct": None}],
}
_SCALARS = (bool, int, float, str, type(None))


def _pick(value, shape):
    if isinstance(shape, dict):
        return {key: _pick((value or {}).get(key), inner) for key, inner in shape.items()}
    if isinstance(shape, list):
        return [_pick(item, shape[0]) for item in value or []]
    if not isinstance(value, _SCALARS):
        raise TypeError(f"A figure must be a scalar, not {type(value).__name__}.")
    return value


def public_figures(figures: dict, *, public_services: set[str]) -> dict:
    """Return the figures reduced to the published shape, with only the services in the public report.

    By service, a service outside the public report is left out; tickets without a service (code None)
    stay, as their count says nothing about a service.
    """
    picked = _pick(figures, FIGURES_SHAPE)
    picked["availability"] = [row for row in picked["availability"] if row["service"] in public_services]
    picked["by_service"] = [
        row for row in picked["by_service"] if row["code"] is None or row["code"] in public_services
    ]
    return {"period": figures["period"], **picked}


def timestamp(value: dt.datetime | None) -> str | None:
    """Return an aware datetime as UTC ISO 8601 to the second ("2026-04-01T04:00:00Z")."""
    if value is None:
        return None
    return value.astimezone(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def build_document(report, *, organisation: str) -> dict:
    """Return the JSON document of a report: its metadata, the licence and the stored figures."""
    figures = dict(report.figures)
    figures.pop("period", None)
    return {
        "period": report.period,
        "revision": report.revision,
        "generated_at": timestamp(report.generated_at),
        "published_at": timestamp(report.published_at),
        "publisher": organisation,
        "licence": LICENCE,
        "correction_reason": report.correction_reason or None,
        "commentary": {"nb": report.commentary_nb, "en": report.commentary_en},
        **figures,
    }


def document_text(document: dict) -> str:
    """Return the JSON file as served: UTF-8 text, keys in the document's order, indented."""
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def canonical_json(document: dict) -> bytes:
    """Return the canonical bytes the hash covers: sorted keys, no spaces, UTF-8."""
    return json.dumps(document, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def content_hash(document: dict, pdf: bytes) -> str:
    """Return the SHA-256 (hex) over the canonical JSON followed by the PDF."""
    return hashlib.sha256(canonical_json(document) + pdf).hexdigest()


# --- CSV -------------------------------------------------------------------------------------------------

CSV_HEADER = ("period", "service", "figure", "value", "unit", "target")


def unit_of(name: str) -> str:
    """Return the unit of a figure from its name."""
    leaf = name.rsplit(".", 1)[-1]
    if leaf.endswith("_pct"):
        return "percent"
    if leaf.endswith("_hours") or name.startswith("resolution_hours."):
        return "hours"
    if leaf.endswith("_minutes"):
        return "minutes"
    if leaf == "met":
        return "boolean"
    if name == "csat.average":
        return "score_1_5"
    return "count"


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def csv_rows(document: dict) -> list[tuple[str, ...]]:
    """Return one row per figure, per service where the figure is per service."""
    period = document["period"]
    rows: list[tuple[str, ...]] = []

    def add(name, value, service="", target=None):
        rows.append((period, service or "", name, _cell(value), unit_of(name), _cell(target)))

    def flat(prefix, mapping):
        for key, value in mapping.items():
            name = f"{prefix}.{key}" if prefix else key
            if isinstance(value, dict):
                flat(name, value)
            else:
                add(name, value)

    for key in ("tickets", "sla", "resolution_hours", "csat", "changes"):
        flat(key, document[key])
    add("first_contact_resolution_pct", document["first_contact_resolution_pct"])
    add("reopen_rate_pct", document["reopen_rate_pct"])
    for row in document["availability"]:
        for key, value in row.items():
            if key in ("service", "name", "target_pct"):
                continue
            target = row["target_pct"] if key == "availability_pct" else None
            add(f"availability.{key}", value, row["service"], target)
    for row in document["by_service"]:
        for key in ("opened", "resolved", "backlog", "resolution_met_pct"):
            add(f"by_service.{key}", row[key], row["code"])
    for row in document["by_group"]:
        for key in ("opened", "resolved", "backlog", "resolution_met_pct"):
            add(f"by_group.{row['code'] or 'none'}.{key}", row[key])
    for row in document["requests"]:
        for key in ("count", "median_hours", "p90_hours", "within_target_pct"):
            add(f"requests.{row['item']}.{key}", row[key])
    return rows


def csv_text(document: dict) -> str:
    """Return the CSV file (comma-separated, UTF-8, CRLF line ends, a header row)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_HEADER)
    writer.writerows(csv_rows(document))
    return buffer.getvalue()

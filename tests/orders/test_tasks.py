"""The orders' periodic jobs: what they call, with the settings read when they run."""

from orders import services, tasks


def test_the_closing_job_reads_the_business_days_when_it_runs(settings, monkeypatch):
    calls = []
    monkeypatch.setattr(services, "close_delivered", lambda **kwargs: calls.append(kwargs) or 0)
    settings.INCIDENT_AUTO_CLOSE_BUSINESS_DAYS = 3

    assert tasks.close_delivered_lines.call_local() == 0

    assert calls[0]["business_days"] == 3
    assert calls[0]["now"].tzinfo is not None

"""The apps fill realtime's registry: each screen's commands and snapshot come from there, a
command registered twice for one screen is refused, and realtime imports no app (the contract
in pyproject, run by ``make lint``, lists every app of the project)."""

import tomllib
from pathlib import Path

import pytest
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured

from realtime import registry

ROOT = Path(__file__).resolve().parents[2]


def test_each_screen_sends_what_its_apps_registered():
    assert {"session.open", "poll.open", "document.show", "ballot.cast"} <= set(
        registry.commands_of(registry.CHAIR)
    )
    assert {"attendance.check_in", "ballot.cast", "note.save"} <= set(
        registry.commands_of(registry.TABLET)
    )
    # One type, two screens: the console votes as its user's delegate, the tablet as its own.
    console = registry.command_of(registry.CHAIR, "ballot.cast")
    tablet = registry.command_of(registry.TABLET, "ballot.cast")
    assert console.handler is not tablet.handler
    assert console.parallel and console.self_idempotent and tablet.parallel
    assert registry.command_of(registry.PROJECTOR, "agenda.next") is None


def test_a_command_registered_twice_for_a_screen_is_refused_naming_both():
    before = registry.commands_of(registry.CHAIR)

    def agenda_next_again(context, data):
        return {}

    with pytest.raises(ImproperlyConfigured) as refused:
        registry.command(type="agenda.next", screens=[registry.CHAIR])(agenda_next_again)
    assert "agenda.next" in str(refused.value)
    assert "meeting.commands.agenda_next" in str(refused.value)
    assert "agenda_next_again" in str(refused.value)
    assert registry.commands_of(registry.CHAIR) == before


def test_unknown_screens_and_the_consumers_own_commands_are_refused():
    with pytest.raises(ImproperlyConfigured):
        registry.command(type="speaker.request", screens=["wall"])(lambda c, d: {})
    with pytest.raises(ImproperlyConfigured):
        registry.command(type="ping", screens=[registry.TABLET])(lambda c, d: {})
    assert registry.command_of(registry.TABLET, "speaker.request") is None


def test_two_parts_giving_one_snapshot_key_are_refused(monkeypatch):
    monkeypatch.setattr(
        registry,
        "_snapshot_parts",
        {registry.PROJECTOR: [lambda v: {"seq": 1, "agenda": []}, lambda v: {"agenda": []}]},
    )
    with pytest.raises(ImproperlyConfigured, match="agenda"):
        registry.snapshot(registry.Viewer(session=None, screen=registry.PROJECTOR))


def test_the_import_contract_forbids_every_app_of_the_project():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    (contract,) = [c for c in config["contracts"] if c["source_modules"] == ["realtime"]]
    # The project's own apps: a folder at the top of the repository (not in .venv).
    ours = {
        app.name.split(".")[0]
        for app in apps.get_app_configs()
        if Path(app.path).resolve() == ROOT / app.name.split(".")[0]
    }
    assert {"meeting", "voting", "documents"} <= ours
    assert ours - {"realtime"} <= set(contract["forbidden_modules"])
    assert "chamber" in contract["forbidden_modules"]  # the wiring is above it too

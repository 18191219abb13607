"""A factor key not in the catalog: a typo of a catalog key is warned of with that key,
and a key of the team's own is left alone (src/causemap/typos.py)."""

from __future__ import annotations

import pytest

from causemap import diagnostics
from causemap.catalog import builtin_catalog
from causemap.model import Incident
from causemap.patterns.advise import unknown_factors
from tests.conftest import make_incident

KEYS = builtin_catalog().keys()

TYPOS = {
    "alertng-gap": "alerting-gap",  # a letter dropped
    "alerting-gpa": "alerting-gap",  # two letters swapped: one edit
    "alerting_gap": "alerting-gap",  # '_' for '-'
    "alerting.gap": "alerting-gap",
    "alerting-gaps": "alerting-gap",  # a plural
    "alertng-gpa": "alerting-gap",  # two edits in a key of 10 or more
    "retry-storm-no-backof": "retry-storm-no-backoff",
    "retry_storm_no_backoff": "retry-storm-no-backoff",
    "change-reveiw-gap": "change-review-gap",
    "capacity-planing-gap": "capacity-planning-gap",
    "hidden-hard-limits": "hidden-hard-limit",
    "expired-certificates-or-credentials": "expired-certificate-or-credential",
    "global-change-no-staged-rolout": "global-change-no-staged-rollout",
    "retry-storm-on-backoff": "retry-storm-no-backoff",  # a short word mistyped, not replaced
    "expired-certificate-of-credential": "expired-certificate-or-credential",
    "nokill-switch": "no-kill-switch",  # a hyphen dropped
    "alerting-gap-": "alerting-gap",  # or added
}

OWN = [
    "capacity-gap",  # shorter than capacity-planning-gap by a word
    "our-alerting",
    "db-failover",
    "alert-gap",
    "retry-storm",
    "test-coverage",
    "unclear-owner",
    "kill-switch",
    "alerting-noise",
    "on-call-fatigue",
    "prod-access-too-broad",
    "payments-batch-window",
    "a-kill-switch",  # a word replaced whole, though two edits from no-kill-switch
    "x-alerting-gap",  # a word added, two edits
]


def with_factor(key: str) -> Incident:
    return make_incident(
        [
            {"id": "c", "kind": "condition", "label": "Nobody was paged", "factor": key},
            {"id": "i", "kind": "impact", "label": "Checkout failed", "causes": ["c"]},
        ]
    )


def hint(key: str, keys: list[str] = KEYS) -> str:
    """What the warning about ``key`` says after the catalog's name."""
    (warning,) = unknown_factors(with_factor(key), keys, "ours")
    prefix = f"'{key}' is not a key of the catalog (ours)"
    assert warning.message.startswith(prefix), warning.message
    return warning.message.removeprefix(prefix)


class TestUnknownFactors:
    @pytest.mark.parametrize(("typo", "key"), TYPOS.items())
    def test_a_typo_is_named_with_its_catalog_key(self, typo: str, key: str) -> None:
        assert hint(typo) == f"; did you mean '{key}'?"

    @pytest.mark.parametrize("own", OWN)
    def test_a_key_of_the_teams_own_is_not_called_a_typo(self, own: str) -> None:
        """difflib's ratio (cutoff 0.6) called most of these a typo of a longer catalog
        key ("capacity-gap" of "capacity-planning-gap"), telling the team its key was
        wrong."""
        assert hint(own) == ""

    def test_short_keys_are_not_a_typo_of_each_other(self) -> None:
        """A key under 4 characters is too easily another word; under 10, one edit."""
        keys = ["dns", "cert-ttl"]
        assert (hint("dos", keys), hint("dn", keys)) == ("", "")
        assert (hint("cert-tll", keys), hint("cert-tl", keys)) == (
            "; did you mean 'cert-ttl'?",
            "; did you mean 'cert-ttl'?",
        )
        assert hint("cert-tlx", [*keys, "cert-tls"]) == "; did you mean 'cert-tls'?"
        assert hint("crt-tl", keys) == ""  # two edits in a key under 10 characters

    def test_keys_that_differ_by_a_whole_word_are_different_keys(self) -> None:
        """A typo leaves each word recognisable: "a-kill-switch" was called a typo of
        "no-kill-switch" (two edits in a key of 13 characters), though "a" is not "no"."""
        keys = ["no-kill-switch", "kill-switch", "db-failover-runbook"]
        assert hint("a-kill-switch", keys) == ""  # "a" for "no", and a word added to the other
        assert hint("kill-switch-x", ["kill-switch"]) == ""
        assert hint("db-failover-runbok", keys) == "; did you mean 'db-failover-runbook'?"
        assert hint("bd-failover-runbook", keys) == "; did you mean 'db-failover-runbook'?"
        assert hint("de-failover-runbook", keys) == "; did you mean 'db-failover-runbook'?"
        assert hint("xy-failover-runbook", keys) == ""
        # A short word mistyped (it keeps a letter) is still a typo.
        assert hint("an-kill-switch", keys) == "; did you mean 'no-kill-switch'?"

    def test_keys_whose_digits_differ_are_different_keys(self) -> None:
        keys = ["http-5xx-spike", "ipv4-exhaustion"]
        assert hint("http-4xx-spike", keys) == ""
        assert hint("ipv6-exhaustion", keys) == ""
        assert hint("http-5xx-spkie", keys) == "; did you mean 'http-5xx-spike'?"

    def test_of_several_the_fewest_edits_then_the_closest_as_typed(self) -> None:
        keys = ["alerting-gaps", "alerting-gap", "alerting-map"]
        assert hint("alerting_gap", keys) == "; did you mean 'alerting-gap'?"
        assert hint("alerting-mapz", keys) == "; did you mean 'alerting-map'?"
        # Then the first in the catalog.
        assert hint("alerting-xap", ["alerting-gap", "alerting-map"]) == (
            "; did you mean 'alerting-gap'?"
        )
        assert hint("alerting-xap", ["alerting-map", "alerting-gap"]) == (
            "; did you mean 'alerting-map'?"
        )

    def test_keys_past_the_budget_get_no_hint(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """As node references do: a document full of unknown keys is not compared with
        every catalog key for ever."""
        monkeypatch.setattr(diagnostics, "HINT_BUDGET", 1)
        nodes = [
            {"id": f"c{i}", "kind": "condition", "label": "Paged late", "factor": key}
            for i, key in enumerate(["alertng-gap", "alerting-gpa", "alertng-gap"])
        ]
        impact = {"id": "i", "kind": "impact", "label": "Checkout failed", "causes": ["c0"]}
        doc = make_incident([*nodes, impact])
        found = unknown_factors(doc, ["alerting-gap"], "ours")
        assert [w.message.endswith("did you mean 'alerting-gap'?") for w in found] == [
            True,
            False,
            True,
        ]

"""One resident per BSN per municipality, and nothing revealed across municipalities.

A resident who moved to another municipality served by the same store is registered there as a
new trajectory; the second municipality learns nothing of the first (no id, not even that one
exists). Tested on SQLite and PostgreSQL, and against a store written by release 0.1.0, whose
lookup hashes were not scoped to a municipality.
"""

from __future__ import annotations

import gzip
import json
import shutil
from datetime import date
from pathlib import Path

import pytest

from participatie import (
    Actor,
    BsnAlreadyRegistered,
    InvalidInput,
    Participation,
    Role,
)
from tests.actors import ADMIN
from tests.support import TEST_SECRET, assert_refused

HAAREN = Actor("coach-h", Role.COACH, municipality="haaren")
OSS = Actor("coach-o", Role.COACH, municipality="oss")
ANYWHERE = Actor("coach-a", Role.COACH)
BSN = "123456782"


def _register(app: Participation, by: Actor, municipality: str, bsn: str = BSN) -> object:
    return app.register_resident(
        referral="walk_in",
        benefit="none",
        municipality=municipality,
        bsn=bsn,
        on=date(2019, 1, 8),
        by=by,
    )


def test_a_bsn_registered_in_one_municipality_registers_anew_in_another_revealing_nothing(
    store_url: str,
) -> None:
    with Participation.open(store_url, secret=TEST_SECRET) as app:
        in_haaren = _register(app, HAAREN, "haaren")
        in_oss = _register(app, OSS, "oss")
        assert in_oss != in_haaren
        assert app.find_resident(bsn=BSN, by=OSS) == in_oss
        assert app.find_resident(bsn=BSN, by=HAAREN) == in_haaren
        with pytest.raises(BsnAlreadyRegistered) as refused:
            _register(app, OSS, "oss")
        assert str(in_oss) in str(refused.value)  # the municipality's own resident, named
        assert str(in_haaren) not in str(refused.value)


def test_a_second_registration_in_the_same_municipality_is_refused_and_appends_nothing(
    store_url: str,
) -> None:
    with Participation.open(store_url, secret=TEST_SECRET) as app:
        first = _register(app, HAAREN, "haaren")
        assert_refused(
            app, None, BsnAlreadyRegistered, lambda: _register(app, HAAREN, " Haaren "),
            match=str(first),
        )  # fmt: skip


def test_an_actor_of_every_municipality_names_one_when_a_bsn_is_in_several(
    store_url: str,
) -> None:
    with Participation.open(store_url, secret=TEST_SECRET) as app:
        in_haaren = _register(app, HAAREN, "haaren")
        in_oss = _register(app, OSS, "oss")
        with pytest.raises(InvalidInput, match="several municipalities"):
            app.find_resident(bsn=BSN, by=ANYWHERE)
        assert app.find_resident(bsn=BSN, by=ANYWHERE, municipality="Oss") == in_oss
        assert app.find_resident(bsn=BSN, by=ANYWHERE, municipality="haaren") == in_haaren
        assert app.find_resident(bsn=BSN, by=HAAREN, municipality="oss") is None


def test_scoped_hashes_survive_a_key_rotation(store_url: str) -> None:
    with Participation.open(store_url, secret=TEST_SECRET) as app:
        in_haaren = _register(app, HAAREN, "haaren")
        in_oss = _register(app, OSS, "oss")
        app.rotate_keys(by=ADMIN)
        assert app.find_resident(bsn=BSN, by=HAAREN) == in_haaren
        assert app.find_resident(bsn=BSN, by=OSS) == in_oss
        with pytest.raises(BsnAlreadyRegistered):
            _register(app, OSS, "oss")
        assert app.verify().ok


def test_a_store_of_release_0_1_0_finds_its_unscoped_bsns_only_in_their_municipality(
    tmp_path: Path,
) -> None:
    corpus = Path(__file__).parents[1] / "compat" / "0.1.0"
    db = tmp_path / "store.db"
    with gzip.open(corpus / "store.db.gz") as packed, db.open("wb") as raw:
        shutil.copyfileobj(packed, raw)
    expected = json.loads((corpus / "expected.json").read_text(encoding="utf-8"))
    known = expected["spec"]["a"]  # resident A of Oss, BSN 123456782, sealed by 0.1.0
    with Participation.open(f"sqlite:///{db}", secret=expected["secret"]) as app:
        assert str(app.find_resident(bsn=BSN, by=OSS)) == known
        assert app.find_resident(bsn=BSN, by=HAAREN) is None
        with pytest.raises(BsnAlreadyRegistered, match=known):
            _register(app, OSS, "oss")
        in_haaren = _register(app, HAAREN, "haaren")
        assert app.find_resident(bsn=BSN, by=HAAREN) == in_haaren
        app.rotate_keys(by=ADMIN)  # the unscoped hash becomes a scoped one
        assert str(app.find_resident(bsn=BSN, by=OSS)) == known
        assert app.find_resident(bsn=BSN, by=HAAREN) == in_haaren
        assert app.verify().ok

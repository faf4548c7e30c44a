"""The processing log (Logboek dataverwerkingen): one record per processing of a resident's data,
saved with it, in the caller's trace, and as an OpenTelemetry span when a tracer provider is set."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from datetime import UTC, date, datetime

import attrs
import pytest
from opentelemetry import trace as otel_trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from participatie import (
    Action,
    Actor,
    ConfigurationError,
    Goal,
    InvalidInput,
    NotAuthorised,
    Participation,
    Role,
)
from participatie.audit.access import AccessKind, AccessLog, access_log_id
from participatie.service import core_of
from tests.actors import AUDITOR
from tests.support import COACH, TEST_SECRET, Clock, assert_refused, register, register_with_intake

TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"


def test_each_command_and_read_is_one_record_named_by_its_action(app: Participation) -> None:
    rid = register_with_intake(app)  # registration and intake
    app.record_conversation(rid, happiness=7, on=date(2019, 1, 10), by=COACH)
    app.personal_data(rid, by=COACH)
    app.history(rid, by=AUDITOR)
    records = app.processing_log(rid, by=AUDITOR)
    assert [r.name for r in records] == [
        "register",
        "hold_intake",
        "record_conversation",
        "read_personal_data",
        "read_history",
    ]
    for record in records:
        assert record.data_subject_id == str(rid)
        assert record.data_subject_id_type == "participatie.resident_id"
        assert record.status == "Ok"
        assert len(record.trace_id) == 32
        assert len(record.span_id) == 16
        assert record.start_time <= record.end_time
        assert record.processing_activity_id.startswith(
            "urn:participatie:processing-activity:unconfigured:"
        )
    # Each processing that no caller traced is a trace of its own.
    assert len({r.trace_id for r in records}) == len(records)


def test_a_refused_command_makes_no_record(app: Participation) -> None:
    rid = register(app)
    before = app.processing_log(rid, by=AUDITOR)
    assert_refused(
        app,
        rid,
        InvalidInput,
        lambda: app.record_conversation(rid, happiness=11, on=date(2019, 1, 9), by=COACH),
    )
    assert app.processing_log(rid, by=AUDITOR) == before
    ledger = core_of(app).store.participation_recorder.ledger_of([rid])
    assert len([row for row in ledger if row.records is not None]) == len(before)


def test_records_join_the_callers_trace(app: Participation) -> None:
    with app.trace(TRACEPARENT, processor="zaaksysteem-haaren") as context:
        rid = register(app)
        app.personal_data(rid, by=COACH)
    (registered, read) = app.processing_log(rid, by=AUDITOR)
    for record in (registered, read):
        assert record.trace_id == "4bf92f3577b34da6a3ce929d0e0e4736" == context.trace_id
        assert record.parent_span_id == "00f067aa0ba902b7"
        assert record.foreign_operation_processor == "zaaksysteem-haaren"
        assert record.attributes()["dpl.core.foreign_operation.processor"] == "zaaksysteem-haaren"
    assert registered.span_id != read.span_id
    app.hold_intake(rid, goal=Goal.WORK, happiness=6, on=date(2019, 1, 9), by=COACH)
    after = app.processing_log(rid, by=AUDITOR)[-1]
    assert after.trace_id != context.trace_id  # outside the block: a trace of its own
    assert after.foreign_operation_processor is None


@pytest.mark.parametrize(
    "traceparent",
    [
        "",
        "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
        "00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01",
    ],
)
def test_a_malformed_traceparent_is_refused(app: Participation, traceparent: str) -> None:
    with pytest.raises(InvalidInput, match="traceparent"), app.trace(traceparent):
        pass


def test_the_activities_of_the_municipalitys_register(clock: Clock) -> None:
    register_uri = "https://haaren.nl/verwerkingsregister/participatie/aanmelding"
    with Participation.open(
        "memory://",
        secret=TEST_SECRET,
        clock=clock,
        processing_activities={Action.REGISTER: register_uri},
    ) as app:
        rid = register_with_intake(app)
        registered, intake = app.processing_log(rid, by=AUDITOR)
    assert registered.processing_activity_id == register_uri
    assert intake.processing_activity_id.endswith(":unconfigured:hold_intake")
    with pytest.raises(ConfigurationError, match="processing_activities"):
        Participation.open("memory://", processing_activities={"register": register_uri})  # type: ignore[dict-item]
    with pytest.raises(ConfigurationError, match="processing_activities"):
        Participation.open("memory://", processing_activities={Action.REGISTER: " "})


def test_a_record_holds_no_personal_data(app: Participation) -> None:
    rid = register(app, bsn="123456782", name="A. Jansen")
    app.find_resident(bsn="123456782", by=COACH)
    ledger = core_of(app).store.participation_recorder.ledger_of([rid])
    stored = [row.records for row in ledger if row.records is not None]
    assert len(stored) == 1  # the registration's (the lookup's is in the access log's row)
    access = core_of(app).store.participation_recorder.ledger_of([access_log_id(rid)])
    stored += [row.records for row in access if row.records is not None]
    assert len(stored) == 2
    assert not any(b"123456782" in held or b"Jansen" in held for held in stored)
    names = [r.name for r in app.processing_log(rid, by=AUDITOR)]
    assert names == ["register", "find_resident"]


def test_reading_the_log_is_for_auditors_and_scoped(app: Participation) -> None:
    rid = register(app)
    with pytest.raises(NotAuthorised):
        app.processing_log(rid, by=COACH)
    assert len(app.processing_log(by=AUDITOR)) == 1
    with pytest.raises(InvalidInput, match="aware"):
        app.processing_log(rid, by=AUDITOR, since="2019-01-01")  # type: ignore[arg-type]


@pytest.fixture
def spans(monkeypatch: pytest.MonkeyPatch) -> Iterator[InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    monkeypatch.setattr(otel_trace, "get_tracer_provider", lambda: provider)
    yield exporter
    provider.shutdown()


def test_with_a_tracer_provider_each_record_is_a_span_with_the_same_ids(
    app: Participation, spans: InMemorySpanExporter
) -> None:
    with app.trace(TRACEPARENT):
        rid = register_with_intake(app)
        app.personal_data(rid, by=COACH)
    records = app.processing_log(rid, by=AUDITOR)
    exported = spans.get_finished_spans()
    assert len(exported) == len(records) == 3
    for record, span in zip(records, exported, strict=True):
        context = span.get_span_context()
        assert context is not None
        assert f"{context.trace_id:032x}" == record.trace_id
        assert f"{context.span_id:016x}" == record.span_id
        assert span.parent is not None
        assert f"{span.parent.span_id:016x}" == record.parent_span_id
        assert span.name == record.name
        assert dict(span.attributes or {}) == record.attributes()
        assert span.status.is_ok


def test_a_refused_command_exports_no_span(app: Participation, spans: InMemorySpanExporter) -> None:
    rid = register(app)
    spans.clear()
    with pytest.raises(InvalidInput):
        app.record_conversation(rid, happiness=0, on=date(2019, 1, 9), by=COACH)
    assert spans.get_finished_spans() == ()


def test_a_copy_of_a_log_from_the_cache_is_its_own(app: Participation) -> None:
    rid = register(app)
    app.personal_data(rid, by=COACH)
    repository = core_of(app).store.repository
    access: AccessLog = repository.get(access_log_id(rid), deepcopy_from_cache=False)
    assert isinstance(access, AccessLog)
    version = access.version
    copied_access = copy.deepcopy(access)
    copied_access.record(by=COACH, kind=AccessKind.HISTORY, purpose="x", origin=None)
    assert copied_access.version == version + 1
    assert (access.version, access.pending_events) == (version, [])


def test_an_auditor_of_one_municipality_reads_only_its_residents_records(
    app: Participation,
) -> None:
    haaren = register(app)
    oss = register(app, municipality="oss", by=Actor("coach-oss", Role.COACH, municipality="oss"))
    auditor_oss = Actor("audit-oss", Role.AUDITOR, municipality="oss")
    assert {r.data_subject_id for r in app.processing_log(by=auditor_oss)} == {str(oss)}
    assert {r.data_subject_id for r in app.processing_log(by=AUDITOR)} == {str(haaren), str(oss)}
    with pytest.raises(NotAuthorised):
        app.processing_log(haaren, by=auditor_oss)


def test_ids_do_not_follow_pythons_global_generator_when_an_application_seeds_it() -> None:
    import random  # noqa: PLC0415

    from participatie.audit.processing import new_span_id  # noqa: PLC0415

    state = random.getstate()
    try:
        random.seed(1)
        first = new_span_id()
        random.seed(1)
        assert new_span_id() != first  # two processes seeding alike still give other ids
    finally:
        random.setstate(state)


def test_records_a_development_build_stored_as_events_are_still_read(
    app: Participation,
) -> None:
    """Development builds of 0.3.0 kept each resident's records as a stream of events."""
    from participatie.audit.processing import ProcessingLog  # noqa: PLC0415

    rid = register(app)
    (row,) = app.processing_log(rid, by=AUDITOR)
    older = ProcessingLog.open_for(rid)
    earlier = attrs.evolve(row, span_id="00f067aa0ba902b7", name="hold_intake")
    older.record(earlier)
    older.record_all([earlier, earlier])
    core_of(app).store.save(older)
    assert app.processing_log(rid, by=AUDITOR) == [earlier, earlier, earlier, row]
    assert [r.span_id for r in app.processing_log(by=AUDITOR)] == [earlier.span_id] * 3 + [
        row.span_id
    ]
    assert app.verify().ok
    assert app.verify(rid).ok


def test_the_records_stored_form_says_its_version_and_reads_back() -> None:
    from participatie.audit.processing import (  # noqa: PLC0415
        RECORDS_FORMAT,
        ProcessingRecord,
        decode_records,
        encode_records,
    )

    moment = datetime(2019, 1, 8, 9, 30, tzinfo=UTC)
    record = ProcessingRecord(
        trace_id="4bf92f3577b34da6a3ce929d0e0e4736",
        span_id="00f067aa0ba902b7",
        parent_span_id=None,
        name="register",
        status="Ok",
        start_time=moment,
        end_time=moment,
        processing_activity_id="https://example.org/verwerkingen/1",
        data_subject_id="0f8fad5b-d9cb-469f-a165-70867728950e",
        data_subject_id_type="participatie.resident_id",
        foreign_operation_processor="zaaksysteem",
    )
    stored = encode_records([record, record])
    assert json.loads(stored)[0] == RECORDS_FORMAT == 1
    assert decode_records(stored) == [record, record]
    for unread in (b"[2]", b'["1"]', b"{}", b"[1, [1]]", b"[1, {}]", b"not json"):
        with pytest.raises(ValueError, match="do not read"):
            decode_records(unread)

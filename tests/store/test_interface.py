"""The SQLite classes are the embedded default of the store interface (store/interface.py): each
satisfies its protocol, method by method, with the same parameters, so ``app/`` typed against
the protocols runs on them, and a second backend has one list of methods to implement."""

from __future__ import annotations

import inspect

import pytest

from kasuhara_recorder.store import interface
from kasuhara_recorder.store.audit_log import AuditLog
from kasuhara_recorder.store.database import Database
from kasuhara_recorder.store.drafts import DraftFiles
from kasuhara_recorder.store.embedded import EmbeddedStore
from kasuhara_recorder.store.incidents import IncidentRepository
from kasuhara_recorder.store.purges import PurgeRepository
from kasuhara_recorder.store.recordings import RecordingRepository

PAIRS = [
    (interface.Store, Database),
    (interface.AuditStore, AuditLog),
    (interface.RecordingStore, RecordingRepository),
    (interface.IncidentStore, IncidentRepository),
    (interface.DraftStore, DraftFiles),
    (interface.PurgeStore, PurgeRepository),
    (interface.StoreBackend, EmbeddedStore),
]


def _methods(protocol: type) -> list[str]:
    return [
        name
        for name, value in vars(protocol).items()
        if callable(value) and not name.startswith("_")
    ]


@pytest.mark.parametrize(("protocol", "cls"), PAIRS, ids=lambda x: x.__name__)
def test_each_sqlite_class_has_every_method_of_its_protocol_with_its_parameters(protocol, cls):
    assert _methods(protocol), protocol
    for name in _methods(protocol):
        impl = getattr(cls, name, None)
        assert callable(impl), f"{cls.__name__} has no {name}()"
        want = list(inspect.signature(getattr(protocol, name)).parameters)
        got = list(inspect.signature(impl).parameters)
        assert got == want, f"{cls.__name__}.{name}{got} is not the protocol's {want}"


def test_the_embedded_store_hands_out_objects_that_satisfy_the_protocols(service):
    backend = service.backend
    assert isinstance(backend, interface.StoreBackend)
    assert isinstance(backend.store(), interface.Store)
    assert isinstance(backend.recordings(), interface.RecordingStore)
    assert isinstance(backend.incidents(), interface.IncidentStore)
    assert isinstance(backend.drafts(), interface.DraftStore)
    assert isinstance(service.audit, interface.AuditStore)

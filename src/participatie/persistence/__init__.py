"""One eventsourcing infrastructure factory per store, and the recorder they all provide.

A store URL (:mod:`participatie.stores`) names one factory as eventsourcing's
``PERSISTENCE_MODULE``; the factory makes the application's recorder (a
:class:`~participatie.persistence.base.ParticipationRecorder`: events with the vault, import
sources and chain heads in the same transaction), the snapshot recorder and the outcomes view:

- :mod:`~participatie.persistence.memory`: in-process (``memory://``);
- :mod:`~participatie.persistence.sqlite`: a SQLite file;
- :mod:`~participatie.persistence.postgres`: PostgreSQL (imports psycopg).
"""

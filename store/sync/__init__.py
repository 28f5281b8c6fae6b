"""A desk of stores on several machines, kept in step through a git repository.

Each change written here travels as a file of its own, ``changes/<machine>/<seq>.json``
in a git repository beside the store (``parley.sync/`` beside ``parley.json``): no two
machines ever write the same file, so git never has a merge conflict, and the
repository's history is the desk's audit trail. Files are only ever added.

Every store ends in the same state because a record's state is a function of the set
of changes made to it, wherever they were made: they are replayed in one order, by a
logical clock first (a change comes after every change its machine had taken in when
it was written), then by machine and number. A change sets only the fields it
changed; entries added to a status log are added whatever else happened. A field
set on two machines that had not seen each other's change is a *conflict*: the later
in that order wins, and the conflict is listed until a person settles it (a change
marked as settling it, which syncs like any other).

The state of the exchange (this machine's id, what was sent and taken in, the
conflicts) is kept in ``.git/parley-sync.json`` of that repository: none of it is in
the store, so a store that never syncs is as it was.

Git is run as the ``git`` program the user has rather than through a library: its
transports, ssh keys and credential helpers are then the user's own, as configured,
with nothing of Parley's in between.
"""

from store.sync.merge import (
    Shared,
    Side,
    SyncConflict,
    conflict_words,
    replay,
    shown_value,
    side_time,
    side_words,
)
from store.sync.repo import SyncRepo
from store.sync.round import SyncRound
from store.sync.state import Status, SyncError, SyncReport, sync_dir, when

__all__ = [
    "Shared",
    "Side",
    "Status",
    "SyncConflict",
    "SyncError",
    "SyncRepo",
    "SyncReport",
    "SyncRound",
    "conflict_words",
    "replay",
    "shown_value",
    "side_time",
    "side_words",
    "sync_dir",
    "when",
]

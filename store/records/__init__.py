"""The repository: records and their revisions, the checks every write passes, undo and
redo, the queries on a track; and the commands, the one way to write."""

"""The durable files: the snapshot, its journal, the change log, the lock, who may read
them, their repair and migrations, and the one way a file is replaced whole."""

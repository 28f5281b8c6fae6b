"""Articles kept as sources: their text and sentences, the fields a page proposes, what a
passage proposes, and a quote's anchor in its source's text."""

"""Reading the store: the brief, citations, comparisons, trends, search, the desk, and
records and changes said in words."""

"""Moved to search/folding.py (search is the one home of folding and search); this name stays
only until the branches that import it (petitions) have moved — then delete it."""

from search.folding import fold, fold_with_positions, snippet, words  # noqa: F401

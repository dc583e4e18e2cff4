"""Adapters: the outside world (holidays data, databases) behind small interfaces."""

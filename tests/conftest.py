"""Fixtures shared by several test folders (one folder per package: tests/<module>/)."""

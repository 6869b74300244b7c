"""Tests of :mod:`sim.cli`."""

"""Tests of :mod:`sim.model`."""

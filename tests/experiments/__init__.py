"""Tests of :mod:`sim.experiments`."""

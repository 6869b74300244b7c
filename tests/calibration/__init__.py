"""Tests of :mod:`sim.calibration`."""

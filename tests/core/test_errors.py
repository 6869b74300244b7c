"""The one-paragraph message says where the problem is: file and line, field, or option."""

from sim.core.errors import InputError


def test_a_file_problem_names_the_file_the_line_and_the_field():
    error = InputError("expected a date", path="scenarios/x.yaml", line=4, field="start")
    assert error.message == "scenarios/x.yaml, line 4, field 'start': expected a date"


def test_an_option_problem_without_a_file_names_the_option():
    error = InputError("unknown metric 'peak_tensoin'", field="--metric")
    assert error.message == "option '--metric': unknown metric 'peak_tensoin'"


def test_a_field_problem_without_a_file_names_the_field():
    assert InputError("must be positive", field="replicates").message == "field 'replicates': must be positive"


def test_a_problem_with_no_place_says_input():
    assert str(InputError("empty")) == "input: empty"

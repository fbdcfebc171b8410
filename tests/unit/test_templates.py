"""Template variables, the examples Meta asks for, and the check of a send: pure rules, no AWS."""

import pytest
from bizline.rules import templates as rules


def body(text, example=None):
    item = {"type": "BODY", "text": text}
    if example is not None:
        item["example"] = example
    return item


def test_numbered_variables_are_positional_and_named_ones_named():
    # Given a header and body with numbered variables, and a body with named ones
    numbered = rules.template_variables(
        [{"type": "HEADER", "format": "TEXT", "text": "Hallo {{1}}"}, body("{{1}} kostet {{2}}")]
    )
    named = rules.template_variables([body("Hallo {{first_name}}, {{offer}}!")])
    # Then each is read in order, per component
    assert (numbered.parameter_format, numbered.header, numbered.body) == ("positional", ("1",), ("1", "2"))
    assert (named.parameter_format, named.body) == ("named", ("first_name", "offer"))


@pytest.mark.parametrize("text", ["{{1}} {{3}}", "{{2}}", "{{1}} {{name}}", "{{Name}}", "{{1x}}"])
def test_gaps_mixtures_and_bad_names_are_problems(text):
    with pytest.raises(rules.TemplateProblem):
        rules.template_variables([body(text)])


def test_every_variable_needs_an_example():
    variables = rules.template_variables([body("{{1}} {{2}}", {"body_text": [["a"]]})])
    with pytest.raises(rules.TemplateProblem, match=r"\{\{2\}\}"):
        rules.check_examples([body("{{1}} {{2}}", {"body_text": [["a"]]})], variables)
    rules.check_examples([body("{{1}} {{2}}", {"body_text": [["a", "b"]]})], variables)


def test_a_send_names_what_it_leaves_out_and_what_it_adds():
    # Given a positional template with two body variables
    variables = rules.template_variables([body("{{1}} {{2}}")])
    # When a send fills three
    three = [{"type": "body", "parameters": [{"type": "text", "text": t} for t in "abc"]}]
    # Then {{3}} is extra; and a send filling one misses {{2}}
    assert rules.send_mismatch(variables, three) == ([], ["body.{{3}}"])
    one = [{"type": "body", "parameters": [{"type": "text", "text": "a"}]}]
    assert rules.send_mismatch(variables, one) == (["body.{{2}}"], [])


def test_rendered_components_fill_every_variable_and_pass_their_own_check():
    variables = rules.template_variables([{"type": "HEADER", "text": "Hi {{name}}"}, body("{{offer}}")])
    components = rules.send_components(variables, {"name": "Anna", "offer": "Kipferl"})
    assert components[0] == {
        "type": "header",
        "parameters": [{"type": "text", "text": "Anna", "parameter_name": "name"}],
    }
    assert rules.send_mismatch(variables, components) == ([], [])


def test_only_approved_or_reinstated_templates_are_sendable():
    assert rules.sendable("APPROVED")
    assert rules.sendable("REINSTATED")
    assert not any(rules.sendable(state) for state in ("PENDING", "PAUSED", "REJECTED", "DISABLED", None))

"""A cold start imports what serving requests needs, not what only a rare path or the OpenAPI document does.

Each handler module is imported, as Lambda does, in a fresh interpreter (this one has loaded
everything the other tests use); after each import the modules below must still be absent. They
cost a cold start more than their use is worth: they are imported where they are used.
"""

import json
import subprocess
import sys

from bench.cold_start import lambda_environment, targets

# module -> why a cold start must not import it
ON_FIRST_USE = {
    "aws_lambda_powertools.event_handler.openapi.models": "only the OpenAPI document uses them (web.describe_api)",
    "aws_lambda_powertools.event_handler.openapi.schema_generator": "only GET /v1/openapi.json generates a schema",
    "bizline.routes.catalog": "every router of the API: the document and a 405's Allow read it, on request",
    "email_validator": "only sign-up and verification requests check an email address",
    "phonenumbers": "only the routes that take or change a phone number parse one",
    "pydantic_settings": "settings are a plain pydantic model (bizline/settings.py)",
}
_IMPORT_EACH = """
import json, sys
watched = json.loads(sys.argv[1])
found = {}
for module in sys.argv[2:]:
    __import__(module)
    found[module] = sorted(name for name in watched if name in sys.modules)
print(json.dumps(found))
"""


def test_no_handler_import_loads_what_only_a_rare_path_uses():
    # Given every function of template.yaml, imported one after the other in a fresh interpreter
    functions = targets()
    modules = sorted({target["module"] for target in functions.values()})
    any_function = next(iter(functions.values()))
    environment = lambda_environment("ColdStartGuard", any_function["code"], any_function["environment"])
    # When each handler module is imported
    completed = subprocess.run(  # noqa: S603 - this interpreter, a fixed script
        [sys.executable, "-c", _IMPORT_EACH, json.dumps(sorted(ON_FIRST_USE)), *modules],
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    loaded = json.loads(completed.stdout)
    # Then none of them brought in a module that only a rare path or the document needs
    assert set(loaded) == set(modules)
    offending = {module: {name: ON_FIRST_USE[name] for name in names} for module, names in loaded.items() if names}
    assert not offending, f"imported at cold start: {offending}"

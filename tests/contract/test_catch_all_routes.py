"""Catch-all routes: what no route serves under /v1, /webhooks and /admin reaches the function knowing every route.

API Gateway HTTP API prefers a route naming the method over `ANY`, and a path without a greedy
variable over `{proxy+}`; so only a wrong method (405) or an unknown path (404) arrives there.
"""

from bizline.routes.openapi import allowed_methods

from local.template import http_routes, load_template

TEMPLATE = load_template()
CATCH_ALLS = [route for route in http_routes(TEMPLATE, include_catch_all=True) if route.catch_all]


def test_every_prefix_of_the_api_has_a_catch_all_on_the_function_that_knows_every_route():
    # Given the prefixes the template's routes live under
    prefixes = {"/" + route.path.split("/")[1] for route in http_routes(TEMPLATE)}
    # Then each has one catch-all, all on the business API function (it serves the OpenAPI document)
    assert {route.path.removesuffix("/{proxy+}") for route in CATCH_ALLS} == prefixes
    assert {route.function for route in CATCH_ALLS} == {"BusinessApiFunction"}


def test_reviewer_paths_stay_signed_even_for_a_wrong_method():
    # Given the catch-all of the reviewer routes
    (admin,) = [route for route in CATCH_ALLS if route.path.startswith("/admin/")]
    # Then it asks for a SigV4 signature like the routes it stands beside
    assert admin.authorizer == "AWS_IAM"


def test_the_allow_of_every_path_names_exactly_the_methods_the_template_routes():
    # Given every route the template declares, with a sample value for each path parameter
    declared: dict[str, set[str]] = {}
    for route in http_routes(TEMPLATE):
        declared.setdefault(route.path, set()).add(route.method)
    # Then the methods a 405 names for the path are those (a path listed as it is is its own resource,
    # whatever template it would match too: `/v1/subscribers/batch` is not a `{customer_id}`)
    for path, methods in declared.items():
        concrete = path.replace("{", "x").replace("}", "")
        assert allowed_methods(concrete) == methods, path

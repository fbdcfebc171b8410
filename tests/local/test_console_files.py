"""The console's static files at /console: the built app, its config, and CloudFront's headers."""

import json
import re

import pytest

from local.console import ConsoleConfig, ConsoleFiles, security_headers
from local.template import load_template

CONFIG = ConsoleConfig("http://127.0.0.1:5000", "eu-central-1", "eu-central-1_pool", "client123")


@pytest.fixture
def dist(tmp_path):
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text("<!doctype html><title>bizline</title>")
    (tmp_path / "assets" / "index-abc.js").write_text("console.log(1)")
    return tmp_path


def test_the_app_is_served_under_console_with_a_strict_csp(dist):
    # Given a built console
    files = ConsoleFiles(CONFIG, dist)
    # When the browser asks for /console/ and a hashed asset
    status, headers, body = files.handle("GET", "/console/")
    asset_status, asset_headers, asset = files.handle("GET", "/console/assets/index-abc.js")
    # Then it gets index.html and the script, with CloudFront's headers and the assets cached for good
    assert (status, body) == (200, b"<!doctype html><title>bizline</title>")
    assert "script-src 'self'" in headers["content-security-policy"]
    assert "unsafe-inline" not in headers["content-security-policy"]
    assert "connect-src 'self' http://127.0.0.1:5000;" in headers["content-security-policy"]
    assert headers["x-frame-options"] == "DENY"
    assert (asset_status, asset) == (200, b"console.log(1)")
    assert asset_headers["content-type"].startswith("text/javascript")
    assert "immutable" in asset_headers["cache-control"]


def test_app_paths_get_the_app_and_missing_files_404(dist):
    files = ConsoleFiles(CONFIG, dist)
    # When the browser reloads a path of the app, or asks for a file that is not there, or escapes the folder
    assert files.handle("GET", "/console/inbox/cus_1")[0] == 200
    assert files.handle("GET", "/console/assets/missing.js")[0] == 404
    assert b"root:" not in files.handle("GET", "/console/../../../../../../etc/passwd")[2]
    # Then /console redirects to /console/, other methods are refused, and the API's paths are not the console's
    assert files.handle("GET", "/console")[0] == 308
    assert files.handle("POST", "/console/")[0] == 405
    assert files.handle("GET", "/v1/health") is None
    assert files.handle("GET", "/consoles") is None


def test_the_config_names_the_user_pool_and_app_client(dist):
    status, headers, body = ConsoleFiles(CONFIG, dist).handle("GET", "/console/config.json")
    assert status == 200
    assert headers["cache-control"] == "no-store"
    assert json.loads(body)["cognito"] == {
        "endpoint": "http://127.0.0.1:5000",
        "region": "eu-central-1",
        "userPoolId": "eu-central-1_pool",
        "clientId": "client123",
        "identityPoolId": "",
        "identityEndpoint": "",
    }


def test_the_config_names_the_identity_pool_reviewers_trade_their_token_at(dist):
    # Given a platform whose template declares an identity pool, answered on the platform's own origin
    config = ConsoleConfig(
        "http://127.0.0.1:5000", "eu-central-1", "eu-central-1_pool", "client123", "", "eu-central-1:abc", "/local/id"
    )
    # When the console reads its config
    answer = json.loads(ConsoleFiles(config, dist).handle("GET", "/console/config.json")[2])
    # Then it knows where to buy a reviewer's credentials, and signs /admin calls for its own host
    assert answer["cognito"]["identityPoolId"] == "eu-central-1:abc"
    assert answer["cognito"]["identityEndpoint"] == "/local/id"
    assert answer["adminSigningHost"] == ""


def _shape(value):
    return {key: _shape(item) for key, item in value.items()} if isinstance(value, dict) else None


def test_cloudfront_serves_the_config_the_local_platform_serves_with_aws_values():
    # Given the config CloudFront's viewer function answers in AWS
    code = load_template()["Resources"]["ConsoleViewerRequestFunction"]["Properties"]["FunctionCode"]["Fn::Sub"]
    deployed = json.loads(re.search(r"var CONFIG = '(.*)';", code).group(1))
    # Then it has the local config's fields; reviewers sign for the API's own host, Cognito's endpoints are AWS's
    assert _shape(deployed) == _shape(json.loads(CONFIG.as_json()))
    assert deployed["cognito"]["identityPoolId"] == "${TeamIdentityPool}"
    assert deployed["adminSigningHost"] == "${HttpApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}"
    assert deployed["cognito"]["endpoint"] == deployed["cognito"]["identityEndpoint"] == ""


def test_an_unbuilt_console_says_how_to_build_it(tmp_path):
    status, _, body = ConsoleFiles(CONFIG, tmp_path).handle("GET", "/console/")
    assert status == 503
    assert b"make console" in body


def test_the_local_headers_are_the_cloudfront_policy_of_the_template():
    # Given the template's response headers policy for the console
    template = load_template()
    policy = template["Resources"]["ConsoleSecurityHeaders"]["Properties"]["ResponseHeadersPolicyConfig"]
    csp = policy["SecurityHeadersConfig"]["ContentSecurityPolicy"]["ContentSecurityPolicy"]["Fn::Sub"]
    # Then the local platform serves the same CSP, with the embedded AWS standing in for every AWS origin
    # (Cognito's two endpoints and the documents bucket), named once per directive
    headers = security_headers(template, "http://127.0.0.1:5000")
    aws_origin = r"https://(cognito-(idp|identity)\.\$\{AWS::Region\}\.amazonaws\.com|\$\{\w+\.(Regional)?DomainName\})"
    local_directives = []
    for directive in csp.split(";"):
        words = [re.sub(aws_origin, "http://127.0.0.1:5000", word) for word in directive.split()]
        local_directives.append(" ".join(dict.fromkeys(words)))
    assert headers["content-security-policy"] == "; ".join(local_directives)
    # And reviewers' document previews may be shown (images, PDFs in a frame) from the bucket alone
    assert "frame-src http://127.0.0.1:5000;" in headers["content-security-policy"]
    assert headers["x-frame-options"] == "DENY"
    assert headers["strict-transport-security"] == "max-age=63072000; includeSubDomains"


def test_the_console_is_deployed_privately_behind_cloudfront_with_its_api_on_the_same_origin():
    resources = load_template()["Resources"]
    bucket = resources["ConsoleBucket"]["Properties"]
    assert all(bucket["PublicAccessBlockConfiguration"].values())
    distribution = resources["ConsoleDistribution"]["Properties"]["DistributionConfig"]
    (s3_origin,) = [origin for origin in distribution["Origins"] if origin["Id"] == "console"]
    assert s3_origin["OriginAccessControlId"] == {"Fn::GetAtt": ["ConsoleOriginAccessControl", "Id"]}
    (reader,) = [
        s
        for s in resources["ConsoleBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"]
        if s["Effect"] == "Allow"
    ]
    assert reader["Principal"] == {"Service": "cloudfront.amazonaws.com"}
    assert "AWS:SourceArn" in reader["Condition"]["StringEquals"]
    # The API's routes the console calls: members' /team (ID token) and reviewers' /admin (SigV4, signed for the
    # API's own host, which CloudFront sends on instead of the viewer's)
    behaviors = {behavior["PathPattern"]: behavior for behavior in distribution["CacheBehaviors"]}
    assert set(behaviors) == {"/team/*", "/admin/*"}
    assert {behavior["TargetOriginId"] for behavior in behaviors.values()} == {"api"}
    all_viewer_except_host = "b689b0a8-53d0-40ab-baf2-68738e2966ac"
    assert behaviors["/admin/*"]["OriginRequestPolicyId"] == all_viewer_except_host
    assert distribution["DefaultCacheBehavior"]["ResponseHeadersPolicyId"] == {"Ref": "ConsoleSecurityHeaders"}
    assert distribution["DefaultCacheBehavior"]["ViewerProtocolPolicy"] == "redirect-to-https"

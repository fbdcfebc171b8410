"""Helpers shared by the tests: sign-ups, headers, raw table reads."""

import json
from typing import Any

from local.gateway import GatewayResponse, HttpApiGateway

M = 1_000_000
BAKERY_SIZE = {"employees": 4, "annual_turnover_eur": 350_000, "balance_sheet_total_eur": 120_000}
BANK_SIZE = {"employees": 12_000, "annual_turnover_eur": 4_000 * M, "balance_sheet_total_eur": 90_000 * M}


def sign_up_body(**overrides: Any) -> dict[str, Any]:
    body = {
        "display_name": "Bäckerei Huber",
        "legal_name": "Bäckerei Huber GmbH",
        "country": "AT",
        "contact_email": "office@baeckerei-huber.example",
        "website": "https://baeckerei-huber.example",
        "size": BAKERY_SIZE,
    }
    body.update(overrides)
    return body


def json_headers(api_key: str | None = None) -> dict[str, str]:
    headers = {"content-type": "application/json"}
    if api_key:
        headers["authorization"] = f"Bearer {api_key}"
    return headers


def bearer(api_key: str) -> dict[str, str]:
    return {"authorization": f"Bearer {api_key}"}


def post_json(api: HttpApiGateway, path: str, body: Any, api_key: str | None = None) -> GatewayResponse:
    return api.request("POST", path, headers=json_headers(api_key), body=json.dumps(body))


def sign_up(api: HttpApiGateway, **overrides: Any) -> tuple[dict[str, Any], str]:
    """Sign a business up through the API; returns the business and its first API key."""
    response = post_json(api, "/v1/businesses", sign_up_body(**overrides))
    assert response.status == 201, response.body
    created = response.json()
    return created["business"], created["api_key"]["api_key"]


def scan(dynamodb: Any, table: str) -> list[dict[str, Any]]:
    return dynamodb.scan(TableName=table)["Items"]

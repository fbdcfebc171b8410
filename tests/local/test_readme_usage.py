"""The README's usage and invoices walk-through runs verbatim: the bakery's zero invoice, an enterprise's priced one."""

import csv
import io
import json
import re

from tests.local.readme import run_readme_block


def _documents(stdout: str) -> list[dict]:
    """Every JSON object the block printed (curl answers, one per line; make admin's indented one)."""
    decoder, found, index = json.JSONDecoder(), [], 0
    while (start := stdout.find("{", index)) != -1:
        try:
            document, index = decoder.raw_decode(stdout, start)
        except ValueError:
            index = start + 1
            continue
        found.append(document)
    return found


def test_the_readme_usage_walk_through_runs_as_written(platform):
    # Given the demo bakery and the starter rate card on a running platform
    # When a shell runs the README's usage block
    result = run_readme_block("usage", platform.api_url)
    # Then it ran through
    assert result.returncode == 0, result.stderr
    documents = _documents(result.stdout)
    reports = [doc for doc in documents if "totals" in doc and "days" in doc]
    invoices = [doc for doc in documents if "total_cents" in doc and "lines" in doc]
    closes = [doc for doc in documents if "closed" in doc and "already_closed" in doc]
    # And the bakery's month shows the customer's message and its reply, priced by Meta as free service
    bakery, enterprise = reports
    assert bakery["tier"] == "free"
    assert bakery["totals"]["inbound"] >= 1
    assert bakery["totals"]["submitted"] == 1
    assert bakery["totals"]["service"] == 1
    assert bakery["rate_card"] == "2025-01"
    # And the enterprise's shows its template, priced as utility
    assert enterprise["tier"] == "enterprise"
    assert enterprise["totals"]["utility"] == 1
    # And the close froze both invoices
    assert closes
    assert closes[0]["closed"] >= 2
    # And the bakery's invoice is 0 with its usage itemised; the enterprise's is 2 cents (1 utility x 2 cents)
    free, paid = invoices
    assert free["total_cents"] == 0
    assert {"meter": "service", "quantity": 1, "amount_cents": 0} in free["lines"]
    assert paid["total_cents"] == 2
    assert {"meter": "utility", "quantity": 1, "amount_cents": 2} in paid["lines"]
    assert "Meta bills its own fees" in paid["note"]
    # And the CSV downloaded through its link totals the same, and the PDF is a PDF
    rows = list(csv.DictReader(io.StringIO(result.stdout[result.stdout.index("kind,month,") :].split("%PDF")[0])))
    assert rows[-1]["kind"] == "total"
    assert rows[-1]["amount_cents"] == "2"
    assert re.search(r"^%PDF-1\.\d", result.stdout, re.MULTILINE)

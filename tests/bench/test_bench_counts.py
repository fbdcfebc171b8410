"""`make bench` cannot rot: its counting, on a tiny scenario, agrees with an independent count and adds up."""

import pytest
from botocore.client import BaseClient

from bench import economics
from bench.harness import Harness
from bench.recorder import install
from bench.run import callbacks
from bench.scenarios import Bench
from local.template import load_template
from tests.contract.iam import running_function


@pytest.fixture(scope="module")
def bench(embedded_aws):
    # The bench builds its own embedded AWS: the tests' one (kept per process) steps aside, and comes back
    # freshly provisioned for the next test that asks for it.
    embedded_aws.stop()
    """One warm platform for the module: building one takes seconds."""
    recorder = install()
    recorder.calls.clear()
    with Harness(recorder) as harness:
        running = Bench(harness, recorder)
        running.setup()
        yield running


@pytest.fixture
def seen_by_the_stack():
    """Every botocore call made under a handler, attributed by the call stack as the IAM recorder does."""
    seen: list[tuple[str, str]] = []
    original = BaseClient._make_api_call

    def counting(self, operation, params):
        function = running_function()
        if function:
            seen.append((function, f"{self.meta.service_model.service_name}:{operation}"))
        return original(self, operation, params)

    BaseClient._make_api_call = counting
    yield seen
    BaseClient._make_api_call = original


def test_the_synchronous_count_of_one_message_is_what_the_stack_saw(bench, seen_by_the_stack):
    # Given a warm platform with a business whose callback URL answers
    during_the_post: list[tuple[str, str]] = []

    def post_one_message():
        seen_by_the_stack.clear()
        sent = bench._post(bench._envelope(["436600000099"]))
        during_the_post.extend(seen_by_the_stack)
        return sent

    # When one customer message is posted to the webhook, and every event source is drained
    scenario = bench.run("tiny", "one message", 1, "inbound message", post_one_message)

    # Then the bench counted exactly the calls the handlers made while the POST was answered
    counted = sorted((call.actor, call.name) for call in scenario.function_calls("sync"))
    assert counted == sorted(during_the_post)
    assert len(counted) > 0
    # And the message went on to the business: calls afterwards, one callback delivered, by a function
    assert scenario.per_unit("async") > 0
    assert scenario.callbacks == 1
    assert scenario.callback_senders
    assert scenario.callback_senders <= set(load_template()["Resources"])
    # And every DynamoDB call consumed units: at least one per write, half a unit per eventually consistent read
    dynamodb = [call for call in scenario.sync + scenario.later if call.service == "dynamodb"]
    writes = [call for call in dynamodb if call.partition_writes]
    assert writes
    assert all(call.write_units >= 1 for call in writes)
    assert all(call.read_units >= 0.5 for call in dynamodb if call.operation in ("GetItem", "BatchGetItem", "Query"))
    assert not any(call.units_estimated for call in dynamodb)


def test_cost_and_hot_keys_add_up_from_the_counts(bench):
    # Given two single-message envelopes from two customers, drained together
    scenario = bench.burst(2)
    # When they are priced and their partitions counted
    template = load_template()
    cost = economics.cost_per_million(scenario, template, economics.load_prices())
    used = cost["used_per_unit"]
    hot = economics.hot_partitions(scenario, rate=100)
    delivered = callbacks({"burst": scenario})
    # Then each message cost one HTTP API request, at least one Lambda invocation and some of every unit
    assert used["http_api_request"] == 1
    assert used["lambda_request"] >= 1
    assert used["dynamodb_write_request_unit"] >= 1
    assert used["dynamodb_read_request_unit"] > 0
    assert cost["usd_per_million"] == pytest.approx(sum(cost["usd_per_million_by_item"].values()), abs=0.01)
    # And the write units per partition add up to the write units of the calls
    total_units = sum(units for call in scenario.sync + scenario.later for _, _, units in call.partition_writes)
    assert total_units == pytest.approx(used["dynamodb_write_request_unit"] * scenario.units)
    assert hot["partitions"]
    assert hot["partitions"][0]["write_units_per_message"] > 0
    # And both callbacks were delivered, each counted with its calls
    assert delivered["delivered"] == 2
    assert delivered["dynamodb_calls_per_callback"] > 0

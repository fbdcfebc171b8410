"""Units of work driven through the public entry points, each split into a synchronous and an asynchronous part.

The synchronous part is what happens while the request is answered (the webhook POST, an API
call); the asynchronous part is everything the event sources do afterwards, drained until quiet.
A warm-up runs every path once first, so the counts are those of warm containers (clients made,
secrets cached), as almost every message in production meets.
"""

import itertools
import json
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from bench.harness import NUMBER, Harness, Invocations
from bench.recorder import Call, Recorder

_customers = itertools.count(1)
_wamids = itertools.count(1)


def _customer() -> str:
    return f"4366{next(_customers):08d}"


def _wamid() -> str:
    return f"wamid.BENCH{next(_wamids):06d}"


@dataclass
class Scenario:
    """What one unit of work cost: calls per phase, invocations per phase, callbacks delivered."""

    name: str
    description: str
    units: int
    unit: str
    sync: list[Call] = field(default_factory=list)
    later: list[Call] = field(default_factory=list)
    invocations: dict[str, dict[str, Invocations]] = field(default_factory=dict)
    callbacks: int = 0
    callback_senders: set[str] = field(default_factory=set)
    requests: int = 0  # HTTP API requests made (API Gateway bills them)

    def function_calls(self, phase: str) -> list[Call]:
        """The calls bizline's functions made in a phase ("sync" or "async")."""
        return [call for call in (self.sync if phase == "sync" else self.later) if call.by_function]

    def per_unit(self, phase: str) -> float:
        return len(self.function_calls(phase)) / self.units

    def breakdown(self, phase: str) -> dict[str, dict[str, int]]:
        """function -> service:operation -> calls, for a phase (the pollers' calls as their own actors)."""
        calls = self.sync if phase == "sync" else self.later
        found: dict[str, Counter[str]] = {}
        for call in calls:
            if call.empty_receive:
                continue  # a poll that finds nothing ends every drain; AWS's pollers long-poll
            found.setdefault(call.actor, Counter())[call.name] += 1
        return {actor: dict(sorted(counter.items())) for actor, counter in sorted(found.items())}


class Bench:
    """Runs the scenarios on one harness and keeps what each cost."""

    def __init__(self, harness: Harness, recorder: Recorder):
        self.harness = harness
        self.recorder = recorder
        self.key = ""
        self.scenarios: dict[str, Scenario] = {}

    # -- building blocks ---------------------------------------------------------------------
    def _envelope(self, customers: list[str]) -> dict[str, Any]:
        from local.meta_envelopes import change, contact, envelope, text_message

        now = int(time.time())
        messages = [text_message(_wamid(), "Habt ihr heute Krapfen?", wa_id, timestamp=now) for wa_id in customers]
        contacts = [contact(wa_id, name=f"Kunde {wa_id[-3:]}") for wa_id in customers]
        return envelope(change(NUMBER, messages, contacts=contacts))

    def _status(self, wamid: str, to: str, state: str) -> dict[str, Any]:
        from local.meta_envelopes import change, envelope, status

        return envelope(change(NUMBER, statuses=[status(wamid, state, int(time.time()), recipient_id=to)]))

    def _reply(self, to: str) -> Any:
        body = {
            "from_phone_number_id": NUMBER,
            "to": {"wa_id": to},
            "type": "text",
            "text": {"body": "Ja, bis 18 Uhr."},
        }
        return self.harness.request("POST", "/v1/messages", body, self.key)

    def run(self, name: str, description: str, units: int, unit: str, act: Any) -> Scenario:
        """Run `act` as the synchronous part, then drain every event source as the asynchronous part."""
        scenario = Scenario(name, description, units, unit)
        delivered_before = len(self.harness.receiver.senders)
        with self.recorder.in_phase(f"{name}:sync"):
            scenario.requests = act()
        with self.recorder.in_phase(f"{name}:async"):
            self.harness.drain()
        scenario.sync = self.recorder.of_phase(f"{name}:sync")
        scenario.later = self.recorder.of_phase(f"{name}:async")
        for phase in ("sync", "async"):
            scenario.invocations[phase] = {
                function: stats
                for (recorded_phase, function), stats in self.harness.invocations.items()
                if recorded_phase == f"{name}:{phase}"
            }
        senders = self.harness.receiver.senders[delivered_before:]
        scenario.callbacks = len(senders)
        scenario.callback_senders = {sender for sender in senders if sender}
        self.scenarios[name] = scenario
        return scenario

    def _post(self, payload: dict[str, Any]) -> int:
        response = self.harness.post_webhook(payload)
        assert response.status == 200, response.body
        return 1

    # -- the scenarios -----------------------------------------------------------------------
    def setup(self) -> None:
        """A business with a callback URL and a number; then every path once, so containers are warm."""
        self.key = self.harness.sign_up_business()
        self.warm_customer = _customer()
        self.run("warmup", "every path once", 1, "run", self._warm_up)

    def _warm_up(self) -> int:
        self._post(self._envelope([self.warm_customer]))
        self.harness.drain()
        assert self._reply(self.warm_customer).status in (200, 201, 202)
        self.harness.drain()
        self._post(self._status(self.harness.sandbox.sent[-1]["wamid"], self.warm_customer, "sent"))
        return 3

    def inbound(self, messages: int, known: bool = False, name: str | None = None) -> Scenario:
        """One envelope of `messages` text messages, each from another customer (or the warm-up's)."""
        customers = [self.warm_customer] if known else [_customer() for _ in range(messages)]
        who = "a customer who wrote before" if known else "customers new to the business"
        return self.run(
            name or f"inbound_{messages}{'_known' if known else ''}",
            f"one webhook envelope with {messages} message(s) from {who}",
            messages,
            "inbound message",
            lambda: self._post(self._envelope(customers)),
        )

    def reply(self) -> Scenario:
        """`POST /v1/messages` to a customer in their service window, through sending."""
        self.reply_customer = _customer()
        self._post(self._envelope([self.reply_customer]))
        self.harness.drain()

        def act() -> int:
            response = self._reply(self.reply_customer)
            assert response.status in (200, 201, 202), response.body
            return 1

        return self.run("reply", "POST /v1/messages through the provider's answer", 1, "reply", act)

    def status(self) -> Scenario:
        """Meta reports the last reply delivered: one status through its callback."""
        wamid = self.harness.sandbox.sent[-1]["wamid"]
        payload = self._status(wamid, self.reply_customer, "delivered")
        return self.run(
            "status", "one status webhook (delivered) for a sent reply", 1, "status", lambda: self._post(payload)
        )

    def burst(self, messages: int = 20) -> Scenario:
        """Many single-message envelopes from different customers, then one drain: full batches, as under load."""
        payloads = [self._envelope([_customer()]) for _ in range(messages)]

        def act() -> int:
            return sum(self._post(payload) for payload in payloads)

        return self.run(
            "burst",
            f"{messages} single-message envelopes from {messages} new customers, drained together",
            messages,
            "inbound message",
            act,
        )

    def newsletter(self, recipients: int = 200) -> Scenario:
        """A newsletter sent now to `recipients` subscribers: the dispatcher's fan-out and every send."""
        from local.meta_envelopes import envelope

        template = {
            "name": "bench_newsletter",
            "language": "de",
            "category": "marketing",
            "components": [
                {
                    "type": "BODY",
                    "text": "Hallo {{first_name}}, frische Krapfen!",
                    "example": {"body_text_named_params": [{"param_name": "first_name", "example": "Anna"}]},
                }
            ],
        }
        created = self.harness.request("POST", "/v1/templates", template, self.key)
        assert created.status == 201, created.body
        approval = {
            "event": "APPROVED",
            "message_template_id": int(created.json()["template_id"]),
            "message_template_name": template["name"],
            "message_template_language": "de",
            "reason": "NONE",
        }
        payload = envelope({"field": "message_template_status_update", "value": approval}, waba_id=self.harness.waba_id)
        payload["entry"][0]["time"] = int(time.time())
        self._post(payload)
        self.harness.drain()
        consent = {"source": "bench", "at": "2026-11-23T09:30:00+01:00", "text": "Ja"}
        items = [{"wa_id": _customer(), "attributes": {"first_name": f"Kunde {n}"}} for n in range(recipients)]
        for start in range(0, len(items), 250):  # a request body is at most 64 KiB
            chunk = {"consent": consent, "items": items[start : start + 250]}
            batch = self.harness.request("POST", "/v1/subscribers/batch", chunk, self.key)
            assert batch.status == 200, batch.body
        limit = self.harness.request("PUT", f"/v1/messaging-limits/{NUMBER}", {"limit": "unlimited"}, self.key)
        assert limit.status == 200, limit.body
        body = {
            "name": "Bench",
            "from_phone_number_id": NUMBER,
            "template": {"name": template["name"], "language": "de"},
            "variables": {"first_name": {"attribute": "first_name"}},
        }
        newsletter = self.harness.request("POST", "/v1/newsletters", body, self.key)
        assert newsletter.status == 201, newsletter.body
        self.harness.drain()
        path = f"/v1/newsletters/{newsletter.json()['newsletter_id']}/send-now"

        def act() -> int:
            response = self.harness.request("POST", path, None, self.key)
            assert response.status == 202, response.body
            return 1

        return self.run(
            "newsletter",
            f"a newsletter sent now to {recipients} subscribers: the dispatcher's fan-out and every send",
            recipients,
            "newsletter recipient",
            act,
        )

    def newsletter_fanout(self, recipients: int = 5000) -> Scenario:
        """The dispatcher alone, firing a newsletter to `recipients` subscribers: its calls, and its time per page.

        Runs after `newsletter` (its template approved, the number unlimited). The sends it queues are
        dropped afterwards: `newsletter` counts what sending costs.
        """
        from moto.sqs.models import Queue

        dynamodb = self.harness.session.client("dynamodb")
        requests = []
        for n in range(recipients):
            customer = f"cus_f{n:019x}"
            item = {
                "business_id": {"S": self.harness.business_id},
                "subscriber_key": {"S": f"sub#{customer}"},
                "customer_id": {"S": customer},
                "wa_id": {"S": f"49{n:010d}"},
                "status": {"S": "subscribed"},
                "at": {"S": "2026-11-23T08:30:00Z"},
                "source": {"S": "bench"},
                "tags": {"L": [{"S": "fanout"}]},
                "attributes": {"S": json.dumps({"first_name": f"Kunde {n}"})},
                "created_at": {"S": "2026-11-23T08:30:00Z"},
            }
            requests.append({"PutRequest": {"Item": item}})
            if len(requests) == 25 or n == recipients - 1:
                dynamodb.batch_write_item(RequestItems={"SubscribersTable": requests})
                requests = []
        body = {
            "name": "Bench fan-out",
            "from_phone_number_id": NUMBER,
            "template": {"name": "bench_newsletter", "language": "de"},
            "variables": {"first_name": {"attribute": "first_name"}},
            "audience": {"type": "tags", "tags": ["fanout"]},
            "send_at": time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(time.time() + 3600)),
        }
        created = self.harness.request("POST", "/v1/newsletters", body, self.key)
        assert created.status == 201, created.body
        firing = {"business_id": self.harness.business_id, "newsletter_id": created.json()["newsletter_id"]}
        spec = self.harness.functions["NewsletterDispatcherFunction"]
        # moto's SendMessage counts every queued message for each one sent (quadratic); AWS does not.
        counts = (
            "approximate_number_of_messages",
            "approximate_number_of_messages_not_visible",
            "approximate_number_of_messages_delayed",
        )
        saved = {name: getattr(Queue, name) for name in counts}
        for name in counts:
            setattr(Queue, name, property(lambda queue: 0))
        scenario = Scenario("newsletter_fanout", f"the dispatcher's run of a {recipients}-subscriber newsletter",
                            recipients, "newsletter recipient")  # fmt: skip
        try:
            with self.recorder.in_phase("newsletter_fanout:sync"):
                self.harness._invoke_or_raise(spec, firing | {"scheduled_time": "2026-12-01T08:00:00Z"}, "schedule")
        finally:
            for name, value in saved.items():
                setattr(Queue, name, value)
        scenario.sync = self.recorder.of_phase("newsletter_fanout:sync")
        scenario.invocations["sync"] = {
            function: stats
            for (phase, function), stats in self.harness.invocations.items()
            if phase == "newsletter_fanout:sync"
        }
        sqs = self.harness.session.client("sqs")
        sqs.purge_queue(QueueUrl=sqs.get_queue_url(QueueName="SendQueue")["QueueUrl"])
        self.scenarios["newsletter_fanout"] = scenario
        return scenario

    def run_all(self, burst_messages: int = 20) -> dict[str, Scenario]:
        self.setup()
        self.inbound(1, name="inbound_1")
        self.inbound(1, known=True, name="inbound_1_known")
        self.inbound(10, name="inbound_10")
        self.reply()
        self.status()
        self.burst(burst_messages)
        self.newsletter()
        self.newsletter_fanout()
        return self.scenarios

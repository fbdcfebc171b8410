"""One embedded AWS per test process: moto, provisioned from template.yaml once, handed to each test as new.

Starting moto's mock and creating every table, queue, bucket and secret of the template took longer
than most tests themselves. So the mock starts once per process (per xdist worker), the template is
provisioned once, and a deep copy of moto's whole state is taken then. Before each test the state is
put back from that copy: every service, account and region the test (or a local platform's
`/moto-api/reset` in the same process) touched goes back to exactly what provisioning left, items,
messages, objects, stream records, secret versions and any resource a test created included.
"""

import copy
import threading
from typing import Any

from moto import mock_aws
from moto.core.base_backend import BackendDict
from moto.core.model_instances import reset_model_data

from local.resources import provision
from local.template import LOCAL_ENDPOINT, REGION, load_template

# BackendDict -> account id -> region -> that region's backend, as provisioned (never handed out).
_Saved = dict[BackendDict, dict[str, dict[str, Any]]]


def _copy(backend: Any) -> Any:
    # An SQS queue waits for messages on a Condition, which cannot be copied: each copy gets its own.
    memo: dict[int, Any] = {}
    for queue in getattr(backend, "queues", {}).values():
        lock = getattr(queue, "_messages_lock", None)
        if lock is not None:
            memo[id(lock)] = threading.Condition()
    return copy.deepcopy(backend, memo)


def _discard(backend_dict: BackendDict) -> None:
    # moto's S3 keeps each object in a temporary file: close them rather than leave it to the collector.
    for account in backend_dict.values():
        for backend in account.values():
            if hasattr(backend, "buckets"):
                backend.reset()
    backend_dict.clear()


class EmbeddedAws:
    """moto's mock, started on first use and kept for the process; `fresh()` puts the provisioned state back."""

    def __init__(self) -> None:
        self._mock: Any = None
        self._saved: _Saved = {}
        self._bucket_accounts: dict[BackendDict, dict[str, Any]] = {}

    def fresh(self) -> None:
        """Every resource of template.yaml, as just provisioned, and nothing else."""
        if self._mock is None:
            self._start()
            return
        for backend_dict in list(BackendDict._instances):
            _discard(backend_dict)
        BackendDict._instances.clear()
        for backend_dict, accounts in self._saved.items():
            for account_id, regions in accounts.items():
                backend_dict._create_account_specific_backend(account_id)
                account = dict.__getitem__(backend_dict, account_id)
                for region, backend in regions.items():
                    dict.__setitem__(account, region, _copy(backend))
            if backend_dict in self._bucket_accounts:
                backend_dict.bucket_accounts = dict(self._bucket_accounts[backend_dict])
        reset_model_data()

    def _start(self) -> None:
        import boto3

        self._mock = mock_aws()
        self._mock.start()
        session = boto3.session.Session(region_name=REGION)
        provision(session.client, load_template(), LOCAL_ENDPOINT)
        self._saved = {
            backend_dict: {
                account_id: {region: _copy(backend) for region, backend in account.items()}
                for account_id, account in backend_dict.items()
            }
            for backend_dict in BackendDict._instances
        }
        self._bucket_accounts = {
            backend_dict: dict(backend_dict.bucket_accounts)
            for backend_dict in self._saved
            if hasattr(backend_dict, "bucket_accounts")
        }

    def stop(self) -> None:
        if self._mock is not None:
            self._mock.stop()
            self._mock = None

"""Tools for the fault-injection suite: a server that misbehaves on cue (``FaultServer`` +
``Fault``), a proxy that cuts connections (``CuttingProxy``) and hostile local conditions (see
``conftest.py``: a full disk, a read-only folder, running as nobody).

The tools prove their own faults in ``test_fault_tools.py``; Skylift's tests build on them.
"""

from tests.faults.cutting_proxy import CuttingProxy, ProxyConnection
from tests.faults.fault_server import FaultServer
from tests.faults.faults import PASS, Fault, FaultRule
from tests.faults.records import Counters, RequestEnd, RequestRecord, Stored, StoredKind
from tests.faults.tus_service import TusUploadInfo

__all__ = [
    "PASS",
    "Counters",
    "CuttingProxy",
    "Fault",
    "FaultRule",
    "FaultServer",
    "ProxyConnection",
    "RequestEnd",
    "RequestRecord",
    "Stored",
    "StoredKind",
    "TusUploadInfo",
]

"""Shenyue's domain core: reports, their structure, and the marks made on them.

Plain Python: nothing here imports the interface.
"""

from annotations.errors import IngestError, StoreError, UserError
from annotations.model import Annotation, Report, ReportMeta, Section, Span, Tag
from annotations.workspace import Workspace

__all__ = [
    "Annotation",
    "IngestError",
    "Report",
    "ReportMeta",
    "Section",
    "Span",
    "StoreError",
    "Tag",
    "UserError",
    "Workspace",
]

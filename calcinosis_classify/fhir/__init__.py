"""FHIR R4 input: read a Bundle or a bulk export (NDJSON) into cases of the input contract.

>>> from calcinosis_classify.fhir import read_fhir
>>> cases, warnings, basis = read_fhir("export/")  # doctest: +SKIP
"""

from calcinosis_classify.fhir._read import FhirRead, read_fhir

__all__ = ["FhirRead", "read_fhir"]

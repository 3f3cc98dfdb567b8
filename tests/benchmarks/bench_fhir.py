"""Benchmark: reading a FHIR bulk export with ``read_fhir`` vs ``pyarrow.json.read_json`` of the same files.

Run as ``python tests/benchmarks/bench_fhir.py [N] [--memory]`` (default N = 100,000 patients, about 30
resources each: 3M resources). Measured in one run on this machine:

* speed: the time of ``read_fhir(export)`` against the time ``pyarrow.json.read_json`` takes to read
  every NDJSON file of the export (schema inferred, every element), best of two each
  (target: at most 2x);
* with ``--memory``: the peak resident memory of a subprocess that reads an export of 100,000 and
  1,000,000 patients with 10 and 30 resources per patient, minus that of a 10,000-patient export with as
  many resources per patient (the fixed base: interpreter, libraries, full-size read blocks), per
  patient (target: at most 2 KB, the same for 10 and 30 resources). Needs about 17 GB of disk.

The export is written by :func:`write_export`: per patient a Patient, dated calcium / phosphate / PTH /
albumin / creatinine / eGFR results over a year (some outside the window, some in SI units),
conditions (one refuted), medications and dialysis procedures, with codes from the code maps.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow.json as pa_json

from calcinosis_classify.fhir import read_fhir
from calcinosis_classify.knowledge.codes import CODE_SYSTEMS

LOINC = "http://loinc.org"
ICD = "http://hl7.org/fhir/sid/icd-10-cm"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
CPT = "http://www.ama-assn.org/go/cpt"
# Fallback codes when a map is still empty (the codes are read the same way whether they map or not).
_FALLBACK = {"calcium": "17861-6", "phosphate": "2777-1", "pth": "2731-8", "albumin": "1751-7",
             "creatinine": "2160-0", "egfr": "33914-3"}


def _code(system: str, field: str, fallback: str) -> str:
    return next((e.code for e in CODE_SYSTEMS.get(system, ()) if field in e.fields), fallback)


def write_export(folder: Path, n: int, per_patient: int = 30, seed: int = 0) -> int:
    """A bulk export of ``n`` patients with about ``per_patient`` resources each; returns the count."""
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    labs = [(f, _code(LOINC, f, c)) for f, c in _FALLBACK.items()]
    units = {"calcium": ("mg/dL", "mmol/L"), "phosphate": ("mg/dL", "mmol/L"), "pth": ("pg/mL", "pmol/L"),
             "albumin": ("g/dL", "g/L"), "creatinine": ("mg/dL", "umol/L"), "egfr": ("mL/min/{1.73_m2}",) * 2}
    factor = {"calcium": 0.2495, "phosphate": 0.3229, "pth": 0.106, "albumin": 10.0, "creatinine": 88.4,
              "egfr": 1.0}
    centre = {"calcium": 9.6, "phosphate": 4.0, "pth": 60.0, "albumin": 4.0, "creatinine": 1.2, "egfr": 70.0}
    ckd, ssc = _code(ICD, "ckd", "N18.4"), _code(ICD, "autoimmune_disease", "M34.1")
    site = next((e.code for e in CODE_SYSTEMS.get(ICD, ()) if "lesion_site" in e.fields), "L94.2")
    warfarin, dialysis = _code(RXNORM, "warfarin", "11289"), _code(CPT, "dialysis", "90935")
    n_obs = max(1, per_patient - 6)
    count = 0
    files = {k: (folder / f"{k}.ndjson").open("w") for k in ("Patient", "Observation", "Condition",
                                                              "MedicationRequest", "Procedure")}
    try:
        for start in range(0, n, 10_000):
            m = min(10_000, n - start)
            births = rng.integers(1930, 2020, m)
            days = rng.integers(0, 365, (m, n_obs))
            values = rng.normal(1.0, 0.15, (m, n_obs))
            si = rng.random((m, n_obs)) < 0.3
            pat, obs, cond, med, proc = [], [], [], [], []
            for i in range(m):
                p = f"p{start + i:08d}"
                pat.append(f'{{"resourceType":"Patient","id":"{p}","gender":"{"female" if i % 2 else "male"}",'
                           f'"birthDate":"{births[i]}-0{1 + i % 9}-1{i % 10}"}}\n')
                for k in range(n_obs):
                    field, code = labs[k % len(labs)]
                    unit = units[field][int(si[i, k])]
                    v = centre[field] * values[i, k] * (factor[field] if si[i, k] else 1.0)
                    d = int(days[i, k])
                    obs.append(f'{{"resourceType":"Observation","id":"o{start + i:08d}-{k}","status":"final",'
                               f'"category":[{{"coding":[{{"system":"http://terminology.hl7.org/CodeSystem/'
                               f'observation-category","code":"laboratory"}}]}}],'
                               f'"code":{{"coding":[{{"system":"{LOINC}","code":"{code}","display":"{field}"}}]}},'
                               f'"subject":{{"reference":"Patient/{p}"}},'
                               f'"effectiveDateTime":"2024-{1 + d // 31:02d}-{1 + d % 28:02d}T08:30:00Z",'
                               f'"valueQuantity":{{"value":{v:.2f},"unit":"{unit}","system":'
                               f'"http://unitsofmeasure.org","code":"{unit}"}}}}\n')
                for k, (code, verify) in enumerate(((ckd, "confirmed"), (ssc, "refuted"))):
                    cond.append(f'{{"resourceType":"Condition","id":"c{start + i:08d}-{k}","subject":{{"reference":'
                                f'"Patient/{p}"}},"clinicalStatus":{{"coding":[{{"code":"active"}}]}},'
                                f'"verificationStatus":{{"coding":[{{"code":"{verify}"}}]}},"code":{{"coding":'
                                f'[{{"system":"{ICD}","code":"{code}"}}]}},"recordedDate":"2023-05-01"}}\n')
                cond.append(f'{{"resourceType":"Condition","id":"c{start + i:08d}-s","subject":{{"reference":'
                            f'"Patient/{p}"}},"code":{{"coding":[{{"system":"{ICD}","code":"{site}"}}]}},'
                            f'"bodySite":[{{"text":"thigh"}}],"onsetDateTime":"2024-06-01"}}\n')
                med.append(f'{{"resourceType":"MedicationRequest","id":"m{start + i:08d}","status":"active",'
                           f'"subject":{{"reference":"Patient/{p}"}},"medicationCodeableConcept":{{"coding":'
                           f'[{{"system":"{RXNORM}","code":"{warfarin}"}}]}},"authoredOn":"2023-01-15"}}\n')
                proc.append(f'{{"resourceType":"Procedure","id":"d{start + i:08d}","status":"completed",'
                            f'"subject":{{"reference":"Patient/{p}"}},"code":{{"coding":[{{"system":"{CPT}",'
                            f'"code":"{dialysis}"}}]}},"performedDateTime":"2024-12-20"}}\n')
            for name, lines in (("Patient", pat), ("Observation", obs), ("Condition", cond),
                                ("MedicationRequest", med), ("Procedure", proc)):
                files[name].writelines(lines)
                count += len(lines)
    finally:
        for f in files.values():
            f.close()
    return count


def _best(fn, runs: int = 2) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def speed(n: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "export"
        count = write_export(folder, n)
        size = sum(p.stat().st_size for p in folder.iterdir()) / 1e6
        files = sorted(folder.iterdir())
        t_arrow = _best(lambda: [pa_json.read_json(f) for f in files])
        t_read = _best(lambda: read_fhir(folder))
        print(f"{n:,} patients, {count:,} resources, {size:,.0f} MB")
        print(f"pyarrow.json.read_json: {t_arrow:.2f} s   read_fhir: {t_read:.2f} s   ratio {t_read / t_arrow:.2f}x "
              f"(target <= 2x)")


def _peak_kb(folder: Path) -> float:
    code = ("import resource, sys; from calcinosis_classify.fhir import read_fhir; r = read_fhir(sys.argv[1]); "
            "print(len(r.cases), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)")
    out = subprocess.run([sys.executable, "-c", code, str(folder)], capture_output=True, text=True, check=True)
    return float(out.stdout.split()[1])


BASE = 10_000


def memory(sizes: tuple[int, ...] = (100_000, 1_000_000), per: tuple[int, ...] = (10, 30)) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        for r in per:
            base_dir = Path(tmp) / f"base{r}"
            write_export(base_dir, BASE, r)
            base = _peak_kb(base_dir)
            for n in sizes:
                folder = Path(tmp) / f"e{n}-{r}"
                count = write_export(folder, n, r)
                peak = _peak_kb(folder)
                per_patient = (peak - base) * 1024 / (n - BASE)
                print(f"{n:>9,} patients x {r} resources ({count:,}): peak {peak / 1024:,.0f} MB, base "
                      f"{base / 1024:,.0f} MB -> {per_patient:,.0f} bytes per patient (target <= 2048)")
                for p in folder.iterdir():
                    p.unlink()


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    speed(int(args[0]) if args else 100_000)
    if "--memory" in sys.argv:
        memory()

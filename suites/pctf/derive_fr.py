#!/usr/bin/env python3
"""Derives psp_pctf_v1_5_criteria_fr.csv: the PSP PCTF v1.5 criteria (psp_pctf_v1_5_criteria.csv) in
French. Not needed to build or test dialtone; run it again when either workbook changes.

Usage: derive_fr.py EN-1.4.xlsx FR-1.4.xlsx   (needs openpyxl)

The two workbooks are Version1_4/PSP-PCTF-V1.4-Assessment-Workbook-EN-2021-12-16.xlsx and
Version1_4/PSP-PCTF-V1.4-Cahier-D-Evaluation-FR-2021-12-16.xlsx of canada-ca/PCTF-CCP. A criterion
whose v1.4 English text is the v1.5 text (compared with whitespace, bullets and apostrophes
normalized) takes the official French text of v1.4 (`official-1.4`); a process name likewise. Any
other keeps the project's translation already in the output file (`project`): the script refuses to
finish while one is missing, and never invents a criterion id (the ids are the v1.5 catalogue's).
"""
import csv, os, re, sys
import openpyxl

HERE = os.path.dirname(os.path.abspath(__file__))
EN_15 = os.path.join(HERE, "psp_pctf_v1_5_criteria.csv")
OUT = os.path.join(HERE, "psp_pctf_v1_5_criteria_fr.csv")


def norm(text):
    text = (text or "").replace("\u2019", "'").replace("\xa0", " ").replace("_x000D_", " ")
    text = re.sub(r"[●•▪◦\-–]\s", " ", text)
    return re.sub(r"\s+", " ", text).strip().lower()


def clean(text):
    """The workbook's text as a cell shows it: carriage-return escapes and trailing blanks removed."""
    text = (text or "").replace("_x000D_\n", "\n").replace("_x000D_", "\n").replace("\r\n", "\n")
    return "\n".join(line.rstrip() for line in text.split("\n")).strip()


def criteria(path, sheet):
    out = {}
    for row in openpyxl.load_workbook(path, read_only=True)[sheet].iter_rows(values_only=True):
        if len(row) > 5 and isinstance(row[2], str) and re.fullmatch(r"[A-Z]{4}\.\d+", row[2].strip()):
            out[row[2].strip()] = row[5] or ""
    return out


def processes(path, sheet):
    out = {}
    for row in openpyxl.load_workbook(path, read_only=True)[sheet].iter_rows(values_only=True):
        pid = row[0].strip() if row and isinstance(row[0], str) else ""
        # The French workbook spells one id twice over (CRRCCRRC).
        if re.fullmatch(r"([A-Z]{4})\1", pid):
            pid = pid[:4]
        if re.fullmatch(r"[A-Z]{4}", pid) and row[1]:
            out[pid] = row[1]
    return out


def main(en_path, fr_path):
    en14, fr14 = criteria(en_path, "Conformance Criteria"), criteria(fr_path, "Critères de conformité")
    pen14, pfr14 = processes(en_path, "Process Definitions"), processes(fr_path, "Définitions des processus")
    kept = {}
    if os.path.exists(OUT):
        with open(OUT, encoding="utf-8", newline="") as f:
            kept = {r["criterion_id"]: r for r in csv.DictReader(f)}
    rows, missing = [], []
    with open(EN_15, encoding="utf-8", newline="") as f:
        for r in csv.DictReader(f):
            pid, cid = r["process_id"], r["criterion_id"]
            old = kept.get(cid, {})
            if pid in pfr14 and norm(pen14.get(pid)) == norm(r["process"]):
                process, process_source = clean(pfr14[pid]), "official-1.4"
            else:
                process, process_source = old.get("process", ""), "project"
            if cid in fr14 and norm(en14.get(cid)) == norm(r["text"]):
                text, text_source = clean(fr14[cid]), "official-1.4"
            else:
                text, text_source = old.get("text", ""), "project"
            if not process or not text:
                missing.append(cid)
            rows.append([cid, process, process_source, text, text_source])
    with open(OUT, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["criterion_id", "process", "process_source", "text", "text_source"])
        w.writerows(rows)
    official = sum(1 for r in rows if r[4] == "official-1.4")
    print(f"{len(rows)} criteria: {official} official French texts, {len(rows) - official} the project's")
    if missing:
        sys.exit(f"no French yet (write the project's translation in {OUT}): {', '.join(missing)}")


if __name__ == "__main__":
    main(*sys.argv[1:3])

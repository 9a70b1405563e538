#!/usr/bin/python3
"""Writes Tests/Fixtures/regression/diabetes.csv: scikit-learn's diabetes data set (442 patients,
10 raw baseline variables, and a quantitative measure of disease progression one year later), as
Debian's python3-sklearn ships it (sklearn/datasets/data/diabetes_data_raw.csv.gz and
diabetes_target.csv.gz: the raw, unscaled values). One header line, comma-separated.

    /usr/bin/python3 scripts/make_regression_fixture.py   (Debian's python3 with python3-sklearn)
"""
import gzip
import os
import sklearn.datasets

here = os.path.dirname(sklearn.datasets.__file__)
with gzip.open(os.path.join(here, "data", "diabetes_data_raw.csv.gz"), "rt") as f:
    rows = [line.split() for line in f if line.strip()]
with gzip.open(os.path.join(here, "data", "diabetes_target.csv.gz"), "rt") as f:
    targets = [float(line) for line in f if line.strip()]
assert len(rows) == len(targets) == 442 and all(len(r) == 10 for r in rows)
out = os.path.join(os.path.dirname(__file__), "..", "Tests", "Fixtures", "regression", "diabetes.csv")
with open(out, "w") as f:
    f.write("age,sex,bmi,bp,s1,s2,s3,s4,s5,s6,progression\n")
    for r, t in zip(rows, targets):
        f.write(",".join(r) + ",%g\n" % t)
print("wrote", os.path.normpath(out))

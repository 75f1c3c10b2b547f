#!/usr/bin/env python3
"""Validate a scimulate JUnit XML report with junitparser, a parser nobody
on this project wrote.

Usage: ci/junit-check.py REPORT.xml

Checks what CI tools rely on (docs/reports.md): the file parses; every testsuite has
a name and its tests/failures/errors/skipped counts match its testcases;
every testcase has a classname and a name; a scenario check's name has the
form check[target]#index and its classname is the suite (the scenario or
certify group); a non-success result carries a message. Exit 0 when all
holds, 1 with one line per problem otherwise, 2 on bad usage.
"""

import re
import sys

from junitparser import Error, Failure, JUnitXml, Skipped, TestSuite

CHECK_NAME = re.compile(r"^[a-z_]+\[[^\]]*\]#\d+$")
HARNESS_NAME = re.compile(r"^harness(\[[^\]]*\])?#\d+$")
CERTIFY_ID = re.compile(r"^[A-Z][A-Z0-9-]*-\d+$")


def check(path):
    problems = []
    xml = JUnitXml.fromfile(path)
    suites = [xml] if isinstance(xml, TestSuite) else list(xml)
    if not suites:
        problems.append("no testsuite")
    total = 0
    for suite in suites:
        if not suite.name:
            problems.append("a testsuite without a name")
        counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
        for case in suite:
            counts["tests"] += 1
            where = f"{suite.name}: testcase {case.name!r}"
            if not case.name:
                problems.append(f"{suite.name}: a testcase without a name")
            if case.classname != suite.name:
                problems.append(f"{where}: classname {case.classname!r}, expected the suite's name")
            if not (CHECK_NAME.match(case.name or "") or HARNESS_NAME.match(case.name or "")
                    or CERTIFY_ID.match(case.name or "")):
                problems.append(f"{where}: expected check[target]#index, harness#n or a certify id")
            for result in case.result:
                if isinstance(result, Failure):
                    counts["failures"] += 1
                elif isinstance(result, Error):
                    counts["errors"] += 1
                elif isinstance(result, Skipped):
                    counts["skipped"] += 1
                if not result.message:
                    problems.append(f"{where}: a {result._tag} without a message")
        total += counts["tests"]
        for key, n in counts.items():
            declared = getattr(suite, key)
            if declared is not None and int(declared) != n:
                problems.append(f"{suite.name}: {key}={declared}, but {n} testcases say so")
    return total, problems


def main(argv):
    if len(argv) != 2:
        usage = [line for line in __doc__.splitlines() if line.startswith("Usage:")]
        print(usage[0], file=sys.stderr)
        return 2
    try:
        total, problems = check(argv[1])
    except Exception as e:  # a file junitparser cannot read is a failed check
        print(f"{argv[1]}: not a readable JUnit XML file: {e}", file=sys.stderr)
        return 1
    for p in problems:
        print(f"{argv[1]}: {p}", file=sys.stderr)
    if problems:
        return 1
    print(f"{argv[1]}: {total} testcases, valid JUnit XML (junitparser)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

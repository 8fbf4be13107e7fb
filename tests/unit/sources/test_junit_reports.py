"""Reading test results from any runner: JUnit XML (junit.py), `go test -json` (gotest.py), and which
files a command wrote and which runner wrote them (junit_reports.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from collector.sources.testruns.gotest import GoTestStream, is_go_test_json
from collector.sources.testruns.junit import BadReport, NotJUnit, read_junit
from collector.sources.testruns.junit_reports import command_words, framework, named_reports

SUREFIRE = """<?xml version="1.0" encoding="UTF-8"?>
<testsuite name="com.example.CalcTest" tests="4" failures="1" errors="1" skipped="1">
  <properties><property name="java.version" value="17"/></properties>
  <testcase name="adds" classname="com.example.CalcTest" time="0.004"/>
  <testcase name="fails" classname="com.example.CalcTest" time="0.010">
    <failure message="expected: &lt;3&gt; but was: &lt;2&gt;" type="AssertionFailedError">at Calc</failure>
  </testcase>
  <testcase name="breaks" classname="com.example.CalcTest" time="0"><error message="NPE"/></testcase>
  <testcase name="later" classname="com.example.CalcTest"><skipped message="not today"/></testcase>
  <system-out>noise</system-out>
</testsuite>
"""


def test_a_surefire_report_maps_onto_the_test_run_vocabulary(tmp_path: Path) -> None:
    path = tmp_path / "TEST-com.example.CalcTest.xml"
    path.write_text(SUREFIRE)
    report = read_junit(tmp_path, path.name)
    assert report.name == "com.example.CalcTest" and report.dropped == 0
    assert [(t["nodeid"], t["outcome"], t["duration_ms"]) for t in report.tests] == [
        ("com.example.CalcTest::adds", "passed", 4), ("com.example.CalcTest::fails", "failed", 10),
        ("com.example.CalcTest::breaks", "error", 0), ("com.example.CalcTest::later", "skipped", 0)]
    assert report.tests[1]["summary"] == "expected: <3> but was: <2>\nat Calc"


def test_other_xml_hostile_xml_and_caps(tmp_path: Path) -> None:
    (tmp_path / "pom.xml").write_text("<project><modelVersion>4.0.0</modelVersion></project>")
    with pytest.raises(NotJUnit):
        read_junit(tmp_path, "pom.xml")
    (tmp_path / "dtd.xml").write_text('<!DOCTYPE x [<!ENTITY e "e">]><testsuites/>')
    with pytest.raises(BadReport, match="DTDForbidden"):
        read_junit(tmp_path, "dtd.xml")
    (tmp_path / "big.xml").write_text("<testsuites>" + " " * 2000 + "</testsuites>")
    with pytest.raises(BadReport, match="above the 1,000 a report may have"):
        read_junit(tmp_path, "big.xml", max_bytes=1000)
    cases = "".join(f'<testcase name="t{i}"/>' for i in range(10))
    (tmp_path / "many.xml").write_text(f"<testsuites><testsuite name='s'>{cases}</testsuite></testsuites>")
    capped = read_junit(tmp_path, "many.xml", max_tests=3)
    assert [t["nodeid"] for t in capped.tests] == ["s::t0", "s::t1", "s::t2"] and capped.dropped == 7


def test_a_report_that_is_a_link_or_behind_one_is_not_read(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "junit.xml").write_text(SUREFIRE)
    root = tmp_path / "ws"
    root.mkdir()
    (root / "junit.xml").symlink_to(outside / "junit.xml")
    (root / "reports").symlink_to(outside, target_is_directory=True)
    for relpath in ("junit.xml", "reports/junit.xml"):
        with pytest.raises(BadReport, match="cannot be read"):
            read_junit(root, relpath)


def events(*items: dict[str, object]) -> bytes:
    return b"".join(json.dumps(item).encode() + b"\n" for item in items)


def test_go_test_json_stream_in_arbitrary_chunks() -> None:
    stream = events(
        {"Action": "run", "Package": "ex/calc", "Test": "TestAdds"},
        {"Action": "pass", "Package": "ex/calc", "Test": "TestAdds", "Elapsed": 0.01},
        {"Action": "output", "Package": "ex/calc", "Test": "TestFails", "Output": "calc_test.go:3: nope\n"},
        {"Action": "fail", "Package": "ex/calc", "Test": "TestFails", "Elapsed": 0.02},
        {"Action": "skip", "Package": "ex/calc", "Test": "TestLater", "Elapsed": 0},
        {"Action": "fail", "Package": "ex/calc", "Elapsed": 0.5},
        {"Action": "output", "Package": "ex/broken", "Output": "# ex/broken\nsyntax error\n"},
        {"Action": "fail", "Package": "ex/broken", "Elapsed": 0},
    ) + b"not json, a line go vet printed\n"
    parsed = GoTestStream()
    for start in range(0, len(stream), 7):  # lines split anywhere
        parsed.feed(stream[start:start + 7])
    assert [(t["nodeid"], t["outcome"]) for t in parsed.tests()] == [
        ("ex/calc::TestAdds", "passed"), ("ex/calc::TestFails", "failed"), ("ex/calc::TestLater", "skipped"),
        ("ex/broken", "error")]
    assert parsed.tests()[1]["summary"] == "calc_test.go:3: nope\n"
    assert is_go_test_json(["go", "test", "-json", "./..."]) and not is_go_test_json(["go", "test", "./..."])
    assert not is_go_test_json(["go", "test", "./...", "-args", "-json"])


def test_report_names_on_command_lines_and_the_runner_they_name() -> None:
    words = command_words(None, "npx vitest run --reporter=junit --outputFile=reports/v.xml # why")
    assert named_reports(words) == ["reports/v.xml"]
    assert named_reports(["pytest", "--junitxml=out.xml", "ctest", "--output-junit", "c.XML"]) == \
        ["out.xml", "c.XML"]
    assert framework(["node", "--test"], None, []) == "node:test"
    assert framework(["./mvnw", "test"], None, ["com.example.CalcTest"]) == "maven"
    assert framework(["make", "check"], "jest tests", []) == "jest"
    assert framework(["python", "-m", "pytest"], None, ["pytest"]) == "pytest"
    assert framework(["make"], None, []) == "junit"

"""Test runs as `test_run` steps: what a test runner reports about the commands a developer runs.

    pytest_env.py     what a launcher (`codetape run`, the shell hook, VS Code's terminals) adds so that any
                      pytest records its tests: the plugin's folder (sources/pytest_path/) on `PYTHONPATH`
    junit_reports.py  which JUnit reports a recorded command wrote, and which runner wrote them
    junit.py          one JUnit XML report as `test_run` outcomes, parsed without trusting the file
    gotest.py         `go test -json`, read from a command's output as it passes

The pytest plugin itself stays where it was installed, in sources/: `pytest_path/` (the folder launchers
put on `PYTHONPATH`) and `pytest_plugin.py` (codetape's own `pytest11` entry point). Named `testruns`, not
`tests`: a `tests` folder is where the project's own tests live, and tools take any such folder for them.
"""

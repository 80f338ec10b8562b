# shellcheck shell=bash
# bats looks for the suite's set-up next to the test files: as the scenario
# folders, tests/examples/ shares tests/setup_suite.bash (the root
# namespace's snapshot, the catalogue fixture).
# shellcheck source=tests/setup_suite.bash
. "$(dirname "${BASH_SOURCE[0]}")/../setup_suite.bash"

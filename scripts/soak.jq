# scripts/soak's report, from the results documents of N runs (jq -s).
def key: "\(.scenario) \(.family)";
def outcome:
  [ "status=\(.status)",
    (.steps[] | select((.measured | not) and (.racy | not))
      | "\(.name)=\(.value // .errno // "ok")"),
    "connection=\(.connection // "-")" ] | join(" ");
def racy_steps: [.steps[] | select(.racy) | "\(.name)=\(.value // .errno // "ok")"];

length as $n
| [.[].runs[]] as $runs
| ($runs | group_by(key)) as $groups
| [ $groups[] | select((map(outcome) | unique | length) > 1) ] as $varied
| [ $groups[] | select(any(.[]; racy_steps | length > 0)) ] as $racy
| "runs compared: \($groups | length) (scenario, family) pairs, \($n) times each",
  "varied: \($varied | length)",
  ( $varied[] | "  \(.[0] | key):",
      ( map(outcome) | group_by(.) | map("    \(length) x \(.[0])")[] ) ),
  "documented races (steps the scenario marks racy; its test asserts the allowed set): \($racy | length)",
  ( $racy[] | "  \(.[0] | key): " +
      ( map(racy_steps | join(" ")) | group_by(.) | map("\(length) x \(.[0])") | join(", ") ) )

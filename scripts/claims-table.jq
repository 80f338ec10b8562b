# `sockerr claims --json results/*.json` -> README.md's table "What you may
# have read, and what Linux does": one row per claim, grouped by source in
# the order of claims/*.txt; the verdict per kernel, kernels named by their
# major.minor, a verdict said once when every kernel agrees.

def md: tostring | gsub("\\|"; "\\|") | gsub("\n"; " ");
def short: (capture("^(?<v>[0-9]+\\.[0-9]+)") | .v) // .;
def verdict_text:
  if .verdict == "holds" then "holds"
  elif .verdict == "Linux differs" then "**Linux differs**"
  elif .verdict == "sockerr differs" then "**sockerr differs**"
  elif .verdict == "no Linux path" then "**no Linux path**"
  else .verdict end
  + (if .observed != null and .verdict != "holds" then " (" + .observed + ")" else "" end);
# "holds on 6.1, 6.12, 6.18" when all kernels say the same; else each.
def verdicts:
  [.[] | select(.verdict != "not run")] as $run
  | [.[] | select(.verdict == "not run") | .kernel | short] as $notrun
  | ($run | map(verdict_text) | unique) as $texts
  | (if ($run | length) == 0 then "not run"
     elif ($texts | length) == 1 then $texts[0]
       + (if ($run[0].verdict | test("^(not observed here|sockerr )")) then ""
          else " on " + ($run | map(.kernel | short) | join(", ")) end)
     else $run | map((.kernel | short) + ": " + verdict_text) | join("; ") end)
    + (if ($notrun | length) > 0 and ($run | length) > 0
       then "; not run on " + ($notrun | join(", ")) else "" end);

"| source | what it says | predicts (scenario) | on Linux | why (the kernel) |",
"|---|---|---|---|---|",
(.[] | "| \(.source | md) | \(.says | md) | \(.predicts | md) (`\(.scenario)`) | \(.verdicts | verdicts | md) | \(.why // "" | md) |")

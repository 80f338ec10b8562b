# What differs between kernels, and why: included by matrix.jq (MATRIX.md)
# and report.jq (index.html), so both open with the same findings.
#
# findings($explained): input: the slurped results/*.json (one document per
# kernel); $explained: the text of results/differences.tsv. Output:
#   {kernels: [{release, short}] (oldest first),
#    findings: [{kind, scenario, families, step, groups: [{v, kernels}],
#                rows: [matching differences.tsv rows], explained, problem}],
#    pairs: [{older, newer, findings: [names], scenarios, rows, families, waits}],
#    waits: [{scenario, family, cells: [per kernel: [ms...] or null]}]}
#
# A finding is one of:
#   step    a step that ran on several kernels returned different cells
#           (measured and racy steps never count);
#   status  a run ran on some kernels and was skipped or broken on others,
#           or was skipped for different reasons (a skip because the kernel
#           is not disposable, the machine's own kernel, is the runner's
#           choice, not the kernel's: not compared);
#   timing  the waits differ: the interval between a segment and its
#           retransmission in the run's capture (SYN, RTO, probe timers).
#           Only waits: under emulation (TCG) a step's or the set-up's
#           duration measures the guest's CPU, not the kernel.
#
# differences.tsv, tab-separated, "#" comments:
#   scenario  family|*  step|*  kind  changed_in  cause
# kind is step, timing or status (skip is read as status); changed_in the
# first version that behaves the new way ("5.13"), "?" while unknown; cause
# the function or commit subject responsible. The old four-column rows
# (scenario, family, step, explanation) still match any kind.
# A finding is explained when a row matches it, no matching row is a
# placeholder (changed_in "?" or an empty cause), and every two neighbouring
# kernels that disagree have a matching row's changed_in between them.

def f_vkey: [scan("[0-9]+") | tonumber];
def f_uniq: reduce .[] as $x ([]; if index([$x]) then . else . + [$x] end);
def f_cell($s):
  if $s.value != null then $s.value
  elif ($s.ret < 0 and $s.errno != null) then $s.errno
  else "ok" end;
# Steps keyed uniquely within a run: a repeated name gets " (2)"...
def f_keyed:
  . as $steps
  | [range(0; length) as $i | $steps[$i] as $s
     | ([$steps[0:$i][] | select(.name == $s.name)] | length) as $k
     | {key: (if $k == 0 then ($s.name // "?") else "\($s.name) (\($k + 1))" end),
        v: f_cell($s), m: (($s.measured // false) or ($s.racy // false))}];

# Retransmission waits of a run, from its capture: for each TCP segment
# that carries SYN, FIN or data and was sent again (same sender, interface,
# ports, flags, length and sequence number), the intervals between its
# copies of 200 ms (TCP_RTO_MIN) or more; then, position by position (the
# first retransmission, the second...), the shortest over the run's
# segments: a timer never fires early, and a slow guest only adds to it.
def f_waits:
  [(.packets // [])[]
   | select(.proto == 6 and ((((.flags // "") | test("SYN|FIN")) or (.payload // 0) > 0)))
   | . + {seq: ([(.detail // "") | capture("seq (?<s>[0-9]+)") | .s] | first)}]
  | group_by([.from, .to, .ifname, .sport, .dport, .flags, .payload, .seq])
  | [.[] | select(length > 1) | . as $g
     | [range(1; length) as $i | $g[$i].ms - $g[$i - 1].ms | select(. >= 200)]
     | select(length > 0)] as $lists
  | [range(0; [$lists[] | length] | max // 0) as $k | [$lists[] | .[$k] // empty] | min | round];

# Two wait schedules differ where, at a position both have, the shorter is
# under two thirds of the longer (a backoff doubles; TCG delays less).
def f_waits_differ($a; $b):
  [range(0; [($a | length), ($b | length)] | min) as $k
   | [$a[$k], $b[$k]] | select(min * 3 < max * 2)] | length > 0;
def f_waits_text: map(. / 100 | round / 10 | tostring | if test("\\.") then . else . + ".0" end) | join(", ") + " s";

# A skip that says where it ran, not what the kernel lacks.
def f_env_skip: .status == "skipped" and ((.reason // "") | test("disposable kernel"));

def f_short_names:
  (map({r: ., s: (f_vkey[0:2] | map(tostring) | join("."))})) as $l
  | reduce $l[] as $x ({}; .[$x.r] = (if ([$l[] | select(.s == $x.s)] | length) > 1 then $x.r else $x.s end));

def f_rows($text):
  [$text | split("\n")[] | select(length > 0 and (startswith("#") | not))
   | split("\t") | select(length >= 4)
   | if length >= 6 and (.[3] as $k | ["step", "timing", "status", "skip"] | index([$k]))
     then {scenario: .[0], family: .[1], step: .[2],
           kind: (if .[3] == "skip" then "status" else .[3] end),
           changed_in: .[4], cause: (.[5:] | join(" "))}
     else {scenario: .[0], family: .[1], step: .[2], kind: "*", changed_in: null,
           cause: (.[3:] | join(" "))} end];

# changed_in as a version ([5, 13]), or null for "?", "" or an old row.
def f_version: if . == null then null else [scan("[0-9]+") | tonumber] | if length == 0 then null else . end end;
# Kernel release $r is at or after version $v.
def f_at_least($r; $v): ($r | f_vkey)[0:($v | length)] >= $v;

def findings($explained):
  [.[] | {release: (.kernel // "unknown"),
          runs: (reduce (.runs // [])[] as $r ({};
            .["\($r.scenario)\t\($r.family // "none")"] =
              {status: $r.status, reason: $r.reason, env_skip: ($r | f_env_skip),
               steps: (($r.steps // []) | f_keyed),
               waits: (if $r.status == "ran" then ($r | f_waits) else [] end)}))}]
  | sort_by(.release | f_vkey) as $kernels
  | ([$kernels[].release] | f_short_names) as $short
  | f_rows($explained) as $tsv
  | ([($kernels | max_by(.runs | length) // {runs: {}}).runs | keys_unsorted[]]
     + [$kernels[].runs | keys_unsorted[]] | f_uniq) as $runkeys
  # Every comparison: {kind, scenario, family, step, cells: [{release, v, w}]}
  # with only the kernels where it can be compared.
  | [$runkeys[] as $rk
     | ($rk | split("\t")) as [$scenario, $family]
     | [$kernels[] | {release, run: .runs[$rk]} | select(.run != null and (.run.env_skip | not))] as $present
     | {kind: "status", scenario: $scenario, family: $family, step: "(run)",
        cells: [$present[] | {release, v: (if .run.status == "skipped" then "skipped: \(.run.reason // "")" else .run.status end)}]},
       ([$present[] | select(.run.status == "ran")] as $ran
        | ([$ran[].run.steps[].key] | f_uniq)[] as $sk
        | {kind: "step", scenario: $scenario, family: $family, step: $sk,
           cells: [$ran[] | ([.run.steps[] | select(.key == $sk)] | first) as $s
                   | select($s == null or ($s.m | not))
                   | {release, v: ($s.v // "(no such step)")}]}),
       ([$present[] | select(.run.status == "ran" and (.run.waits | length) > 0)] as $w
        | {kind: "timing", scenario: $scenario, family: $family, step: "(retransmission waits)",
           cells: [$w[] | {release, v: (.run.waits | f_waits_text), w: .run.waits}]})] as $compared
  | def differ($a; $b): if $a.w != null then f_waits_differ($a.w; $b.w) else $a.v != $b.v end;
    def adjacent_differ: . as $c | [range(1; $c | length) as $i | select(differ($c[$i - 1]; $c[$i])) | [$c[$i - 1].release, $c[$i].release]];
  [$compared[] | select((.cells | length) > 1)
   | . as $c | (.cells | adjacent_differ) as $splits
   | select(($splits | length) > 0)
   | [$tsv[] | select((.scenario == $c.scenario or .scenario == "*")
                      and (.family == $c.family or .family == "*")
                      and (.step == $c.step or .step == "*")
                      and (.kind == $c.kind or .kind == "*"))] as $rows
   | [$splits[] | . as [$a, $b]
      | select([$rows[] | .changed_in | f_version | select(. != null)
                | select((f_at_least($a; .) | not) and f_at_least($b; .))] | length == 0)] as $unsplit
   | ([$rows[] | select(.kind != "*" and ((.changed_in | f_version) == null or .cause == ""))] | length > 0) as $placeholder
   | ([$rows[] | select(.kind != "*")] | length == 0) as $old_only
   | ($c.cells[0].release) as $oldest | ($c.cells[-1].release) as $newest
   | $c + {
       groups: ([$c.cells | group_by(.v)[] | {v: .[0].v, releases: [.[] | .release]}]
                | sort_by(.releases[0] | f_vkey) | map(.kernels = (.releases | map($short[.])))),
       # The rows that say something about these kernels: a change inside
       # their span, or no version at all.
       rows: [$rows[] | (.changed_in | f_version) as $v
              | select($v == null or ((f_at_least($oldest; $v) | not) and f_at_least($newest; $v)))],
       problem: (if ($rows | length) == 0 then "not yet explained"
                 elif $placeholder then "not yet explained: a placeholder in differences.tsv"
                 elif ($unsplit | length) > 0 and ($old_only | not)
                 then "not yet explained: no row of differences.tsv has a change between "
                      + ([$unsplit[] | "\($short[.[0]]) and \($short[.[1]])"] | join(", "))
                 else null end),
       splits: $splits}
   | .explained = (.problem == null)] as $raw
  # One finding for both families where they agree.
  | ([$raw | group_by([.kind, .scenario, .step, .groups, .rows, .problem])[]
      | .[0] + {families: [.[].family]}]
     | sort_by("\(.scenario)\t\(.family)" as $k | .kind as $kind
             | [($runkeys | index([$k])), (["status", "step", "timing"] | index([$kind]))])) as $findings
  | {kernels: [$kernels[] | {release, short: $short[.release]}],
     findings: $findings,
     pairs: [range(1; $kernels | length) as $i
             | $kernels[$i - 1].release as $a | $kernels[$i].release as $b
             | [$compared[] | select(([.cells[] | select(.release == $a or .release == $b)] | length) == 2)] as $both
             | {older: $short[$a], newer: $short[$b],
                findings: ([$raw[] | ([.cells[] | select(.release == $a)] | first) as $x
                            | ([.cells[] | select(.release == $b)] | first) as $y
                            | select($x != null and $y != null and differ($x; $y)) | .scenario] | f_uniq),
                scenarios: ([$both[] | select(.kind == "step") | .scenario] | f_uniq | length),
                families: ([$both[] | select(.kind == "step") | .family] | f_uniq),
                rows: ([$both[] | select(.kind == "step")] | length),
                waits: ([$both[] | select(.kind == "timing")] | length)}],
     waits: [$compared[] | select(.kind == "timing" and (.cells | length) > 0) | . as $c
             | {scenario, family, cells: [$kernels[] | .release as $r | [$c.cells[] | select(.release == $r) | .v] | first]}]};

# One line per neighbouring pair: the findings between them, or what was
# compared where none were found.
def f_families: map(if . == "none" then "no network" else . end)
  | if length > 1 then (.[:-1] | join(", ")) + " and " + .[-1] else .[0] // "none" end;
def f_pair_line:
  if (.findings | length) == 0 then
    "\(.older) → \(.newer): none found; compared \(.scenarios) scenarios (\(.families | f_families)), \(.rows) step rows and the retransmission waits of \(.waits) runs"
  else
    "\(.older) → \(.newer): \(.findings | length) scenario\(if (.findings | length) > 1 then "s" else "" end) differ\(if (.findings | length) > 1 then "" else "s" end): \(.findings | join(", "))"
  end;
def f_groups_text: [.groups[] | "\(.kernels | join(", ")): \(.v)"] | join(" · ");
def f_changed_text: [.rows[] | .changed_in // empty | select(. != "")] | f_uniq | if length == 0 then "?" else join(", ") end;
def f_cause_text:
  if (.rows | length) == 0 then "not yet explained"
  else ([.rows[] | if .changed_in != null and .changed_in != "" and .changed_in != "?" then "\(.changed_in): \(.cause)" else .cause end] | join("; "))
       + (if .problem then " (\(.problem))" else "" end) end;

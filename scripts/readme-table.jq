# results/*.json (slurped: one document per kernel) and the catalogue
# ($registry: [`sockerr list --json`], from --slurpfile) -> the errno table of
# README.md: one row per scenario of the catalogue, sorted by errno, syscall
# and name. Only the committed results count, never the running kernel, so
# the table is the same on every machine; no dates.
#
# "observed" is the scenario's key steps: the first call of its syscall and
# the first step that returned its errno (a cell as in results/MATRIX.md:
# the observed value, the errno of a failed call, or "ok"), on every kernel
# that ran it, IPv4 and IPv6 alike unless the row says otherwise. The
# handling class comes from the catalogue where `sockerr list --json` has
# it, else from the newest results.

def vkey: [scan("[0-9]+") | tonumber];
def uniq_ordered: reduce .[] as $x ([]; if index([$x]) then . else . + [$x] end);
def md: tostring | gsub("\\|"; "\\|") | gsub("\n"; " ");
def cell($s):
  if $s.value != null then $s.value
  elif ($s.ret < 0 and $s.errno != null) then $s.errno
  else "ok" end;
def keyed:
  . as $steps
  | [range(0; length) as $i | $steps[$i] as $s
     | ([$steps[0:$i][] | select(.name == $s.name)] | length) as $k
     | $s + {key: (if $k == 0 then ($s.name // "?") else "\($s.name) (\($k + 1))" end)}];
# The handling text begins with its class ("retry at once: ...",
# "fatal: a bug in the caller (...)"): the class alone.
def handling_class:
  if . == null then "—"
  elif startswith("fatal: ") then "fatal: " + (.[7:] | sub("( \\(|[:;,]).*$"; ""))
  else sub("( \\(|[:;,]).*$"; "") end;

($registry[0] // []) as $reg
| [.[] | {release: (.kernel // "unknown"),
          runs: (reduce (.runs // [])[] as $r ({};
                   .["\($r.scenario)\t\($r.family // "none")"] = ($r + {steps: (($r.steps // []) | keyed)})))}]
| sort_by(.release | vkey) as $kernels
# A kernel's short name: its major.minor, unless two kernels share it.
| ($kernels | map(.release | (capture("^(?<v>[0-9]+\\.[0-9]+)") | .v) // .)) as $majmin
| ([range(0; $kernels | length) as $i
    | {key: $kernels[$i].release,
       value: (if ([$majmin[] | select(. == $majmin[$i])] | length) > 1 then $kernels[$i].release else $majmin[$i] end)}]
   | from_entries) as $short
| def kernels_text($ks): [$ks[] | $short[.]] | join(", ");
  [$reg[] as $sc
   | [$kernels[] | .runs[] | select(.scenario == $sc.name)] as $all
   | ($all | last // {}) as $newest
   | ($sc.syscall // "" | split("/")) as $calls
   | [($sc.families // ["none"])[] as $f
      | [$kernels[] | . as $k | .runs["\($sc.name)\t\($f)"] | select(. != null and .status == "ran") | . + {release: $k.release}] as $ran
      | ($ran | last) as $ref
      | (if $ref == null then []
         else ([$ref.steps[] | select(.value == null and (.name as $n | $calls | any(. as $c | $n == $c or ($n | startswith($c + " ")))))][0].key) as $a
           | ([$ref.steps[] | select(cell(.) == $sc.errno)][0].key) as $b
           | [$ref.steps[].key | select(. == $a or . == $b)] | uniq_ordered
         end) as $keys
      | [$ran[] | . as $run
         | {release,
            text: (if ($keys | length) == 0 then "no step returns \($sc.errno)"
                   else [$keys[] as $key | [$run.steps[] | select(.key == $key)][0] as $s
                         | if $s == null then "\($key): —" else "\($key): \(cell($s))" end] | join("; ") end)}] as $texts
      | {family: $f,
         text: (if ($texts | length) == 0 then "not run"
                else ($texts | group_by(.text) | sort_by(.[0].release | vkey)) as $groups
                  | if ($groups | length) == 1 then $groups[0][0].text
                    else [$groups[] | "\(kernels_text([.[].release])): \(.[0].text)"] | join("; ") end
                end)}] as $byfam
   | {errno: $sc.errno, syscall: $sc.syscall, name: $sc.name, policy: ($sc.policy // $newest.policy),
      observed: (if ([$byfam[].text] | unique | length) == 1 then $byfam[0].text
                 else [$byfam[] | "\(.family): \(.text)"] | join("; ") end),
      ran: ([$all[] | select(.status == "ran") | .kernel] | uniq_ordered),
      skipped: ([$all[] | select(.status != "ran") | .kernel] | uniq_ordered),
      posix: ($sc.posix_expects // $newest.posix_expects),
      handling: ($sc.handling // $newest.handling | handling_class)}]
  | sort_by(.errno, .syscall, .name)
  | "| errno | syscall | scenario | observed (IPv4 and IPv6 alike unless noted) | kernels | POSIX / man page expects (where Linux differs) | handling |",
    "|---|---|---|---|---|---|---|",
    (.[] | "| \(.errno | md) | \(.syscall | md) | `\(.name)` | \(.observed | md)\(if .policy then " (policy: \(.policy | md))" else "" end) | "
           + "\(if (.ran | length) == 0 then "none yet" else kernels_text(.ran) end)"
           + (. as $row | [.skipped[] | select(. as $k | $row.ran | index([$k]) | not)]
              | if length == 0 then "" else " (skipped on \(kernels_text(.)))" end)
           + " | \(.posix // "—" | md) | \(.handling | md) |")

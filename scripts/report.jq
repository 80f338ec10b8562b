# results/*.json (slurped: one document per kernel) -> results/index.html.
#
# $registry: [`sockerr list --json`] or [] (from --slurpfile): the order of
#   the scenarios and their summaries; the results alone are enough.
# $evidence: the files under the evidence directory, one relative path a
#   line ("6.1.0-56-amd64/closed-port-ipv4.svg"); $prefix: that directory
#   as a link from the page ("evidence").
# $css: the style sheet, inlined.
# $claims: [`sockerr claims --json RESULTS...`] or [] (from --slurpfile):
#   the claims table, after the matrix.
# $explained: the text of results/differences.tsv: the page opens with
#   "What changed between kernels" (findings.jq, as results/MATRIX.md), each
#   difference linked to its scenario and to each kernel's ladder of it.
#
# A cell is what a step returned, as in results/MATRIX.md: the observed
# value, the errno of a failed call, or "ok". Marks: "differs" where the
# kernels disagree for the same family and step (measurements and racy steps
# never count), "posix" on the steps that return the errno of a scenario
# where Linux differs from POSIX or the man page, "racy" on steps the
# scenario says may go either way, "measured" (dimmed) on counts and times.
# Old results files lack some fields (racy, host, handling...): every field
# is optional.

include "findings";

def vkey: [scan("[0-9]+") | tonumber];
def h: tostring | @html;
def uniq_ordered: reduce .[] as $x ([]; if index([$x]) then . else . + [$x] end);
def cell($s):
  if $s.value != null then $s.value
  elif ($s.ret < 0 and $s.errno != null) then $s.errno
  else "ok" end;
# Steps with a key unique within the run: a repeated name gets " (2)"...
def keyed:
  . as $steps
  | [range(0; length) as $i | $steps[$i] as $s
     | ([$steps[0:$i][] | select(.name == $s.name)] | length) as $k
     | $s + {key: (if $k == 0 then ($s.name // "?") else "\($s.name) (\($k + 1))" end)}];
def attr($name; $v): if $v == null or $v == "" then "" else " \($name)=\"\($v | h)\"" end;
def classes($l): [$l[] | select(. != null and . != "")] | if length == 0 then "" else " class=\"\(join(" "))\"" end;
def plural($n; $what): "\($n) \($what)\(if $n == 1 then "" else "s" end)";

findings($explained) as $found
| ($registry[0] // []) as $reg
| ($evidence | split("\n") | map(select(length > 0)) | map({(.): true}) | add // {}) as $files
| [.[] | {release: (.kernel // "unknown"), env: (.environment // {}), generated: .generated,
          runs: (reduce (.runs // [])[] as $r ({};
                   .["\($r.scenario)\t\($r.family // "none")"] = ($r + {steps: (($r.steps // []) | keyed)})))}]
| sort_by(.release | vkey) as $kernels
| ($kernels | length) as $nk
# Scenarios in catalogue order (the registry, else the kernel with the most
# runs), then any that only some results have.
| ([$reg[].name]
   + [($kernels | max_by(.runs | length) // {runs: {}}).runs[] | .scenario]
   + [$kernels[].runs[] | .scenario] | uniq_ordered) as $names
| [$names[] as $name
   | ([$reg[] | select(.name == $name)][0] // {}) as $rg
   | [$kernels[] | .runs[] | select(.scenario == $name)] as $all
   | ($all | last // {}) as $newest
   | ([$rg.families // [] | .[]] + [$all[] | .family // "none"] | uniq_ordered) as $fams
   | (if $fams == ["none"] then ["none"] else ["ipv4", "ipv6"] end) as $cols
   | {name: $name,
      # The scenario's topic (a run's own errno is what it observed).
      errno: ($rg.errno // $newest.topic_errno // $newest.errno),
      syscall: ($newest.syscall // $rg.syscall),
      summary: $rg.summary,
      policy: ($newest.policy // $rg.policy),
      topology: ($newest.topology // $rg.topology),
      posix: ($newest.posix_expects // $rg.posix_expects),
      kernel_path: ($newest.kernel_path // $rg.kernel_path),
      handling: ($newest.handling // $rg.handling),
      connection: $newest.connection,
      notes: ([$all[] | (.notes // [])[]] | uniq_ordered),
      span: ($cols == ["none"]),
      runs: [$kernels[] as $k | $cols[] as $f
             | {kernel: $k.release, family: $f, run: $k.runs["\($name)\t\($f)"]}],
      keys: ([$kernels[] | .runs[] | select(.scenario == $name) | .steps[].key] | uniq_ordered)}
   | . as $sc
   | .rows = [$sc.keys[] as $key
       | [$sc.runs[] as $c
          | $c.run as $run
          | if $run == null then {kernel: $c.kernel, family: $c.family, t: "—", cls: ["missing"], title: "not run on this kernel"}
            elif $run.status != "ran" then {kernel: $c.kernel, family: $c.family, t: $run.status, cls: [$run.status], title: ($run.reason // $run.status)}
            else ([$run.steps[] | select(.key == $key)][0]) as $s
              | if $s == null then {kernel: $c.kernel, family: $c.family, t: "—", cls: ["missing"], title: "no such step in this run"}
                else {kernel: $c.kernel, family: $c.family, t: cell($s), ran: true,
                      kind: (if $s.value != null then "val" elif ($s.ret < 0 and $s.errno != null) then "err" else "ok" end),
                      measured: ($s.measured // false), racy: ($s.racy // false),
                      call: $s.call, host: $s.host, cls: []} end
            end] as $cells
       | {key: $key,
          call: ([$cells[] | select(.ran and .call != null)] | (map(select(.family != "ipv6")) | last) // last
                 | if . == null then null elif .host and .host != "--" then "\(.call) (on the \(.host))" else .call end),
          cells: [$cells[] | . as $x
            | ([$cells[] | select(.family == $x.family and .ran and (.measured | not) and (.racy | not))]) as $same
            | ($same | map(.t) | unique | length > 1) as $differs
            | ($sc.posix != null and .ran and .t == $sc.errno) as $posix
            | . + {differs: ($differs and .ran and (.measured | not) and (.racy | not)),
                   posix: $posix,
                   versus: (if $differs then [$same[] | "\(.kernel): \(.t)"] | join(", ") else null end)}]}]
   | .differs = ([.rows[].cells[] | select(.differs)] | length)
   | .posix_cells = ([.rows[].cells[] | select(.posix)] | length)
   | .racy = ([.rows[].cells[] | select(.racy)] | length)] as $scenarios
| ($scenarios | map(.differs) | add // 0) as $ndiff
| ([$scenarios[] | select(.posix != null)] | length) as $nposix
| ($scenarios | map(.racy) | add // 0) as $nracy
| ($scenarios | map(.rows | length) | add // 0) as $nsteps
| (1 + 2 * $nk) as $width

# One cell of the matrix.
| def td($c; $first; $name):
    ($c.cls
     + (if $first then ["kfirst"] else [] end)
     + (if $c.ran then [$c.kind] else [] end)
     + (if $c.measured then ["measured"] else [] end)
     + (if $c.racy then ["racy"] else [] end)
     + (if $c.differs then ["differs"] else [] end)
     + (if $c.posix then ["posix"] else [] end)) as $cls
    | ([(if $c.measured then "measured: varies from run to run, never compared" else null end),
        (if $c.racy then "racy: the scenario says the kernel may answer either way" else null end),
        (if $c.differs then "differs between kernels: \($c.versus)" else null end),
        (if $c.posix then "Linux differs from POSIX / the man page" else null end),
        (if $c.ran then null else $c.title end)]
       | map(select(. != null)) | join("\n")) as $title
    # A result links to the run's ladder, where there is one.
    | ("\($c.kernel)/\($name)-\($c.family).svg") as $svg
    | (if $c.ran and $files[$svg] then
         "<a class=\"cell\" href=\"\($prefix | h)/\($c.kernel | @uri | h)/\($name | h)-\($c.family).svg\">\($c.t | h)</a>"
       else ($c.t | h) end) as $text
    | "<td\(classes($cls))\(if $c.span then " colspan=\"2\"" else "" end)\(attr("title"; $title))>\($text)</td>";

# The cell of a run in the scenario's head row: status and evidence links.
def runtd($sc; $c; $first):
  ($c.run) as $run
  | "\($c.kernel | @uri)/\($sc.name)-\($c.family)" as $base
  | [("svg", "pcap") as $ext | select($files["\($c.kernel)/\($sc.name)-\($c.family).\($ext)"])
     | "<a href=\"\($prefix | h)/\($base | h).\($ext)\">\(if $ext == "svg" then "ladder" else "pcap" end)</a>"] as $links
  | "<td\(classes([(if $first then "kfirst" else null end), "run", ($run.status // "missing")])) data-kernel=\"\($c.kernel | h)\" data-family=\"\($c.family)\"\(if $sc.span then " colspan=\"2\"" else "" end)\(attr("title"; if $run == null then "not run on this kernel" elif $run.status != "ran" then $run.reason else null end))>"
    + (if $run == null then "—" elif $run.status != "ran" then ($run.status | h) else ($links | join(" ")) end)
    + "</td>";

"<!DOCTYPE html>",
"<html lang=\"en\">",
"<head>",
"<meta charset=\"utf-8\">",
"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">",
"<title>sockerr: what each system call returned, kernel by kernel</title>",
"<style>",
$css,
"</style>",
"</head>",
"<body>",
"<header>",
"<h1>sockerr: what each system call returned, kernel by kernel</h1>",
"<section id=\"changed\">",
"<h2>What changed between kernels</h2>",
"<p>Every difference between kernels, each with the kernels on each side, the version where the behaviour changed and the cause (<code>results/differences.tsv</code>): a step that returned differently, a run that ran on some kernels and was skipped (the kernel lacks something) or broken on others, and a wait that differs. Timing is compared only where the time is a wait: the interval between a segment and its retransmission in the run's capture, compared retransmission by retransmission (the shortest interval of each; different where the shorter is under two thirds of the longer); how long a step took under emulation measures the machine, not the kernel. A difference nothing explains is <b>not yet explained</b>, and <code>make matrix-check</code> fails on it.</p>",
(if ($found.findings | length) == 0 then "<p class=\"none\" id=\"no-change\">No difference between these kernels.</p>"
 else
   "<table class=\"changed\" id=\"changed-table\"><thead><tr><th>scenario</th><th>family</th><th>step</th><th>kernels: what they returned</th><th>changed in</th><th>cause</th></tr></thead><tbody>",
   ($found.findings[] | . as $f
    | "<tr\(classes(["finding", (if .explained then null else "unexplained" end)])) data-scenario=\"\(.scenario | h)\" data-kind=\"\(.kind)\">"
      + "<td><a href=\"#s-\(.scenario | h)\">\(.scenario | h)</a></td>"
      + "<td>\(.families | map(if . == "none" then "—" else . end) | join(", ") | h)</td>"
      + "<td>\(.step | h)</td>"
      + "<td class=\"sides\">\([.groups[] | . as $g
            | [range(0; $g.releases | length) as $i | $g.releases[$i] as $r
               | "\($r)/\($f.scenario)-\($f.families[0]).svg" as $svg
               | if $files[$svg] then "<a href=\"\($prefix | h)/\($r | @uri | h)/\($f.scenario | h)-\($f.families[0]).svg\" title=\"\($r | h): the ladder\">\($g.kernels[$i] | h)</a>"
                 else ($g.kernels[$i] | h) end] | join(", ")
            | "<span class=\"side\">\(.): \($g.v | h)</span>"] | join(" · "))</td>"
      + "<td>\(f_changed_text | h)</td>"
      + "<td>\(if .explained then (f_cause_text | h) else "<b>\(f_cause_text | h)</b>" end)</td></tr>"),
   "</tbody></table>"
 end),
"<ul class=\"pairs\" id=\"pairs\">",
($found.pairs[] | "<li\(classes([(if (.findings | length) == 0 then "none" else "some" end)]))>\(f_pair_line | h)</li>"),
"</ul>",
"</section>",
"<p class=\"gen\">Generated by <code>make report</code> (<code>scripts/report</code>) from <code>results/*.json</code>; do not edit. \(plural($scenarios | length; "scenario")), \(plural($nsteps; "step row")) on \(plural($nk; "kernel")). \(plural($ndiff; "cell")) differ between kernels; \(plural($nposix; "scenario")) where Linux differs from POSIX or the man page; \(plural($nracy; "racy cell")).</p>",
"<table class=\"kernels\" id=\"kernels\">",
"<thead><tr><th>kernel</th><th>where it ran</th><th>results written</th><th>catalogue wall time</th><th>runs</th><th>evidence</th></tr></thead>",
"<tbody>",
($kernels[] | . as $k | [.runs[] | .status] as $st
 | "<tr><td>\(.release | h)</td><td>\(if .env.runner == "qemu" then "qemu (\(.env.accel // "?"))" elif .env.runner then .env.runner else "?" end | h)</td><td>\(if (.generated | type) == "number" then (.generated | todate) else "?" end)</td><td>\(if .env.catalogue_seconds then "\(.env.catalogue_seconds) s" else "?" end)</td><td>\([$st[] | select(. == "ran")] | length) ran, \([$st[] | select(. == "skipped")] | length) skipped, \([$st[] | select(. == "broken")] | length) broken</td><td>\([$files | keys[] | select(startswith($k.release + "/"))] | length as $n | if $n == 0 then "none" else "<a class=\"evidence\" href=\"\($prefix | h)/\($k.release | @uri | h)/\">\($n) files</a>" end)</td></tr>"),
"</tbody>",
"</table>",
"<ul class=\"legend\" id=\"legend\">",
"<li><span class=\"sample err\">ECONNREFUSED</span> the errno of a failed call; <span class=\"sample ok\">ok</span> a call that succeeded; <span class=\"sample val\">CLOSE</span> an observed value (a TCP state, SO_ERROR, a child's fate). The title of a step (hover) is its call.</li>",
"<li><span class=\"sample differs\">EPIPE</span> the kernels disagree for this family and step</li>",
"<li><span class=\"sample posix\">ECONNRESET</span> the scenario's errno where Linux differs from POSIX or the man page (what they expect is under the scenario's name)</li>",
"<li><span class=\"sample racy\">POLLERR</span> racy: the kernel may answer either way (the scenario says why); never counts as a difference</li>",
"<li><span class=\"sample measured\">4096</span> measured: a count or a time that varies from run to run; never counts as a difference</li>",
"<li><span class=\"sample skipped\">skipped</span> the run did not run on that kernel (hover for why); — not run, or no such step</li>",
"<li><b>ladder</b> / <b>pcap</b>: the run's sequence diagram (SVG) and capture, where <code>results/evidence/KERNEL/</code> has them</li>",
"</ul>",
"<nav id=\"index\"><b>Scenarios:</b>",
($scenarios[] | "<a href=\"#s-\(.name | h)\"\(classes([(if .differs > 0 then "differs" else null end), (if .posix != null then "posix" else null end)]))>\(.name | h)</a>"),
"</nav>",
"</header>",
"<table class=\"matrix\" id=\"matrix\">",
"<thead>",
"<tr class=\"k\"><th rowspan=\"2\" class=\"corner\">scenario / step</th>\([$kernels[] | "<th colspan=\"2\" class=\"kfirst\" title=\"\(.release | h)\">\(.release | h)</th>"] | join(""))</tr>",
"<tr class=\"f\">\([$kernels[] | "<th class=\"kfirst\">ipv4</th><th>ipv6</th>"] | join(""))</tr>",
"</thead>",
($scenarios[] | . as $sc
 | "<tbody class=\"scenario\" id=\"s-\(.name | h)\" data-scenario=\"\(.name | h)\">",
   "<tr class=\"head\"><th class=\"sc\" scope=\"rowgroup\"><a class=\"name\" href=\"#s-\(.name | h)\">\(.name | h)</a> <span\(classes(["errno", (if .posix != null and .posix_cells == 0 then "posix" else null end)]))\(attr("title"; .posix))>\(.errno // "" | h)</span> <span class=\"syscall\">\(.syscall // "" | h)()</span>\(if .policy then " <span class=\"policy\">policy: \(.policy | h)</span>" else "" end)</th>\([range(0; .runs | length) as $i | runtd($sc; $sc.runs[$i]; $sc.span or $i % 2 == 0)] | join(""))</tr>",
   "<tr class=\"info\"><td colspan=\"\($width)\">"
   + (if .summary then "<span class=\"summary\">\(.summary | h)</span>" else "" end)
   + (if .posix then " <span class=\"posixtext\"><b>POSIX / man page:</b> \(.posix | h)</span>" else "" end)
   + "<details><summary>kernel path, handling\(if (.notes | length) > 0 then ", notes" else "" end)</summary><dl>"
   + (if .kernel_path then "<dt>kernel path</dt><dd>\(.kernel_path | h)</dd>" else "" end)
   + (if .handling then "<dt>handling</dt><dd>\(.handling | h)</dd>" else "" end)
   + (if .connection then "<dt>connection</dt><dd>\(.connection | h)</dd>" else "" end)
   + (if .topology then "<dt>topology</dt><dd>\(.topology | h)</dd>" else "" end)
   + ([.notes[] | "<dt>note</dt><dd>\(. | h)</dd>"] | join(""))
   + "</dl></details></td></tr>",
   (.rows[] | . as $row
    | "<tr class=\"step\" data-step=\"\(.key | h)\"><th class=\"step\"\(attr("title"; .call))>\(.key | h)</th>\([range(0; .cells | length) as $i | td($row.cells[$i] + {span: $sc.span}; $sc.span or $i % 2 == 0; $sc.name)] | join(""))</tr>"),
   "</tbody>"),
"</table>",
(($claims[0] // []) as $cl
 | def vclass: if . == "holds" or . == "sockerr agrees" then "ok"
     elif . == "Linux differs" or . == "sockerr differs" then "err"
     elif . == "not run" then "skipped" else "val" end;
 if ($cl | length) == 0 then empty else
 "<h2 id=\"claims\">What you may have read, and what Linux does</h2>",
 "<p>Each statement of the accept(2) man page, a widely copied table of accept() errors and an article on the common TCP errors (<code>claims/*.txt</code>), the scenario that settles it and its verdict on each kernel (<code>sockerr claims</code>).</p>",
 "<table class=\"claims\" id=\"claims-table\"><thead><tr><th>source</th><th>what it says</th><th>predicts (scenario)</th>\([$cl[0].verdicts[] | "<th>\(.kernel | h)</th>"] | join(""))<th>why (the kernel)</th></tr></thead><tbody>",
 ($cl[] | "<tr id=\"c-\(.id | h)\" data-claim=\"\(.id | h)\"><td>\(.source | h)</td><td>\(.says | h)</td><td>\(.predicts | h) (<a href=\"#s-\(.scenario | h)\">\(.scenario | h)</a>)</td>\([.verdicts[] | "<td class=\"\(.verdict | vclass)\">\(.verdict | h)\(if .observed != null and .verdict != "holds" then ": \(.observed | h)" else "" end)</td>"] | join(""))<td>\(.why // "" | h)</td></tr>"),
 "</tbody></table>" end),
"</body>",
"</html>"

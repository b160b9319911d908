#!/usr/bin/env bash
# Lints the deployment recipes (docker/k8s, docker/slurm, docker/grafana) offline, so a
# broken manifest, script or dashboard fails CI instead of a user's cluster:
#   - shellcheck          the sbatch script and the deployment shell scripts
#   - yamllint            the Kubernetes YAML (strict: warnings fail)
#   - kubernetes-validate the manifests against the Kubernetes 1.37 schemas it ships,
#                         strict (an unknown or misspelled field fails)
#   - calib flags         every calib subcommand and --flag the recipes pass is declared
#                         in Sources/calib
#   - grafana             the dashboard parses, takes its datasource from a variable, and
#                         every query names metrics and labels PrometheusMetrics.swift exports
# Installs what is missing (shellcheck with apt-get; yamllint and kubernetes-validate,
# pinned, with pip into the user's Python); after that it needs no network.
# One line per check; exits 1 if any failed. Before the checks it makes sure each
# checker rejects a known-bad input, so none can pass by checking nothing.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1

YAMLLINT_VERSION=1.38.0
KUBERNETES_VALIDATE_VERSION=1.37.0
KUBERNETES_VERSION=1.37.0
# 120 columns: the manifests' comments sit next to what they explain.
YAMLLINT_CONFIG='{extends: default, rules: {line-length: {max: 120}, document-start: disable,
  octal-values: {forbid-implicit-octal: true, forbid-explicit-octal: true}}}'

say() { echo "lint-deploy: $*"; }

install_missing() {
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo=sudo
  local apt=()
  command -v shellcheck >/dev/null || apt+=(shellcheck)
  python3 -m pip --version >/dev/null 2>&1 || apt+=(python3-pip)
  if [ ${#apt[@]} -gt 0 ]; then
    say "installing ${apt[*]}"
    if ! { $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${apt[@]}" >/dev/null; }; then
      say "FAIL cannot install ${apt[*]}"
      exit 1
    fi
  fi
  local have
  have=$(python3 -c 'import importlib.metadata as m; print(m.version("yamllint"), m.version("kubernetes-validate"))' 2>/dev/null)
  if [ "$have" != "$YAMLLINT_VERSION $KUBERNETES_VALIDATE_VERSION" ]; then
    say "installing yamllint $YAMLLINT_VERSION, kubernetes-validate $KUBERNETES_VALIDATE_VERSION"
    local user=(--user)
    # In a virtual environment --user is refused; its own site-packages are the user's.
    python3 -c 'import sys; sys.exit(sys.prefix == sys.base_prefix)' && user=()
    # A --user install writes ~/.local only, which Debian's externally-managed guard
    # does not need to protect.
    PIP_BREAK_SYSTEM_PACKAGES=1 python3 -m pip install --quiet --disable-pip-version-check "${user[@]}" \
      "yamllint==$YAMLLINT_VERSION" "kubernetes-validate==$KUBERNETES_VALIDATE_VERSION" \
      || { say "FAIL cannot install the Python linters"; exit 1; }
  fi
}

failures=0
# check NAME COMMAND...: one line per check; a failure's output follows it, indented.
check() {
  local name=$1 out
  shift
  if out=$("$@" 2>&1); then
    say "ok   $name"
  else
    say "FAIL $name"
    printf '%s\n' "$out" | sed 's/^/    /'
    failures=$((failures + 1))
  fi
}
# expect_failure NAME COMMAND...: the self-test of a checker on a known-bad input.
expect_failure() {
  local name=$1
  shift
  if "$@" >/dev/null 2>&1; then
    say "FAIL self-test: $name passed a known-bad input"
    failures=$((failures + 1))
  else
    say "ok   self-test: $name rejects a known-bad input"
  fi
}

run_yamllint() { python3 -m yamllint --strict -d "$YAMLLINT_CONFIG" "$@"; }
run_kubernetes_validate() {
  python3 -m kubernetes_validate --strict --quiet -k "$KUBERNETES_VERSION" "$@"
}

# calib_flags FILE...: the calib subcommands and --flags the recipes use are declared
# in Sources/calib (as @Option/@Flag properties, kebab-cased, or .customLong names).
# The union over all commands: it catches a renamed or misspelled flag, not one given
# to the wrong command.
calib_flags() {
  python3 - "$@" <<'PY'
import glob, re, sys, yaml

swift = "".join(open(p).read() for p in glob.glob("Sources/calib/*.swift"))
commands = set(re.findall(r'commandName:\s*"([a-z-]+)"', swift))
flags = set()
for attribute, name in re.findall(r'@(?:Option|Flag)\b(.*?)\bvar\s+(\w+)', swift, re.S):
    custom = re.search(r'\.customLong\("([a-z0-9-]+)"\)', attribute)
    flags.add(custom.group(1) if custom else re.sub(r'([A-Z])', lambda m: "-" + m.group(1).lower(), name))
if len(commands) < 3 or len(flags) < 10:
    sys.exit(f"found only {sorted(commands)} and {sorted(flags)} in Sources/calib: the pattern is out of date")

uses = []  # (file, argument list starting at the subcommand)
for path in sys.argv[1:]:
    if path.endswith((".yaml", ".yml")):
        for document in yaml.safe_load_all(open(path)):
            pod = (document or {}).get("spec", {})
            pod = pod.get("template", {}).get("spec", pod)
            for container in pod.get("initContainers", []) + pod.get("containers", []):
                command = container.get("command", [])
                # The image's entrypoint is calib; a command other than calib (mkdir,
                # sleep) replaces it.
                if container.get("image", "").split(":")[0].endswith("calib") and command[:1] in ([], ["calib"]):
                    uses.append((path, command[1:] + container.get("args", [])))
                for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
                    command = container.get(probe, {}).get("exec", {}).get("command", [])
                    if command[:1] == ["calib"]:
                        uses.append((path, command[1:]))
    else:  # a shell script: the words after "$calib" up to the end of the command
        text = re.sub(r"\\\n", " ", open(path).read())
        for line in text.splitlines():
            if '"$calib"' in line and not line.lstrip().startswith("#"):
                uses.append((path, line.split('"$calib"', 1)[1].split()))
if not uses:
    sys.exit("no calib command found in " + " ".join(sys.argv[1:]))
bad = []
for path, words in uses:
    if not words or words[0] not in commands:
        bad.append(f"{path}: unknown calib subcommand {words[:1]}")
    for word in words[1:]:
        flag = re.match(r"--([a-z0-9-]+)", word)
        if flag and flag.group(1) not in flags:
            bad.append(f"{path}: calib {words[0]} --{flag.group(1)} is not declared in Sources/calib")
if bad:
    sys.exit("\n".join(dict.fromkeys(bad)))  # once each: a YAML anchor repeats a probe
PY
}

# grafana_dashboard FILE: parses, datasources only through variables, and every
# query names metrics (and labels) that PrometheusMetrics.swift exports.
grafana_dashboard() {
  python3 - "$1" <<'PY'
import json, re, sys

swift = open("Sources/Coordinator/Status/PrometheusMetrics.swift").read()
metrics = set(re.findall(r'family\(\s*"([a-zA-Z_:][a-zA-Z0-9_:]*)"', swift))
# Label names as the Swift source writes them: name=\"...
labels = set(re.findall(r'([a-z_]+)=\\"', swift)) | {"instance", "job"}  # the last two: Prometheus's own
if len(metrics) < 5 or not {"worker", "state"} <= labels:
    sys.exit(f"found only metrics {sorted(metrics)} and labels {sorted(labels)}: the pattern is out of date")

dashboard = json.load(open(sys.argv[1]))
problems = []
variables = {v["name"]: v for v in dashboard.get("templating", {}).get("list", [])}
sources = {n for n, v in variables.items() if v.get("type") == "datasource" and v.get("query") == "prometheus"}
if not sources:
    problems.append("no datasource variable of type prometheus")

def walk(node, where):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "datasource" and value is not None:
                uid = value.get("uid") if isinstance(value, dict) else value
                name = re.fullmatch(r"\$\{?(\w+)\}?", str(uid or ""))
                if not name or name.group(1) not in sources:
                    problems.append(f"{where}: datasource {uid!r} is not one of the variables {sorted(sources)}")
            walk(value, where)
    elif isinstance(node, list):
        for item in node:
            walk(item, where)

def check_query(expr, where, legend=""):
    names = set(re.findall(r"\bcalib_[a-zA-Z0-9_]+", expr))
    if not names:
        problems.append(f"{where}: {expr!r} names no calib metric")
    for name in sorted(names - metrics):
        problems.append(f"{where}: {name} is not exported by PrometheusMetrics.swift")
    used = set(re.findall(r"(\w+)\s*(?:=~|!~|!=|=)\s*\"", expr))
    for group in re.findall(r"\b(?:by|without|on|ignoring)\s*\(([^)]*)\)", expr):
        used |= {word.strip() for word in group.split(",") if word.strip()}
    used |= set(re.findall(r"\{\{\s*(\w+)\s*\}\}", legend))
    for label in sorted(used - labels):
        problems.append(f"{where}: label {label} is not exported")

def panels(node):
    for panel in node.get("panels", []):
        yield panel
        yield from panels(panel)

walk(dashboard, "dashboard")
ids = [p.get("id") for p in panels(dashboard)]
if len(ids) != len(set(ids)) or None in ids:
    problems.append(f"panel ids missing or repeated: {ids}")
count = 0
for panel in panels(dashboard):
    if panel.get("type") == "row":
        continue
    where = f"panel {panel.get('title')!r}"
    if not panel.get("targets"):
        problems.append(f"{where}: no queries")
    for target in panel.get("targets", []):
        count += 1
        check_query(target.get("expr", ""), where, target.get("legendFormat", ""))
for name, variable in variables.items():
    if variable.get("type") == "query":
        query = variable.get("query")
        check_query(query.get("query", "") if isinstance(query, dict) else str(query), f"variable {name}")
if count == 0:
    problems.append("no panel queries at all")
if problems:
    sys.exit("\n".join(problems))
PY
}

# Each checker on a known-bad input first: a checker that cannot fail checks nothing.
self_test() {
  local bad
  bad=$(mktemp -d)
  # shellcheck disable=SC2016 # the $ are the bad scripts' own, not to expand here
  printf '#!/usr/bin/env bash\nrm -rf $1/*\n' >"$bad/unquoted.sh"
  printf 'a: 1\na: 2\n' >"$bad/duplicate.yaml"
  # "replica" for "replicas": valid YAML, only a strict schema check catches it.
  printf 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\nspec:\n  replica: 2\n  selector: {matchLabels: {a: b}}\n  template:\n    metadata: {labels: {a: b}}\n    spec: {containers: [{name: c, image: calib}]}\n' \
    >"$bad/misspelled.yaml"
  # shellcheck disable=SC2016 # as above
  printf '#!/usr/bin/env bash\n"$calib" worker --conect tcp://h:5555\n' >"$bad/flag.sh"
  python3 - docker/grafana/calib.json "$bad/unknown-metric.json" <<'PY'
import json, sys
dashboard = json.load(open(sys.argv[1]))
dashboard["panels"][0]["targets"][0]["expr"] = "calib_images_finished"
json.dump(dashboard, open(sys.argv[2], "w"))
PY
  expect_failure "shellcheck" shellcheck "$bad/unquoted.sh"
  expect_failure "yamllint" run_yamllint "$bad/duplicate.yaml"
  expect_failure "kubernetes-validate" run_kubernetes_validate "$bad/misspelled.yaml"
  expect_failure "calib flags" calib_flags "$bad/flag.sh"
  expect_failure "grafana" grafana_dashboard "$bad/unknown-metric.json"
  rm -rf "$bad"
}

install_missing
self_test

shopt -s nullglob
manifests=(docker/k8s/*.yaml)
scripts=(docker/slurm/*.sbatch docker/k8s/*.sh docker/slurm/*.sh scripts/lint-deploy.sh)
dashboards=(docker/grafana/*.json)
if [ ${#manifests[@]} -eq 0 ] || [ ${#dashboards[@]} -eq 0 ]; then
  say "FAIL no recipes found"
  exit 1
fi

for file in "${scripts[@]}"; do check "shellcheck $file" shellcheck "$file"; done
for file in "${manifests[@]}"; do
  check "yamllint $file" run_yamllint "$file"
  check "kubernetes-validate $KUBERNETES_VERSION $file" run_kubernetes_validate "$file"
done
check "calib flags in docker/k8s and docker/slurm" calib_flags "${manifests[@]}" docker/slurm/*.sbatch
for file in "${dashboards[@]}"; do check "grafana $file" grafana_dashboard "$file"; done

if [ "$failures" -gt 0 ]; then
  say "$failures failed"
  exit 1
fi
say "all passed"

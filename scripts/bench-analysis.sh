#!/usr/bin/env bash
# AMCE speed and memory, side by side with statsmodels, on the same 1,000,000-row conjoint CSV
# (50,000 respondents x 10 paired tasks, 8 attributes x 5 levels; the issue's benchmark size):
#   silico amce DATA.csv --se cr1           (read CSV, OLS on level dummies, CR1 clustered SEs, write CSV)
#   statsmodels OLS(y, X).fit(cov_type="cluster")   (pandas read_csv, dummies, fit)
# Prints wall time and peak memory (/usr/bin/time -v) of each, the speed ratio (target >= 20x), the
# largest difference between the two tools' estimates and SEs (the same CR1 convention), and peak
# memory relative to the CSV size (target < 4x).
#
# statsmodels and pandas are installed from PyPI once into a cached venv ($SILICO_TOOLS/bench-venv).
# The native binary is built with opt-level 3 (the release profile's "z" is for a small wasm file).
# Options (environment): RESPONDENTS (default 50000), TASKS (10), KEEP=1 keeps the work directory.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SILICO_TOOLS="${SILICO_TOOLS:-${XDG_CACHE_HOME:-$HOME/.cache}/silico/tools}"
venv="$SILICO_TOOLS/bench-venv"
respondents="${RESPONDENTS:-50000}"
tasks="${TASKS:-10}"
say() { printf '\033[1m[bench]\033[0m %s\n' "$*" >&2; }

[ -x /usr/bin/time ] || { say "installing GNU time for peak memory"; apt-get install -y time >/dev/null; }

if ! "$venv/bin/python" -c "import statsmodels, pandas" 2>/dev/null; then
  say "installing statsmodels and pandas into $venv (once)"
  mkdir -p "$SILICO_TOOLS"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check statsmodels pandas
fi

say "building silico (release, opt-level 3)"
(cd "$repo_root" && CARGO_PROFILE_RELEASE_OPT_LEVEL=3 cargo build --quiet --release --bin silico)
target_dir="$(cd "$repo_root" && cargo metadata --format-version 1 --no-deps | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')"
silico="${target_dir:-$repo_root/target}/release/silico"

work="$(mktemp -d)"
if [ "${KEEP:-0}" = 1 ]; then say "work directory: $work"; else trap 'rm -rf "$work"' EXIT; fi
data="$work/conjoint.csv"
say "writing $((respondents * tasks * 2)) rows to $data"
"$silico" bench analysis --respondents "$respondents" --tasks "$tasks" --write-csv "$data"
csv_bytes=$(stat -c %s "$data")

formula="a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8"

# "m:ss.cc" or "h:mm:ss" from /usr/bin/time -v -> seconds; peak RSS in kB.
wall_seconds() { awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, t, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + t[i]; print s }' "$1"; }
peak_kb() { awk -F': ' '/Maximum resident set size/ { print $2 }' "$1"; }

say "silico amce"
/usr/bin/time -v "$silico" amce "$data" --outcome chosen --id respondent --formula "$formula" --se cr1 \
  > "$work/silico.csv" 2> "$work/silico.time"

say "statsmodels OLS(...).fit(cov_type=\"cluster\")"
cat > "$work/statsmodels_amce.py" <<'PY'
import sys, time
import numpy as np
import pandas as pd
import statsmodels.api as sm

data, out = sys.argv[1], sys.argv[2]
t0 = time.perf_counter()
df = pd.read_csv(data)
t1 = time.perf_counter()
features = [f"a{i}" for i in range(1, 9)]
# Level dummies with the first level as baseline: the design matrix of C(a1) + ... + C(a8).
X = pd.get_dummies(df[features].astype("category"), drop_first=True, dtype=float)
X = sm.add_constant(X)
t2 = time.perf_counter()
fit = sm.OLS(df["chosen"].to_numpy(float), X).fit(
    cov_type="cluster", cov_kwds={"groups": df["respondent"].to_numpy()})
t3 = time.perf_counter()
pd.DataFrame({"term": fit.params.index, "estimate": fit.params.values, "std_error": fit.bse.values}).to_csv(out, index=False)
print(f"statsmodels steps: read_csv {t1 - t0:.2f} s, dummies {t2 - t1:.2f} s, fit {t3 - t2:.2f} s", file=sys.stderr)
PY
/usr/bin/time -v "$venv/bin/python" "$work/statsmodels_amce.py" "$data" "$work/statsmodels.csv" \
  2> "$work/statsmodels.time"
grep '^statsmodels steps' "$work/statsmodels.time" >&2

# The same coefficients from both tools: silico's feature,level rows vs statsmodels' a1_2 terms.
agreement=$("$venv/bin/python" - "$work/silico.csv" "$work/statsmodels.csv" <<'PY'
import sys
import pandas as pd
ours = pd.read_csv(sys.argv[1]).dropna(subset=["std_error"])
theirs = pd.read_csv(sys.argv[2]).set_index("term")
d_est = d_se = 0.0
for _, r in ours.iterrows():
    t = theirs.loc[f"{r.feature}_{int(r.level)}"]
    d_est = max(d_est, abs(r.estimate - t.estimate))
    d_se = max(d_se, abs(r.std_error - t.std_error))
print(f"{len(ours)} coefficients; largest difference: estimate {d_est:.1e}, SE {d_se:.1e}")
PY
)

# Estimation alone (no CSV parsing): silico's in-process timings on the same synthetic table (same
# seed) vs statsmodels' dummies + fit.
"$silico" bench analysis --respondents "$respondents" --tasks "$tasks" > "$work/silico-steps.csv" 2>/dev/null
s_est=$(awk -F, '/^encode|^amce/ { s += $NF } END { print s }' "$work/silico-steps.csv")
p_est=$(sed -n 's/^statsmodels steps: .*dummies \([0-9.]*\) s, fit \([0-9.]*\) s/\1 \2/p' "$work/statsmodels.time" | awk '{ print $1 + $2 }')

s_wall=$(wall_seconds "$work/silico.time"); s_kb=$(peak_kb "$work/silico.time")
p_wall=$(wall_seconds "$work/statsmodels.time"); p_kb=$(peak_kb "$work/statsmodels.time")
awk -v rows=$((respondents * tasks * 2)) -v bytes="$csv_bytes" -v sw="$s_wall" -v sk="$s_kb" \
    -v pw="$p_wall" -v pk="$p_kb" -v agree="$agreement" -v se="$s_est" -v pe="$p_est" 'BEGIN {
  mb = 1024 * 1024
  printf "\nAMCE with CR1 clustered SEs, %d rows x 8 attributes (40 levels), CSV %.1f MB\n", rows, bytes / mb
  printf "%-34s %10s %14s %16s\n", "tool (CSV in, table out)", "wall (s)", "peak RSS (MB)", "peak / CSV size"
  printf "%-34s %10.2f %14.1f %16.2f\n", "silico amce", sw, sk / 1024, sk * 1024 / bytes
  printf "%-34s %10.2f %14.1f %16.2f\n", "statsmodels OLS cluster", pw, pk / 1024, pk * 1024 / bytes
  printf "speed ratio, CSV in to table out: silico is %.1fx faster (target >= 20x)\n", pw / sw
  printf "speed ratio, estimation only (silico encode + OLS + SE %.2f s; statsmodels dummies + fit %.2f s): %.1fx\n", se, pe, pe / se
  printf "agreement: %s\n", agree
}'

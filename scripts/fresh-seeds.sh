#!/usr/bin/env bash
# Runs the statistical properties of [subset-sum] and [subset-sum-products] (SubsetSumProperties,
# SubsetSumProductsProperties, the default-run tests) under 20 fresh random seeds, or under the seeds given as
# arguments, and counts the false alarms: runs in which a property failed although the code is unchanged.
# A failing run prints its seed; reproduce it with
#   mvn -q test -Dtest='SubsetSum*Properties' -Dtp.statSeed=SEED
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
seeds=("$@")
if [[ ${#seeds[@]} -eq 0 ]]; then
  for _ in $(seq 20); do seeds+=("$(od -An -N6 -tu8 /dev/urandom | tr -d ' ')"); done
fi
mvn -q -DskipTests test-compile >/dev/null || { echo "fresh-seeds: build failed" >&2; exit 1; }
log=$(mktemp)
passed=0
failed=0
for s in "${seeds[@]}"; do
  start=$(date +%s)
  if mvn -q surefire:test -Dtest='SubsetSumProperties,SubsetSumProductsProperties' -Dtp.statSeed="$s" \
      -Dsurefire.failIfNoSpecifiedTests=false >"$log" 2>&1; then
    passed=$((passed + 1))
    echo "seed $s: pass ($(( $(date +%s) - start )) s)"
  else
    failed=$((failed + 1))
    echo "seed $s: FALSE ALARM ($(( $(date +%s) - start )) s)"
    grep -E "^\[ERROR\] +[A-Za-z]+Properties\.|seed" "$log" | head -5
  fi
done
rm -f "$log"
echo "fresh seeds: ${passed} passed, ${failed} failed"
[[ $failed -eq 0 ]]

#!/usr/bin/env bash
# The `standard` gallery and the 256-px lens table on a 2-core CPU, over as many sittings as it takes.
#
#     bash benchmarks/standard_cpu.sh            # from the repository root; rerun it until it says "complete"
#
# Together they are many hours of training here (docs/benchmarks.md), more than one sitting of a machine
# that starts each sitting with an empty disk. Both steps resume from what is committed:
#   1. `pixparam gallery --missing` builds only the sections gallery/results.json lacks (each
#      section is written there as it finishes);
#   2. core_table.py skips every fit already in benchmarks/results/lens_table_256px.json (written after
#      each fit). It runs after the gallery, with the gallery's cache: the `standard` profile trains the hash
#      grid and SIREN exactly at the defaults, so those 24 fits are reused.
# The fit cache, CACHE (default gallery/.cache, the gallery's own), is committed with them: one
# section alone (the hero trains the whole ladder, 96 fits) can take longer than a sitting, and a section
# cut short keeps nothing but the fits it finished. Each section records the fits it reused and what they
# took to train, so its cost from an empty cache is still measured. At the end of a sitting (or when it is
# cut short):   git add gallery benchmarks/results docs && git commit
# Then the quality check (each profile fit against its default fit, issue #15) and docs/benchmarks.md.
# Delete gallery/.cache once the script says "complete".
set -euo pipefail
PY=${PYTHON:-python}
CACHE=${CACHE:-gallery/.cache}
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-2}  # cache keys hold the resized image's bytes: keep the thread count
"$PY" -m pixparam gallery --profile standard --out gallery --cache "$CACHE" --missing --quiet
"$PY" benchmarks/core_table.py --images coffee chelsea rocket --sizes 256 --budgets 1k 4k 16k 64k \
  --compile hashgrid siren finer wire --cache "$CACHE" \
  --json benchmarks/results/lens_table_256px.json --md docs/lens_table_256px.md >/dev/null
"$PY" benchmarks/standard_quality.py --gallery gallery/results.json \
  --table benchmarks/results/lens_table_256px.json --json benchmarks/results/standard_quality_cpu.json
"$PY" benchmarks/report.py
echo "complete: gallery/, docs/lens_table_256px.md and docs/benchmarks.md"

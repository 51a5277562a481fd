#!/usr/bin/env bash
# The GPU suite on a bare device machine, in one command from the repository root:
#
#     bash benchmarks/gpu_suite.sh [gpu_suite.py options]        # e.g. --deadline 480, --only gallery
#
# The machine's python3 already has torch with CUDA and reaches no package
# index, so pixparam is installed from this checkout without its dependencies
# (pip never replaces that torch); if that fails, it is imported from the
# checkout (PYTHONPATH). INSTALL=0 skips the install. Wheels carried in .whl/
# (packages the machine lacks) are installed first. The suite writes into
# $WORK (default /tmp/gpu_suite); $OUT then receives what the device tool
# brings back (at most 8 files, 16 MiB each, 64 MiB in all): gpu_suite.json,
# gpu_suite.log and the gallery without its fit cache as gallery.tar.gz,
# split into 15 MiB parts (gallery.tar.gz.part00, ...). Put them together with
#     cat gallery.tar.gz.part* | tar -xz    # -> gallery/
# The exit status is the suite's: 1 when a step failed or timed out.
set -uo pipefail
OUT=${OUT:?set OUT to the folder for the results}
PY=${PYTHON:-python3}
WORK=${WORK:-/tmp/gpu_suite}
export PYTHONUNBUFFERED=1
mkdir -p "$OUT" "$WORK"
if compgen -G ".whl/*.whl" >/dev/null; then  # one by one: a wheel for another Python is refused alone
  for whl in .whl/*.whl; do
    "$PY" -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --target /tmp/site "$whl" 2>/dev/null &&
      echo "installed $whl"
  done
  export PYTHONPATH=/tmp/site${PYTHONPATH:+:$PYTHONPATH}
fi
if [ "${INSTALL:-1}" = 0 ] || ! "$PY" -m pip install -q --no-deps --no-build-isolation --no-index -e . >"$WORK/pip.log" 2>&1; then
  [ "${INSTALL:-1}" = 0 ] || { echo "pip install -e . failed; pixparam is imported from the checkout"; tail -3 "$WORK/pip.log"; }
  export PYTHONPATH=$PWD${PYTHONPATH:+:$PYTHONPATH}
fi
"$PY" benchmarks/gpu_suite.py "$WORK" "$@" 2>&1 | tee "$OUT/gpu_suite.log"
status=${PIPESTATUS[0]}
cp "$WORK/gpu_suite.json" "$OUT/"
if [ -d "$WORK/gallery" ]; then
  tar -C "$WORK" --exclude=gallery/.cache -czf "$WORK/gallery.tar.gz" gallery
  if [ "$(stat -c %s "$WORK/gallery.tar.gz")" -gt $((60 * 1024 * 1024)) ]; then
    echo "gallery over 60 MiB packed: sent without gallery/interactive/"
    tar -C "$WORK" --exclude=gallery/.cache --exclude=gallery/interactive -czf "$WORK/gallery.tar.gz" gallery
  fi
  split -b 15m -d "$WORK/gallery.tar.gz" "$OUT/gallery.tar.gz.part"
  ls -l "$OUT"
fi
exit "$status"

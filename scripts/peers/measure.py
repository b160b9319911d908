"""Runs a command and prints, as JSON on the last line of standard error, its wall time
and the peak resident memory of its process tree (for scripts/compare-peers.sh)."""
import json
import resource
import subprocess
import sys
import time

start = time.monotonic()
status = subprocess.call(sys.argv[1:])
seconds = time.monotonic() - start
peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print(json.dumps({"seconds": seconds, "peak_rss_mb": peak_mb, "status": status}), file=sys.stderr)
sys.exit(status)

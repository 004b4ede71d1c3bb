#!/usr/bin/env bash
# Spark GPU discovery script (spark.executor.resource.gpu.discoveryScript): prints the GPUs this executor may use
# as {"name": "gpu", "addresses": ["0", "1", ...]}. Uses the devices CUDA_VISIBLE_DEVICES leaves visible (YARN and
# Kubernetes set it for a container's GPUs), else every device nvidia-smi lists.
set -euo pipefail
if [[ -n "${CUDA_VISIBLE_DEVICES:-}" ]]; then
  IFS=',' read -r -a ids <<< "$CUDA_VISIBLE_DEVICES"
  # inside the container the visible devices are numbered from 0
  addresses=()
  for i in "${!ids[@]}"; do addresses+=("$i"); done
else
  mapfile -t addresses < <(nvidia-smi --query-gpu=index --format=csv,noheader 2>/dev/null | tr -d ' ')
fi
json=""
for a in "${addresses[@]}"; do
  [[ -n "$a" ]] && json+="${json:+, }\"$a\""
done
echo "{\"name\": \"gpu\", \"addresses\": [$json]}"

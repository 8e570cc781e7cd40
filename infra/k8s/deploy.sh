#!/usr/bin/env bash
# Deploys ReviewFlow to the current kubectl context in the documented order: namespace, (the Secret must exist),
# the migrate Job run to completion, then the Deployments, Service, Ingress and PDBs. README.md beside this file.
#   WORKER_IMAGE=registry.example.com/reviewflow/worker:1.4.0 WEB_IMAGE=registry.example.com/reviewflow/web:1.4.0 \
#     infra/k8s/deploy.sh
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
ns=reviewflow
worker_image=${WORKER_IMAGE:-reviewflow/worker:latest}
web_image=${WEB_IMAGE:-reviewflow/web:latest}
images() { sed -e "s#image: reviewflow/worker:latest#image: $worker_image#" -e "s#image: reviewflow/web:latest#image: $web_image#"; }

kubectl apply -f "$here/namespace.yaml"
if ! kubectl -n "$ns" get secret reviewflow-secrets >/dev/null 2>&1; then
  echo "create the Secret reviewflow-secrets first (infra/k8s/README.md, \"Secrets\")" >&2; exit 1
fi

# 1. The schema's owner migrates (a Job's template cannot change: a new run is a new Job).
kubectl -n "$ns" delete job reviewflow-migrate --ignore-not-found --wait=true
images < "$here/migrate-job.yaml" | kubectl apply -f -
for _ in $(seq 1 180); do
  state=$(kubectl -n "$ns" get job reviewflow-migrate -o jsonpath='{.status.conditions[?(@.status=="True")].type}')
  case " $state " in
    *" Complete "*) break ;;
    *" Failed "*) kubectl -n "$ns" logs job/reviewflow-migrate --tail=50 >&2 || true
                  echo "the migration failed: the services were not changed" >&2; exit 1 ;;
  esac
  sleep 5
done
case " $state " in *" Complete "*) ;; *) echo "the migration did not finish in 15 minutes" >&2; exit 1 ;; esac

# 2. The services, once the schema is there.
kubectl kustomize "$here" | images | kubectl apply -f -
kubectl -n "$ns" rollout status deployment/reviewflow-worker --timeout=10m
kubectl -n "$ns" rollout status deployment/reviewflow-web --timeout=10m

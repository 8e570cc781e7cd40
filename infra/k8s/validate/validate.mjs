// Offline check of the manifests in infra/k8s (run by ../validate.sh): every YAML document parses; every built-in
// kind validates against the Kubernetes OpenAPI schema shipped in kubernetes-models (types, required fields, enums);
// and the wiring between them holds (selectors, Service and Ingress targets, Secret keys, probes, resources,
// non-root). The schemas do not reject unknown fields: a misspelt key passes them, hence the explicit checks below.
// Custom resources (servers/*.yaml) are parsed only.
import { readFileSync, readdirSync, existsSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { parseAllDocuments } from "yaml";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const files = ["", "servers"].flatMap(d => readdirSync(join(root, d)).filter(f => f.endsWith(".yaml")).map(f => join(d, f)));
const secretKeys = new Set(["postgres-owner", "postgres-app", "rabbitmq", "graph-client-secret", "command-key"]);
let passed = 0, failed = 0;
const check = (ok, what) => { if (ok) passed++; else { failed++; console.log(`FAIL ${what}`); } };

const docs = [];
for (const file of files) {
  for (const doc of parseAllDocuments(readFileSync(join(root, file), "utf8"))) {
    check(doc.errors.length === 0, `${file}: YAML ${doc.errors.map(e => e.message).join("; ")}`);
    const value = doc.toJS();
    if (value) docs.push({ file, value });
  }
}

const models = {
  "v1/Namespace": "v1/Namespace", "v1/ConfigMap": "v1/ConfigMap", "v1/Service": "v1/Service",
  "apps/v1/Deployment": "apps/v1/Deployment", "batch/v1/Job": "batch/v1/Job",
  "networking.k8s.io/v1/Ingress": "networking.k8s.io/v1/Ingress", "policy/v1/PodDisruptionBudget": "policy/v1/PodDisruptionBudget",
};
const resources = [];
for (const { file, value } of docs) {
  if (value.kind === "Kustomization") continue;
  const key = `${value.apiVersion}/${value.kind}`;
  const name = `${file}: ${value.kind}/${value.metadata?.name}`;
  if (!models[key]) {
    check(file.startsWith("servers/"), `${name}: no schema for ${key} outside servers/`);
    continue;
  }
  const mod = await import(`kubernetes-models/${models[key]}`);
  const Model = mod[value.kind];
  try { new Model(value).validate(); check(true); } catch (e) { check(false, `${name}: ${e.message}`); }
  check(value.metadata?.namespace === "reviewflow" || value.kind === "Namespace", `${name}: namespace reviewflow`);
  resources.push({ file, name, value });
}

// kustomization.yaml lists files that exist, and every built-in resource but the migrate Job.
const kustomization = docs.find(d => d.value.kind === "Kustomization").value;
for (const r of kustomization.resources) check(existsSync(join(root, r)), `kustomization: ${r} exists`);
for (const r of resources) {
  const listed = kustomization.resources.includes(r.file);
  check(r.value.kind === "Job" ? !listed : listed, `kustomization: ${r.file} ${r.value.kind === "Job" ? "left out (run first)" : "listed"}`);
}

const matches = (selector, labels) => Object.entries(selector ?? {}).every(([k, v]) => labels?.[k] === v);
const deployments = resources.filter(r => r.value.kind === "Deployment");
const podSpecs = [...deployments, ...resources.filter(r => r.value.kind === "Job")];
for (const { name, value } of podSpecs) {
  const pod = value.spec.template.spec;
  if (value.kind === "Deployment") {
    check(matches(value.spec.selector.matchLabels, value.spec.template.metadata.labels), `${name}: selector matches the pod's labels`);
    check(value.spec.replicas >= 2, `${name}: at least 2 replicas`);
    check(pod.terminationGracePeriodSeconds >= 30, `${name}: terminationGracePeriodSeconds`);
  }
  check(pod.securityContext?.runAsNonRoot === true, `${name}: runAsNonRoot`);
  const volumes = new Set((pod.volumes ?? []).map(v => v.name));
  for (const c of pod.containers) {
    check(c.securityContext?.allowPrivilegeEscalation === false, `${name}/${c.name}: allowPrivilegeEscalation false`);
    check(!!c.resources?.requests?.cpu && !!c.resources?.requests?.memory && !!c.resources?.limits?.memory, `${name}/${c.name}: requests and a memory limit`);
    for (const m of c.volumeMounts ?? []) check(volumes.has(m.name), `${name}/${c.name}: volume ${m.name} defined`);
    for (const e of c.env ?? []) {
      const ref = e.valueFrom?.secretKeyRef;
      if (ref) check(ref.name === "reviewflow-secrets" && secretKeyKnown(ref.key), `${name}/${c.name}: secret key ${ref.key} documented`);
    }
    for (const ref of (c.envFrom ?? []).map(e => e.configMapRef?.name).filter(Boolean))
      check(resources.some(r => r.value.kind === "ConfigMap" && r.value.metadata.name === ref), `${name}/${c.name}: ConfigMap ${ref} exists`);
    if (value.kind !== "Deployment") continue;
    const ports = new Map((c.ports ?? []).map(p => [p.name, p.containerPort]));
    const expected = name.includes("worker") ? 8081 : 8080;
    for (const [probe, path] of [["readinessProbe", "/health/ready"], ["livenessProbe", "/health/live"], ["startupProbe", "/health/live"]]) {
      const get = c[probe]?.httpGet;
      check(get?.path === path && ports.get(get.port) === expected, `${name}/${c.name}: ${probe} GET ${path} on ${expected}`);
    }
  }
}
function secretKeyKnown(key) { return secretKeys.has(key); }

for (const { name, value } of resources.filter(r => r.value.kind === "PodDisruptionBudget"))
  check(deployments.some(d => matches(value.spec.selector.matchLabels, d.value.spec.template.metadata.labels)), `${name}: selects a Deployment's pods`);
const services = resources.filter(r => r.value.kind === "Service");
for (const { name, value } of services) {
  const target = deployments.find(d => matches(value.spec.selector, d.value.spec.template.metadata.labels));
  check(!!target, `${name}: selects a Deployment's pods`);
  const portNames = new Set(target?.value.spec.template.spec.containers.flatMap(c => (c.ports ?? []).map(p => p.name)));
  for (const p of value.spec.ports) check(portNames.has(p.targetPort), `${name}: targetPort ${p.targetPort} is a container port`);
}
for (const { name, value } of resources.filter(r => r.value.kind === "Ingress")) {
  const a = value.metadata.annotations ?? {};
  check(a["nginx.ingress.kubernetes.io/affinity"] === "cookie", `${name}: cookie affinity (SignalR negotiate + WebSocket)`);
  for (const rule of value.spec.rules) for (const p of rule.http.paths) {
    const svc = services.find(s => s.value.metadata.name === p.backend.service.name);
    check(!!svc && svc.value.spec.ports.some(sp => sp.name === p.backend.service.port.name), `${name}: backend ${p.backend.service.name}:${p.backend.service.port.name} exists`);
  }
}

console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);

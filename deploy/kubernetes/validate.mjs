#!/usr/bin/env node
// Validates the Kubernetes manifests against the Kubernetes OpenAPI schema, without a cluster.
//   node deploy/kubernetes/validate.mjs [DIR] [--json]
// DIR (default: this script's folder) holds kustomization.yaml; every file its `resources` lists, and
// secret.example.yaml, is read (YAML 1.1, as kubectl reads it: 0440 is octal and 00:00:05 a number there). Each
// document is built as the kubernetes-models class of its apiVersion and kind (npm, pinned in package.json) and
// validated against the schema of that version's API; a kind it does not know fails. A field the schema does not
// know fails too, as `kubectl apply --validate=strict` would: the schema allows unknown fields, so a misspelled
// optional field (readinesProbe) would otherwise be silently dropped by the API server. Also fails: a YAML file in
// DIR that kustomization.yaml does not list, a document without metadata.name, one that sets metadata.namespace (the
// manifests take the namespace they are applied to), the same kind and name twice.
// Prints "OK: …" and exits 0, or prints each problem (file, kind, name, what) and exits 1; with --json prints the
// documents as JSON instead of "OK" (KubernetesManifestsTests reads them).
import { readFileSync, readdirSync, existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseAllDocuments } from "yaml";

const args = process.argv.slice(2);
const json = args.includes("--json");
const dir = path.resolve(args.find((a) => !a.startsWith("--")) ?? path.dirname(fileURLToPath(import.meta.url)));
const Example = "secret.example.yaml";
const problems = [];
const documents = [];

function readYaml(file) {
  const text = readFileSync(path.join(dir, file), "utf8");
  const parsed = [];
  for (const doc of parseAllDocuments(text, { version: "1.1", uniqueKeys: true, prettyErrors: true })) {
    if (doc.errors.length > 0) {
      problems.push(`${file}: not valid YAML: ${doc.errors.map((e) => e.message).join("; ")}`);
      continue;
    }
    const value = doc.toJS();
    if (value !== null && value !== undefined) parsed.push(value);
  }
  return parsed;
}

// The kubernetes-models class of an apiVersion and kind: apps/v1 StatefulSet is StatefulSet of kubernetes-models/apps/v1.
async function modelOf(apiVersion, kind) {
  if (typeof apiVersion !== "string" || typeof kind !== "string" || !/^[a-z0-9.-]*\/?v\d+\w*$/.test(apiVersion)) return undefined;
  let module;
  try {
    module = await import(`kubernetes-models/${apiVersion}`);
  } catch {
    return undefined;
  }
  const model = module[kind];
  return typeof model === "function" && model.apiVersion === apiVersion && model.kind === kind ? model : undefined;
}

// The fields of a valid document that its schema does not know. The schema's compiled validator reads every property it
// knows of each object (to check it) and enumerates the keys of maps (labels, data, resources.requests): run it once
// more over proxies that record what it read, and every key it never read is a field Kubernetes would drop.
function unknownFields(model) {
  const plain = JSON.parse(JSON.stringify(model));
  const read = new WeakMap(); // object -> Set of keys read, or "map" when its keys were enumerated
  const mark = (target, key) => {
    if (typeof key !== "string" || read.get(target) === "map") return;
    if (!read.has(target)) read.set(target, new Set());
    read.get(target).add(key);
  };
  const handler = {
    get(target, key, receiver) {
      mark(target, key);
      return wrap(Reflect.get(target, key, receiver));
    },
    has(target, key) {
      mark(target, key);
      return Reflect.has(target, key);
    },
    ownKeys(target) {
      read.set(target, "map");
      return Reflect.ownKeys(target);
    },
  };
  const wrap = (value) => (value !== null && typeof value === "object" ? new Proxy(value, handler) : value);
  model.validate.call(wrap(plain));

  const unknown = [];
  const walk = (value, at) => {
    if (Array.isArray(value)) {
      value.forEach((item, i) => walk(item, `${at}[${i}]`));
    } else if (value !== null && typeof value === "object") {
      const keys = read.get(value);
      for (const [key, child] of Object.entries(value)) {
        const where = at ? `${at}.${key}` : key;
        if (keys === "map" || keys?.has(key)) walk(child, where);
        else unknown.push(where);
      }
    }
  };
  walk(plain, "");
  return unknown;
}

// The schema's errors by field: "spec.ports[0] must have required property port", with the values an enum allows.
function schemaErrors(error) {
  if (!Array.isArray(error.errors)) return error.message;
  return error.errors
    .map((e) => {
      const field = e.instancePath.slice(1).split("/").map((p) => (/^\d+$/.test(p) ? `[${p}]` : `.${p}`)).join("").replace(/^\./, "");
      const allowed = e.params?.allowedValues ? ` (${e.params.allowedValues.join(", ")})` : "";
      return `${field || "(the document)"} ${e.message}${allowed}`;
    })
    .join("; ");
}

async function validateFile(file) {
  if (!existsSync(path.join(dir, file))) {
    problems.push(`${file}: listed in kustomization.yaml but missing`);
    return;
  }
  for (const object of readYaml(file)) {
    const kind = object?.kind ?? "(no kind)";
    const name = object?.metadata?.name;
    const what = `${file}: ${kind} ${name ?? "(no name)"}`;
    const Model = await modelOf(object?.apiVersion, object?.kind);
    if (!Model) {
      problems.push(`${what}: unknown apiVersion/kind ${object?.apiVersion}/${object?.kind} (kubernetes-models has no such class)`);
      continue;
    }
    let model;
    try {
      model = new Model(object);
      model.validate();
    } catch (error) {
      problems.push(`${what}: ${schemaErrors(error)}`);
      continue;
    }
    const unknown = unknownFields(model);
    if (unknown.length > 0) {
      problems.push(`${what}: unknown field${unknown.length > 1 ? "s" : ""} ${unknown.join(", ")} (not in the ${object.apiVersion} ${kind} schema)`);
      continue;
    }
    if (!name) problems.push(`${what}: metadata.name is required`);
    if (object.metadata?.namespace !== undefined) problems.push(`${what}: sets metadata.namespace; the manifests take the namespace they are applied to`);
    if (documents.some((d) => d.kind === kind && d.name === name)) problems.push(`${what}: a second ${kind} named ${name}`);
    documents.push({ file, apiVersion: object.apiVersion, kind, name, object });
  }
}

const kustomizationFile = "kustomization.yaml";
const [kustomization] = existsSync(path.join(dir, kustomizationFile)) ? readYaml(kustomizationFile) : [];
if (kustomization?.kind !== "Kustomization" || !Array.isArray(kustomization.resources)) {
  problems.push(`${kustomizationFile}: no Kustomization with a resources list in ${dir}`);
} else {
  const listed = kustomization.resources;
  if (listed.includes(Example)) problems.push(`${kustomizationFile}: lists ${Example}, whose placeholders must never be applied`);
  for (const file of readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort()) {
    if (file !== kustomizationFile && file !== Example && !listed.includes(file)) {
      problems.push(`${file}: not listed in ${kustomizationFile} (list it, or it is never applied nor validated)`);
    }
  }
  for (const file of [...listed, Example]) await validateFile(file);
}

if (problems.length > 0) {
  console.error(`${problems.length} problem${problems.length > 1 ? "s" : ""} in ${dir}:`);
  for (const problem of problems) console.error(`  ${problem}`);
  process.exit(1);
}

if (json) {
  console.log(JSON.stringify({ kustomization, documents }, null, 2));
} else {
  const files = new Set(documents.map((d) => d.file)).size;
  console.log(`OK: ${documents.length} documents in ${files} files valid against the Kubernetes schema (kubernetes-models), no unknown field`);
}

// Baseline for the upstash benchmark: the official `@upstash/vector` JS client (tools/node) doing the same work as
// RagFood's UpstashVectorStore against the same emulator, with the same vectors, data, metadata and batch size.
// Usage: node upstash-bench.mjs --root <repo> --url http://127.0.0.1:PORT --token T --namespace NS --op add|query
//                               --data data.json --batch 100 --topk 10
// Prints one JSON line: {"op":..., "count":..., "seconds":...}; the time covers client creation and every call.
import { readFileSync } from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";

const args = {};
for (let i = 2; i < process.argv.length; i += 2) {
  args[process.argv[i].replace(/^--/, "")] = process.argv[i + 1];
}

const require = createRequire(path.join(args.root, "tools", "node", "package.json"));
const { Index } = require("@upstash/vector");
const data = JSON.parse(readFileSync(args.data, "utf8"));
const batch = Number(args.batch ?? 100);
const topK = Number(args.topk ?? 10);

const start = process.hrtime.bigint();
const index = new Index({ url: args.url, token: args.token, enableTelemetry: false });
const ns = index.namespace(args.namespace);
let count = 0;
if (args.op === "add") {
  for (let i = 0; i < data.ids.length; i += batch) {
    const records = [];
    for (let j = i; j < Math.min(i + batch, data.ids.length); j++) {
      records.push({ id: data.ids[j], vector: data.vectors[j], data: data.data[j], metadata: data.metadatas[j] });
    }
    await ns.upsert(records);
    count += records.length;
  }
} else if (args.op === "query") {
  for (const vector of data.queries) {
    const result = await ns.query({ vector, topK, includeData: true, includeMetadata: true });
    if (result.length === 0) {
      throw new Error("query returned nothing");
    }
    count++;
  }
} else {
  throw new Error(`unknown --op ${args.op}`);
}

const seconds = Number(process.hrtime.bigint() - start) / 1e9;
process.stdout.write(JSON.stringify({ op: args.op, count, seconds }) + "\n");

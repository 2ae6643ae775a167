// Baseline for the migration benchmark: the users' plan done by hand with the official JS clients — chromadb `get`
// in pages, then `@upstash/vector` upsert in batches — on the same Chroma server and emulator RagFood migrates between.
// Usage: node migrate-bench.mjs --root <repo> --chroma http://127.0.0.1:PORT --collection NAME
//                               --url http://127.0.0.1:PORT --token T --namespace NS --mode vectors|text
//                               --page 1000 --batch 100
// Prints one JSON line: {"count":..., "seconds":...}; the time covers client creation and every call.
import path from "node:path";
import { pathToFileURL } from "node:url";
import { createRequire } from "node:module";

const args = {};
for (let i = 2; i < process.argv.length; i += 2) {
  args[process.argv[i].replace(/^--/, "")] = process.argv[i + 1];
}

const { ChromaClient } = await import(
  pathToFileURL(path.join(args.root, "tools", "node", "node_modules", "chromadb", "dist", "chromadb.mjs")).href
);
const require = createRequire(path.join(args.root, "tools", "node", "package.json"));
const { Index } = require("@upstash/vector");
const page = Number(args.page ?? 1000);
const batch = Number(args.batch ?? 100);
const vectors = args.mode === "vectors";

const start = process.hrtime.bigint();
const chromaUrl = new URL(args.chroma);
const chroma = new ChromaClient({ host: chromaUrl.hostname, port: Number(chromaUrl.port), ssl: false });
const collection = await chroma.getCollection({ name: args.collection, embeddingFunction: null });
const index = new Index({ url: args.url, token: args.token, enableTelemetry: false }).namespace(args.namespace);
let count = 0;
for (let offset = 0; ; offset += page) {
  const got = await collection.get({
    limit: page,
    offset,
    include: vectors ? ["embeddings", "documents", "metadatas"] : ["documents", "metadatas"],
  });
  if (got.ids.length === 0) break;
  for (let i = 0; i < got.ids.length; i += batch) {
    const records = [];
    for (let j = i; j < Math.min(i + batch, got.ids.length); j++) {
      const record = { id: got.ids[j], metadata: got.metadatas[j] ?? undefined };
      if (vectors) {
        record.vector = Array.from(got.embeddings[j]);
        record.data = got.documents[j] ?? undefined;
      } else {
        record.data = got.documents[j];
      }
      records.push(record);
    }
    await index.upsert(records);
    count += records.length;
  }
  if (got.ids.length < page) break;
}
const seconds = Number(process.hrtime.bigint() - start) / 1e9;
console.log(JSON.stringify({ count, seconds }));
